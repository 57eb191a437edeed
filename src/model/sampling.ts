// Next-token sampling on host logits: temperature, top-k, top-p (nucleus), seeded RNG.
//
// The returned logprob is log mu(token): the log-probability of the sampled token under the exact
// distribution the sampler drew from -- softmax(logits / temperature), restricted to the top-k /
// top-p set and renormalised. That is the behaviour policy mu the AIPO loss's importance ratio
// pi/mu needs. **(choice)** Greedy decoding (temperature 0) is deterministic: logprob 0 (mu = 1).
// `modelLogprob` is the plain softmax(logits) logprob (temperature 1, no truncation): what the
// trainer's own forward recomputes as pi, handy to check the two engines agree.
import { z } from 'zod';
import { Rng } from '../data/rng.js';

export const SamplingParams = z.object({
  /** 0 = greedy (argmax). */
  temperature: z.number().nonnegative().default(1),
  /** Keep the k most likely tokens; 0 or absent = no limit. */
  topK: z.number().int().nonnegative().default(0),
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

function logSumExp(logits: ArrayLike<number>, scale: number): number {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! * scale);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! * scale - max);
  return max + Math.log(sum);
}

/** Draws one token from `logits` [V]. `rng` is consumed only when temperature > 0. */
export function sampleToken(logits: ArrayLike<number>, params: SamplingParams, rng: Rng): Sampled {
  const V = logits.length;
  if (V === 0) throw new Error('sampleToken: empty logits');
  for (let i = 0; i < V; i++) {
    if (Number.isNaN(logits[i]!)) throw new Error(`sampleToken: logits[${i}] is NaN`);
  }
  const modelLse = logSumExp(logits, 1);
  if (params.temperature === 0) {
    const token = argmaxLogits(logits);
    return { token, logprob: 0, modelLogprob: logits[token]! - modelLse };
  }
  const inv = 1 / params.temperature;
  // Candidates sorted by logit, descending (ties by index, for determinism).
  let order: number[];
  const k = params.topK > 0 ? Math.min(params.topK, V) : V;
  if (k < V || params.topP < 1) {
    order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
    order.length = k;
  } else {
    order = Array.from({ length: V }, (_, i) => i);
  }
  // Probabilities of the candidates under softmax(logits / T) over the whole vocabulary.
  const lse = logSumExp(logits, inv);
  const probs = order.map((i) => Math.exp(logits[i]! * inv - lse));
  let keep = order.length;
  if (params.topP < 1) {
    // order is sorted here: keep the shortest prefix whose mass reaches topP (always >= 1 token).
    let cum = 0;
    for (let j = 0; j < order.length; j++) {
      cum += probs[j]!;
      if (cum >= params.topP) {
        keep = j + 1;
        break;
      }
    }
  }
  let mass = 0;
  for (let j = 0; j < keep; j++) mass += probs[j]!;
  let x = rng.float() * mass;
  let pick = keep - 1;
  for (let j = 0; j < keep; j++) {
    x -= probs[j]!;
    if (x < 0) {
      pick = j;
      break;
    }
  }
  const token = order[pick]!;
  // In log space: probs[pick] may underflow where the logit difference is huge.
  return { token, logprob: logits[token]! * inv - lse - Math.log(mass), modelLogprob: logits[token]! - modelLse };
}
