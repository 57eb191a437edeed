// From rollouts to training passes: each rollout's token sequence, its sampler logprobs, loss mask
// and advantage become per-position arrays for Qwen3Model.forward/backward, whose position p
// scores token p+1 of its sequence. Rollouts are packed in order into passes of at most
// `maxTokens` tokens (a longer rollout gets a pass of its own).
// Temperature: each sample carries the softmax temperature its tokens were sampled at, and the
// trainer scores them at that temperature (pi = softmax(logits / T), the sampler's distribution).
// **(choice)** One temperature per pass: packPasses never puts samples of different temperatures
// in one pass (a change of temperature starts a new pass), so a pass is one PackedBatch with one
// temperature (src/model/qwen3-batch.ts).

export interface TrainSample {
  ids: Int32Array;
  /** Sampler logprob per token (NaN off the loss mask). */
  samplerLogprobs: Float32Array;
  /** 1 where the token was sampled by the policy. */
  lossMask: Uint8Array;
  advantage: number;
  /** Per-token factor on `advantage` (1 where absent): the warm start's NLL weights. */
  tokenWeights?: Float32Array;
  /** Softmax temperature the tokens were sampled at (the rollout's; 1 for supervised NLL). */
  temperature: number;
}

export interface TrainPass {
  seqs: number[][];
  /** Per packed position (next-token target): loss mask, sampler logprob, advantage. */
  mask: Uint8Array;
  samplerLogprobs: Float64Array;
  advantages: Float64Array;
  /** Loss tokens in this pass. */
  lossTokens: number;
  /** The temperature of every sample in the pass: its logprobs are scored at it. */
  temperature: number;
}

export function packPasses(samples: readonly TrainSample[], maxTokens: number): TrainPass[] {
  const groups: TrainSample[][] = [];
  let cur: TrainSample[] = [];
  let used = 0;
  for (const s of samples) {
    if (s.ids.length !== s.lossMask.length || s.ids.length !== s.samplerLogprobs.length) {
      throw new Error(`packPasses: a sample has ${s.ids.length} tokens, ${s.lossMask.length} mask entries and ${s.samplerLogprobs.length} logprobs`);
    }
    if (s.tokenWeights && s.tokenWeights.length !== s.ids.length) throw new Error(`packPasses: a sample has ${s.ids.length} tokens and ${s.tokenWeights.length} token weights`);
    if (!(Number.isFinite(s.temperature) && s.temperature > 0)) throw new Error(`packPasses: a sample has temperature ${s.temperature}; training needs a finite temperature > 0`);
    if (cur.length > 0 && (used + s.ids.length > maxTokens || s.temperature !== cur[0]!.temperature)) {
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
          adv[p] = s.advantage * (s.tokenWeights ? s.tokenWeights[j + 1]! : 1);
          n++;
        }
      }
    }
    return { seqs: g.map((s) => Array.from(s.ids)), mask, samplerLogprobs: mu, advantages: adv, lossTokens: n, temperature: g[0]!.temperature };
  });
}
