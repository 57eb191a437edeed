// Next-token sampling parameters and results. Sampling itself runs on the GPU next to the logits
// (src/ops/sample.ts, kernels/sample.wgsl); its float64 reference is src/ops/ref/sample.ts.
//
// The returned logprob is log mu(token): the log-probability of the sampled token under the exact
// distribution the sampler drew from -- softmax(logits / temperature), restricted to the top-k /
// top-p set and renormalised. That is the behaviour policy mu the AIPO loss's importance ratio
// pi/mu needs. **(choice)** Greedy decoding (temperature 0) is deterministic: logprob 0 (mu = 1).
// `modelLogprob` is the plain softmax(logits) logprob (temperature 1, no truncation), handy to
// check two engines agree. The trainer's pi is log softmax(logits / temperature) at the rollout's
// temperature, untruncated (src/ops/lm-head.ts): equal to logprob without top-k / top-p.
import { z } from 'zod';

export const SamplingParams = z.object({
  /** 0 = greedy (argmax). */
  temperature: z.number().nonnegative().default(1),
  /** Keep the k most likely tokens; 0 or absent = no limit. */
  topK: z.number().int().nonnegative().max(0xffffffff).default(0),
  /** Keep the smallest set of most likely tokens whose probability reaches topP; 1 = no limit. */
  topP: z.number().gt(0).max(1).default(1),
});
export type SamplingParams = z.infer<typeof SamplingParams>;
export type SamplingInput = z.input<typeof SamplingParams>;

export interface Sampled {
  token: number;
  /** log mu(token) under the distribution sampled from (see the file comment). */
  logprob: number;
  /** log softmax(logits)[token] at temperature 1, untruncated. */
  modelLogprob: number;
}

/** Index of the largest logit (first on ties). */
export function argmaxLogits(logits: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
  return best;
}
