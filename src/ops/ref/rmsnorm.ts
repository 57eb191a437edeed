// RMSNorm over the last dimension, HF Qwen3 semantics: y = x * rsqrt(mean(x^2) + eps) * w
// (weight applied as is, no "1 +" offset). Per-head q_norm / k_norm are the same op on
// [T * heads, head_dim] with one weight of length head_dim shared by all rows.
// (HF computes the normalisation in float32 and casts back to the input dtype before the weight
// multiply; here everything is float64; tests emulate storage rounding with bf16.ts.)
import { expectLength, expectPositiveInt, type Vec } from './check.js';

export interface RmsNormOut {
  out: Float64Array; // [rows, dim]
  rstd: Float64Array; // [rows]: 1 / sqrt(mean(x^2) + eps)
}

function rstdOf(x: Vec, base: number, dim: number, eps: number): number {
  let ss = 0;
  for (let i = 0; i < dim; i++) ss += x[base + i]! * x[base + i]!;
  return 1 / Math.sqrt(ss / dim + eps);
}

function check(op: string, x: Vec, w: Vec, rows: number, dim: number): void {
  expectPositiveInt(op, 'rows', rows);
  expectPositiveInt(op, 'dim', dim);
  expectLength(op, 'x [rows,dim]', x, rows * dim);
  expectLength(op, 'weight [dim]', w, dim);
}

export function rmsnormForward(x: Vec, w: Vec, rows: number, dim: number, eps: number): RmsNormOut {
  check('rmsnormForward', x, w, rows, dim);
  const out = new Float64Array(rows * dim);
  const rstd = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    const s = rstdOf(x, base, dim, eps);
    rstd[r] = s;
    for (let i = 0; i < dim; i++) out[base + i] = x[base + i]! * s * w[i]!;
  }
  return { out, rstd };
}

/**
 * With g = dOut * w and s = rstd: y_i = x_i s w_i, ds/dx_j = -s^3 x_j / dim, so
 * dx_j = s g_j - s^3 x_j (sum_i g_i x_i) / dim, and dw_i = sum over rows of dOut_i x_i s.
 */
export function rmsnormBackward(
  dOut: Vec,
  x: Vec,
  w: Vec,
  rows: number,
  dim: number,
  eps: number,
): { dx: Float64Array; dw: Float64Array } {
  check('rmsnormBackward', x, w, rows, dim);
  expectLength('rmsnormBackward', 'dOut [rows,dim]', dOut, rows * dim);
  const dx = new Float64Array(rows * dim);
  const dw = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    const s = rstdOf(x, base, dim, eps);
    let gx = 0;
    for (let i = 0; i < dim; i++) gx += dOut[base + i]! * w[i]! * x[base + i]!;
    const c = (s * s * s * gx) / dim;
    for (let i = 0; i < dim; i++) {
      dx[base + i] = s * dOut[base + i]! * w[i]! - c * x[base + i]!;
      dw[i] += dOut[base + i]! * x[base + i]! * s;
    }
  }
  return { dx, dw };
}
