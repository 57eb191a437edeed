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

/** The k-th largest value of a (1-based k), by quickselect on a copy: O(V) expected. */
function kthLargest(a: ArrayLike<number>, k: number): number {
  const v = Float64Array.from(a);
  let lo = 0;
  let hi = v.length - 1;
  const want = k - 1; // index in descending order
  while (lo < hi) {
    const pivot = v[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i]! > pivot) i++;
      while (v[j]! < pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i] = v[j]!;
        v[j] = t;
        i++;
        j--;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return v[want]!;
  }
  return v[want]!;
}

/**
 * Draws one token from `logits` [V]. `rng` is consumed only when temperature > 0.
 * Order as in HF / vLLM: temperature, then top-k, then top-p over the top-k renormalised
 * distribution. Only candidate tokens are sorted (a 151936-entry vocabulary is never sorted whole):
 * top-k keeps logits >= the k-th largest; top-p alone keeps p > (1 - topP) / V, a superset of the
 * nucleus (a token in the nucleus has the tail mass 1 - topP spread over at most V tokens no more
 * likely than itself).
 */
export function sampleToken(logits: ArrayLike<number>, params: SamplingParams, rng: Rng): Sampled {
  const V = logits.length;
  if (V === 0) throw new Error('sampleToken: empty logits');
  // One pass for the max (and NaN check), one for both normalisers (temperature 1 and T): the
  // vocabulary is 151936 wide and this runs per sequence per step.
  let max = -Infinity;
  for (let i = 0; i < V; i++) {
    const x = logits[i]!;
    if (Number.isNaN(x)) throw new Error(`sampleToken: logits[${i}] is NaN`);
    if (x > max) max = x;
  }
  const inv = params.temperature > 0 ? 1 / params.temperature : 1;
  let sum1 = 0;
  let sumT = 0;
  for (let i = 0; i < V; i++) {
    const d = logits[i]! - max;
    sum1 += Math.exp(d);
    if (inv !== 1) sumT += Math.exp(d * inv);
  }
  const modelLse = max + Math.log(sum1);
  if (params.temperature === 0) {
    const token = argmaxLogits(logits);
    return { token, logprob: 0, modelLogprob: logits[token]! - modelLse };
  }
  const lse = inv === 1 ? modelLse : max * inv + Math.log(sumT);
  const prob = (i: number): number => Math.exp(logits[i]! * inv - lse);
  const k = params.topK > 0 ? Math.min(params.topK, V) : V;
  let cand: number[];
  if (k < V) {
    const kth = kthLargest(logits, k);
    cand = [];
    for (let i = 0; i < V; i++) if (logits[i]! >= kth) cand.push(i);
  } else if (params.topP < 1) {
    // p_i > (1 - topP) / V  <=>  logit_i > (log((1 - topP) / V) + lse) / inv: no exp per token.
    const floor = (Math.log((1 - params.topP) / V) + lse) / inv;
    cand = [];
    for (let i = 0; i < V; i++) if (logits[i]! > floor) cand.push(i);
  } else {
    cand = Array.from({ length: V }, (_, i) => i);
  }
  if (k < V || params.topP < 1) {
    cand.sort((a, b) => logits[b]! - logits[a]! || a - b); // ties by index: deterministic
    if (cand.length > k) cand.length = k;
  }
  const probs = cand.map(prob);
  let keep = cand.length;
  if (params.topP < 1) {
    // Top-p over the distribution left by top-k (the whole one when there is no top-k).
    let base = 1;
    if (k < V) base = probs.reduce((a, b) => a + b, 0);
    let cum = 0;
    for (let j = 0; j < probs.length; j++) {
      cum += probs[j]! / base;
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
  const token = cand[pick]!;
  // In log space: probs[pick] may underflow where the logit difference is huge.
  return { token, logprob: logits[token]! * inv - lse - Math.log(mass), modelLogprob: logits[token]! - modelLse };
}
