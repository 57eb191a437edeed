// RMSNorm forward and backward on [rows, dim] (HF Qwen3: normalise in f32, round to the input
// dtype, then multiply by w). The hidden norm runs on [T, 5120]; q_norm / k_norm run the same kernel
// on [T * heads, 128] (several rows per workgroup for small dims).
// Backward: dx per row; dw (f32, +=) through per-segment partials [nPart, dim] in a scratch buffer
// reduced by a second kernel in a fixed order: deterministic, no float atomics.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, elemBytes, rowSpans, spanOf, type ChunkOpts } from './residual.js';

export interface RmsNormDims {
  rows: number;
  dim: number;
  eps: number;
}

/** Target workgroups of the backward (each writes SEGS partial rows of dw). */
const BWD_WORKGROUPS = 512;

function layout(dim: number): { TPR: number; PPT: number; SEGS: number } {
  const pairs = Math.ceil(dim / 2);
  let TPR = 1;
  while (TPR < pairs && TPR < 256) TPR *= 2;
  return { TPR, PPT: Math.ceil(pairs / TPR), SEGS: 256 / TPR };
}

function kernel(entry: string, x: Tensor, w: Tensor, dim: number): KernelDef {
  const { TPR, PPT } = layout(dim);
  return {
    name: `rmsnorm_${entry}`,
    file: 'rmsnorm.wgsl',
    entry,
    consts: { TPR, PPT, ...dtConsts('X', x, 'rmsnorm'), ...dtConsts('W', w, 'rmsnorm') },
    params: { rows: 'u32', dim: 'u32', eps: 'f32', rps: 'u32' },
  };
}

function check(op: string, d: RmsNormDims, acts: Tensor[], w: Tensor, rstd: Tensor): void {
  if (!Number.isInteger(d.rows) || d.rows <= 0 || !Number.isInteger(d.dim) || d.dim <= 0 || !(d.eps >= 0)) {
    throw new Error(`${op}: bad dims rows=${d.rows} dim=${d.dim} eps=${d.eps}`);
  }
  for (const t of acts) {
    if (t.numel !== d.rows * d.dim) throw new Error(`${op}: ${t.describe()} must hold rows*dim = ${d.rows}x${d.dim}`);
    if (t.dtype !== acts[0].dtype) throw new Error(`${op}: ${t.describe()} dtype differs from ${acts[0].describe()}`);
  }
  if (acts[0].dtype === 'bf16' && d.dim % 2 !== 0) throw new Error(`${op}: bf16 rows need an even dim, got ${d.dim}`);
  if (w.numel !== d.dim) throw new Error(`${op}: weight ${w.describe()} must have dim = ${d.dim} elements`);
  if (rstd.numel !== d.rows || rstd.dtype !== 'f32') throw new Error(`${op}: rstd ${rstd.describe()} must be f32 [${d.rows}]`);
}

/** y = w * round(x * rstd); rstd (f32 [rows]) is saved for the backward. */
export function rmsnormForward(gpu: Gpu, x: Tensor, w: Tensor, y: Tensor, rstd: Tensor, dims: RmsNormDims, opts: ChunkOpts = {}): void {
  check('rmsnormForward', dims, [x, y], w, rstd);
  const def = kernel('fwd', x, w, dims.dim);
  const { SEGS } = layout(dims.dim);
  const rb = dims.dim * elemBytes(x);
  for (const s of rowSpans(gpu, dims.rows, [rb, 4], opts.maxBindingBytes)) {
    gpu.dispatch(def, {
      params: { rows: s.rows, dim: dims.dim, eps: dims.eps, rps: 1 },
      bindings: [spanOf(x, s, rb), w, spanOf(rstd, s, 4), spanOf(y, s, rb)],
      workgroups: Math.ceil(s.rows / SEGS),
    });
  }
}

const scratch = new WeakMap<Gpu, Tensor>();

/** A reused f32 scratch of at least n elements (never destroyed while dispatches may use it). */
function partials(gpu: Gpu, n: number): Tensor {
  let t = scratch.get(gpu);
  if (!t || t.numel < n) {
    t = gpu.empty([Math.max(n, t ? 2 * t.numel : 0)], 'f32', 'rmsnorm.dw-partials');
    scratch.set(gpu, t);
  }
  return t;
}

/** dx = d(rmsnorm)/dx . dy; dw += sum over rows of dy * x * rstd (dw f32 [dim]). */
export function rmsnormBackward(
  gpu: Gpu,
  dy: Tensor,
  x: Tensor,
  w: Tensor,
  rstd: Tensor,
  dx: Tensor,
  dw: Tensor,
  dims: RmsNormDims,
  opts: ChunkOpts = {},
): void {
  check('rmsnormBackward', dims, [dy, x, dx], w, rstd);
  if (dw.dtype !== 'f32' || dw.numel !== dims.dim) throw new Error(`rmsnormBackward: dw ${dw.describe()} must be f32 [${dims.dim}]`);
  const bwd = kernel('bwd', x, w, dims.dim);
  const red = kernel('dw_reduce', x, w, dims.dim);
  const { SEGS } = layout(dims.dim);
  const rb = dims.dim * elemBytes(x);
  const maxPart = Math.floor((opts.maxBindingBytes ?? gpu.maxBinding) / (4 * dims.dim));
  for (const s of rowSpans(gpu, dims.rows, [rb, 4], opts.maxBindingBytes)) {
    let rps = Math.max(1, Math.ceil(s.rows / (SEGS * BWD_WORKGROUPS)));
    while (Math.ceil(s.rows / (SEGS * rps)) * SEGS > maxPart) rps *= 2;
    const nwg = Math.ceil(s.rows / (SEGS * rps));
    const nPart = nwg * SEGS;
    const part = partials(gpu, nPart * dims.dim);
    const partRange = part.range(0, nPart * dims.dim * 4);
    gpu.dispatch(bwd, {
      params: { rows: s.rows, dim: dims.dim, eps: dims.eps, rps },
      bindings: [spanOf(x, s, rb), w, spanOf(rstd, s, 4), spanOf(dy, s, rb), spanOf(dx, s, rb), partRange],
      workgroups: nwg,
    });
    gpu.dispatch(red, {
      params: { rows: nPart, dim: dims.dim, eps: dims.eps, rps },
      bindings: [partRange, dw],
      workgroups: Math.ceil(dims.dim / 256),
    });
  }
}
