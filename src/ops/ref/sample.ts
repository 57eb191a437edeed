// Float64 reference of next-token sampling, the exact algorithm of kernels/sample.wgsl:
//   1. order tokens by (logit desc, index asc): logits compared through their f32 order key, so
//      every token has a distinct rank and ties never depend on summation order;
//   2. temperature 0: the rank-1 token, logprob 0 (mu = 1);
//   3. top-k keeps ranks 1..k; top-p then keeps the shortest rank prefix whose weight reaches
//      topP times the weight the top-k set holds (weights w = exp((logit - max) / T)): the order
//      HF and vLLM apply them in;
//   4. the draw is an exponential race (Gumbel-max): argmax over kept tokens of
//      (logit - max) / T + G_i, G_i = -log(-log u_i), u_i a counter-based uniform of (seed, step,
//      token). That is an exact draw from the kept set's renormalised softmax, needs no sort and
//      no running sum, and makes a draw a pure function of (logits, params, seed, step), so the
//      result does not depend on batching.
// logprob = log mu(token) under the distribution drawn from (kept set, temperature T), what the
// AIPO importance ratio needs; modelLogprob = log softmax(logits)[token] at temperature 1.
import type { SamplingParams, Sampled } from '../sampling.js';

/** lowbias32 (C. Wellons, https://nullprogram.com/blog/2018/07/31/): a 32-bit integer mixer. */
export function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** The per-(seed, step) key of a row's uniforms. */
export function rowKey(seed: number, step: number): number {
  return mix32((mix32(seed >>> 0) ^ (step >>> 0)) >>> 0);
}

/** Uniform in (0, 1) on a 2^-23 grid (exact in f32, so the GPU sees the same value):
 *  (h >> 9 + 0.5) / 2^23 for h = mix32(key ^ mix32(token)). */
export function tokenUniform(key: number, token: number): number {
  const h = mix32((key ^ mix32(token >>> 0)) >>> 0);
  return ((h >>> 9) + 0.5) / 8388608;
}

/** Gumbel noise -log(-log u), with -log u computed as -log1p(u - 1) (u near 1 is where the
 *  winners come from; a plain log loses their digits). */
export function gumbel(u: number): number {
  return -Math.log(-Math.log1p(u - 1));
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** Order-preserving map of an f32 to a u32 (negative values flipped): larger float, larger key. */
export function orderKey(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  return (b & 0x80000000 ? ~b : b | 0x80000000) >>> 0;
}

export interface SampleDiagnostics {
  /** Score gap between the winner and the runner-up of the draw (Infinity with one candidate). */
  drawMargin: number;
  /** |cumulative weight at the top-p cut - topP * base| / base: how close the cut was. */
  topPMargin: number;
  /** Tokens kept after top-k and top-p. */
  kept: number;
}

/** Samples one token from `logits` (f32 values) by the algorithm above. Throws on NaN. */
export function sampleRef(logits: ArrayLike<number>, params: SamplingParams, seed: number, step: number): Sampled & SampleDiagnostics {
  const V = logits.length;
  if (V === 0) throw new Error('sample: empty logits');
  const x = Float64Array.from(logits, (v) => Math.fround(v));
  for (let i = 0; i < V; i++) if (Number.isNaN(x[i]!)) throw new Error(`sample: logits[${i}] is NaN`);
  const keys = Uint32Array.from(x, orderKey);
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => keys[b]! - keys[a]! || a - b);
  const m = x[order[0]!]!;
  if (!Number.isFinite(m)) throw new Error(`sample: the largest logit is ${m}`);
  let sum1 = 0;
  for (let i = 0; i < V; i++) sum1 += Math.exp(x[i]! - m);
  const modelLogprob = (t: number): number => x[t]! - m - Math.log(sum1);
  if (params.temperature === 0) {
    const t = order[0]!;
    return { token: t, logprob: 0, modelLogprob: modelLogprob(t), drawMargin: Infinity, topPMargin: Infinity, kept: 1 };
  }
  const inv = 1 / params.temperature;
  const w = (i: number): number => Math.exp((x[i]! - m) * inv);
  const k = params.topK > 0 ? Math.min(params.topK, V) : V;
  let base = 0;
  for (let j = 0; j < k; j++) base += w(order[j]!);
  let keep = k;
  let topPMargin = Infinity;
  if (params.topP < 1) {
    const target = params.topP * base;
    let cum = 0;
    for (let j = 0; j < k; j++) {
      cum += w(order[j]!);
      // The cut is ambiguous in finite precision when either neighbouring prefix is near target.
      topPMargin = Math.min(topPMargin, Math.abs(cum - target) / base);
      if (cum >= target) {
        keep = j + 1;
        break;
      }
    }
  }
  let mass = 0;
  const key = rowKey(seed, step);
  let best = -1;
  let bestScore = -Infinity;
  let second = -Infinity;
  for (let j = 0; j < keep; j++) {
    const i = order[j]!;
    mass += w(i);
    const s = (x[i]! - m) * inv + gumbel(tokenUniform(key, i));
    if (s > bestScore || (s === bestScore && i < best)) {
      second = bestScore;
      bestScore = s;
      best = i;
    } else if (s > second) second = s;
  }
  return {
    token: best,
    logprob: (x[best]! - m) * inv - Math.log(mass),
    modelLogprob: modelLogprob(best),
    drawMargin: bestScore - second,
    topPMargin,
    kept: keep,
  };
}
