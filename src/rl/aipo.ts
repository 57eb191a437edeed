// The AIPO objective of the published run (shared/spec/resume-task.md section 6), no entropy or KL
// terms:  J = 1/N * sum over loss tokens t of min(pi_t / mu_t, delta) * A_t,  delta = 8,
// with pi the trainer's token probability, mu the sampler's, A the token's advantage (its
// rollout's) and N the number of loss tokens in the whole batch. We minimise L = -J.
// dL/dlog pi_t = -(1/N) A_t * w_t where, for r_t = pi_t / mu_t,
//   clamp 'mask'   (default): w = r below delta, 0 above: min() as written, differentiated like
//                  torch.clamp, passes no gradient where the clamp is active (those tokens drop out);
//   clamp 'detach': w = min(r, delta): the clamped ratio as a constant weight on grad log pi, so a
//                  token above delta still pulls with weight delta.
// **(choice)** 'mask' by default: it is the formula as written; 'detach' is the one-line
// alternative the spec names. Both are tested against finite differences of their surrogate.
// Works on host arrays of one packed batch (a few thousand floats): the per-token gradient goes to
// Qwen3Model.backward as dlogprob.

export type AipoClamp = 'mask' | 'detach';

export interface AipoInput {
  /** log pi per position: the trainer's logprob of the position's target token. */
  logprobs: ArrayLike<number>;
  /** log mu per position: the sampler's logprob of the same token (ignored where mask is 0). */
  samplerLogprobs: ArrayLike<number>;
  /** Advantage per position (its rollout's). */
  advantages: ArrayLike<number>;
  /** 1 where the position's target is a loss token (sampled by the policy), else 0. */
  mask: ArrayLike<number>;
}

export interface AipoOptions {
  delta?: number;
  clamp?: AipoClamp;
  /** N to divide by (default: this input's loss tokens). A step split into several passes gives
   *  each pass the whole step's N, so the passes' gradients add up to the step's. */
  normalizer?: number;
}

export interface AipoResult {
  /** L = -J. */
  loss: number;
  /** dL/dlog pi per position (0 off the mask). */
  dlogprob: Float64Array;
  /** Loss tokens N. */
  tokens: number;
  /** Fraction of loss tokens with pi/mu >= delta. */
  clippedFraction: number;
  /** Mean pi/mu over loss tokens (1 on-policy). */
  meanRatio: number;
}

export function aipoLoss(inp: AipoInput, opts: AipoOptions = {}): AipoResult {
  const delta = opts.delta ?? 8;
  const clamp = opts.clamp ?? 'mask';
  if (!(delta > 0)) throw new Error(`aipoLoss: delta must be > 0, got ${delta}`);
  const T = inp.logprobs.length;
  for (const [k, a] of [['samplerLogprobs', inp.samplerLogprobs], ['advantages', inp.advantages], ['mask', inp.mask]] as const) {
    if (a.length !== T) throw new Error(`aipoLoss: ${k} has ${a.length} entries, logprobs ${T}`);
  }
  let N = 0;
  for (let t = 0; t < T; t++) if (inp.mask[t]) N++;
  const dlogprob = new Float64Array(T);
  if (N === 0) return { loss: 0, dlogprob, tokens: 0, clippedFraction: 0, meanRatio: 1 };
  const norm = opts.normalizer ?? N;
  if (!(norm >= N)) throw new Error(`aipoLoss: normalizer ${opts.normalizer} is below this input's ${N} loss tokens`);
  let J = 0;
  let clipped = 0;
  let ratioSum = 0;
  for (let t = 0; t < T; t++) {
    if (!inp.mask[t]) continue;
    const lp = inp.logprobs[t]!, mu = inp.samplerLogprobs[t]!, A = inp.advantages[t]!;
    if (!Number.isFinite(lp) || !Number.isFinite(mu) || !Number.isFinite(A)) {
      throw new Error(`aipoLoss: position ${t}: logprob ${lp}, sampler logprob ${mu}, advantage ${A} (all must be finite on loss tokens)`);
    }
    const r = Math.exp(lp - mu);
    ratioSum += r;
    const above = r >= delta;
    if (above) clipped++;
    J += Math.min(r, delta) * A;
    const w = above ? (clamp === 'detach' ? delta : 0) : r;
    dlogprob[t] = -(A * w) / norm;
  }
  return { loss: -J / norm, dlogprob, tokens: N, clippedFraction: clipped / N, meanRatio: ratioSum / N };
}

/** Advantage per rollout: reward minus its group's mean (no std normalisation), groups of
 *  `groupSize` consecutive rollouts. */
export function groupAdvantages(rewards: readonly number[], groupSize: number): number[] {
  if (!Number.isInteger(groupSize) || groupSize < 1) throw new Error(`groupAdvantages: groupSize must be a positive integer, got ${groupSize}`);
  if (rewards.length % groupSize !== 0) throw new Error(`groupAdvantages: ${rewards.length} rewards do not split into groups of ${groupSize}`);
  const out: number[] = [];
  for (let g = 0; g < rewards.length; g += groupSize) {
    const grp = rewards.slice(g, g + groupSize);
    grp.forEach((r, i) => {
      if (!Number.isFinite(r)) throw new Error(`groupAdvantages: reward ${g + i} is ${r}`);
    });
    const mean = grp.reduce((a, b) => a + b, 0) / groupSize;
    for (const r of grp) out.push(r - mean);
  }
  return out;
}
