// Fused lm_head + log-softmax + target logprob + entropy, per token row:
//   z = W h / temp (logits [V] over the softmax temperature, default 1), lse = log sum_v exp z_v,
//   p = exp(z - lse), logprob = z_target - lse, entropy = lse - sum_v p_v z_v  (= -sum p log p).
// The temperature makes logprob that of softmax(logits / temp), the distribution a sampler at that
// temperature draws from (src/ops/ref/sample.ts), untruncated (no top-k / top-p).
// targets[t] = -1 marks a row to ignore: **(choice)** its logprob and entropy are 0 and it gets
// no gradient (not even from dEntropy); its lse is still computed.
// Backward for the scalar L = sum_t dLogprob_t logprob_t + dEntropy_t entropy_t:
//   dz_v = dLogprob (onehot(target)_v - p_v) - dEntropy p_v (z_v - sum_u p_u z_u)
// (the entropy term is dH/dz_v = -p_v (log p_v + H)), then the raw logits' gradient dz / temp,
// dh = (dz / temp) W, dW = (dz / temp)^T h.
import { expectLength, expectPositiveInt, type Vec } from './check.js';
import { matmulABt } from './matmul.js';

export interface LmHeadOut {
  logprob: Float64Array; // [T]
  entropy: Float64Array; // [T]
  lse: Float64Array; // [T]
}

function check(op: string, h: Vec, W: Vec, targets: Vec, T: number, H: number, V: number, temp: number): void {
  expectPositiveInt(op, 'T', T);
  if (!(Number.isFinite(temp) && temp > 0)) throw new Error(`${op}: temperature must be a finite number > 0, got ${temp}`);
  expectPositiveInt(op, 'H', H);
  expectPositiveInt(op, 'V', V);
  expectLength(op, 'h [T,H]', h, T * H);
  expectLength(op, 'W [V,H]', W, V * H);
  expectLength(op, 'targets [T]', targets, T);
  for (let t = 0; t < T; t++) {
    const y = targets[t]!;
    if (!Number.isInteger(y) || y < -1 || y >= V) {
      throw new Error(`${op}: targets[${t}] = ${y} must be -1 (ignore) or in [0, ${V})`);
    }
  }
}

/** Logits [T, V] = h W^T. */
export function lmHeadLogits(h: Vec, W: Vec, T: number, H: number, V: number): Float64Array {
  return matmulABt(h, W, T, H, V);
}

/** The softmax's argument: logits / temp (the logits themselves at temp 1). */
function tempered(h: Vec, W: Vec, T: number, H: number, V: number, temp: number): Float64Array {
  const z = lmHeadLogits(h, W, T, H, V);
  return temp === 1 ? z : z.map((x) => x / temp);
}

/** Per-row log-softmax statistics of logits z [T, V]: lse and expected logit sum p z. */
function rowStats(z: Float64Array, t: number, V: number): { lse: number; ez: number } {
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (z[t * V + v]! > max) max = z[t * V + v]!;
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(z[t * V + v]! - max);
  const lse = max + Math.log(sum);
  let ez = 0;
  for (let v = 0; v < V; v++) ez += Math.exp(z[t * V + v]! - lse) * z[t * V + v]!;
  return { lse, ez };
}

/** Per-row logprob of the target, entropy and lse of softmax(h W^T / temp). */
export function lmHeadForward(h: Vec, W: Vec, targets: Vec, T: number, H: number, V: number, temp = 1): LmHeadOut {
  check('lmHeadForward', h, W, targets, T, H, V, temp);
  const z = tempered(h, W, T, H, V, temp);
  const logprob = new Float64Array(T);
  const entropy = new Float64Array(T);
  const lse = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    const st = rowStats(z, t, V);
    lse[t] = st.lse;
    const y = targets[t]!;
    if (y < 0) continue;
    logprob[t] = z[t * V + y]! - st.lse;
    entropy[t] = st.lse - st.ez;
  }
  return { logprob, entropy, lse };
}

/** Gradient with respect to z [T, V] (the tempered logits: dL/dlogits = this / temp; exposed so GPU
 *  tests can check the intermediate). */
export function lmHeadLogitGrad(
  dLogprob: Vec,
  dEntropy: Vec | undefined,
  z: Float64Array,
  targets: Vec,
  T: number,
  V: number,
): Float64Array {
  const dz = new Float64Array(T * V);
  for (let t = 0; t < T; t++) {
    const y = targets[t]!;
    if (y < 0) continue;
    const { lse, ez } = rowStats(z, t, V);
    const a = dLogprob[t]!;
    const e = dEntropy ? dEntropy[t]! : 0;
    for (let v = 0; v < V; v++) {
      const zv = z[t * V + v]!;
      const p = Math.exp(zv - lse);
      dz[t * V + v] = -a * p - e * p * (zv - ez);
    }
    dz[t * V + y] += a;
  }
  return dz;
}

export function lmHeadBackward(
  dLogprob: Vec,
  dEntropy: Vec | undefined,
  h: Vec,
  W: Vec,
  targets: Vec,
  T: number,
  H: number,
  V: number,
  temp = 1,
): { dh: Float64Array; dW: Float64Array } {
  const op = 'lmHeadBackward';
  check(op, h, W, targets, T, H, V, temp);
  expectLength(op, 'dLogprob [T]', dLogprob, T);
  if (dEntropy) expectLength(op, 'dEntropy [T]', dEntropy, T);
  const z = tempered(h, W, T, H, V, temp);
  const dz = lmHeadLogitGrad(dLogprob, dEntropy, z, targets, T, V);
  if (temp !== 1) for (let i = 0; i < dz.length; i++) dz[i] = dz[i]! / temp; // chain rule through z = logits / temp
  const dh = new Float64Array(T * H);
  const dW = new Float64Array(V * H);
  for (let t = 0; t < T; t++) {
    for (let v = 0; v < V; v++) {
      const g = dz[t * V + v]!;
      if (g === 0) continue;
      for (let j = 0; j < H; j++) {
        dh[t * H + j] += g * W[v * H + j]!;
        dW[v * H + j] += g * h[t * H + j]!;
      }
    }
  }
  return { dh, dW };
}
