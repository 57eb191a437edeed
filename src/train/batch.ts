// From rollouts to training passes: each rollout's token sequence, its sampler logprobs, loss mask
// and advantage become per-position arrays for Qwen3Model.forward/backward, whose position p
// scores token p+1 of its sequence. Rollouts are packed in order into passes of at most
// `maxTokens` tokens (a longer rollout gets a pass of its own).

export interface TrainSample {
  ids: Int32Array;
  /** Sampler logprob per token (NaN off the loss mask). */
  samplerLogprobs: Float32Array;
  /** 1 where the token was sampled by the policy. */
  lossMask: Uint8Array;
  advantage: number;
}

export interface TrainPass {
  seqs: number[][];
  /** Per packed position (next-token target): loss mask, sampler logprob, advantage. */
  mask: Uint8Array;
  samplerLogprobs: Float64Array;
  advantages: Float64Array;
  /** Loss tokens in this pass. */
  lossTokens: number;
}

export function packPasses(samples: readonly TrainSample[], maxTokens: number): TrainPass[] {
  const groups: TrainSample[][] = [];
  let cur: TrainSample[] = [];
  let used = 0;
  for (const s of samples) {
    if (s.ids.length !== s.lossMask.length || s.ids.length !== s.samplerLogprobs.length) {
      throw new Error(`packPasses: a sample has ${s.ids.length} tokens, ${s.lossMask.length} mask entries and ${s.samplerLogprobs.length} logprobs`);
    }
    if (cur.length > 0 && used + s.ids.length > maxTokens) {
      groups.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(s);
    used += s.ids.length;
  }
  if (cur.length > 0) groups.push(cur);
  return groups.map((g) => {
    const T = g.reduce((a, s) => a + s.ids.length, 0);
    const mask = new Uint8Array(T), mu = new Float64Array(T), adv = new Float64Array(T);
    let p = 0, n = 0;
    for (const s of g) {
      for (let j = 0; j < s.ids.length; j++, p++) {
        if (j + 1 < s.ids.length && s.lossMask[j + 1]) {
          mask[p] = 1;
          mu[p] = s.samplerLogprobs[j + 1]!;
          adv[p] = s.advantage;
          n++;
        }
      }
    }
    return { seqs: g.map((s) => Array.from(s.ids)), mask, samplerLogprobs: mu, advantages: adv, lossTokens: n };
  });
}
