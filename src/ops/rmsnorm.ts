// RMSNorm forward and backward on [rows, dim] (HF Qwen3: normalise in f32, round to the input
// dtype, then multiply by w). The hidden norm runs on [T, 5120]; q_norm / k_norm run the same kernel
// on [T * heads, 128] (several rows per workgroup for small dims). Rows move 8 elements per thread
// access when dim % 8 == 0; row sums use subgroup operations where the device has them.
// Backward: dx per row; dw (f32, +=) through one partial row per workgroup [nPart, dim] in a scratch
// buffer, reduced by a second kernel in a fixed order: deterministic, no float atomics.
// On a CPU adapter (the device's memory variant 'cpu') the backward of rows of up to CPU_MAX_DIM
// elements runs kernels/rmsnorm-cpu.wgsl instead: one SIMD vector per workgroup looping over a
// block of rows, the same partial-row scheme (never more partial rows than the portable kernel's).
// The forward stays portable there: a CPU-shaped forward measured slower on lavapipe.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, elemBytes, memoryCpu, rowSpans, spanOf, type MemoryOpts } from './elementwise.js';

export interface RmsNormDims {
  rows: number;
  dim: number;
  eps: number;
}

export interface RmsNormOpts extends MemoryOpts {
  /** Use subgroup reductions (default: when the device has them); false forces the fallback. */
  subgroups?: boolean;
  /** Backward: target workgroup count (default BWD_WORKGROUPS); fewer means more rows each. */
  bwdWorkgroups?: number;
}

/** Target workgroups of the backward (each writes one partial row of dw). */
const BWD_WORKGROUPS = 512;
/** Most units (8 or 2 elements) a thread keeps in registers per row. */
const MAX_PPT = 3; // also bounds the dw parking space: 8 KiB per unit

interface Layout {
  vec: boolean;
  S: number;
  PPT: number;
  SEGS: number;
  sg: boolean;
  shuf: boolean;
}

/** Threads per row S: the smallest power of two giving each thread at most MAX_PPT units. */
function threadsPerRow(dim: number): number {
  const units = Math.ceil(dim / (dim % 8 === 0 ? 8 : 2));
  let S = 1;
  while (S < 256 && Math.ceil(units / S) > MAX_PPT) S *= 2;
  return S;
}

/** S threads per row (threadsPerRow), SEGS = 256 / S rows per workgroup. The subgroup path needs S
 *  to divide every possible subgroup size or be a multiple of all of them. */
function layout(gpu: Gpu, dim: number, opts: RmsNormOpts): Layout {
  const vec = dim % 8 === 0;
  const units = Math.ceil(dim / (vec ? 8 : 2));
  const S = threadsPerRow(dim);
  const info = gpu.adapterInfo as unknown as { subgroupMinSize?: number; subgroupMaxSize?: number };
  const [lo, hi] = [info.subgroupMinSize ?? 0, info.subgroupMaxSize ?? 0];
  const shuf = S <= lo;
  const sg = (opts.subgroups ?? gpu.features.subgroups) && gpu.features.subgroups && lo > 0 && (shuf || S >= hi);
  return { vec, S, PPT: Math.ceil(units / S), SEGS: 256 / S, sg, shuf };
}

function kernel(entry: string, x: Tensor, w: Tensor, L: Layout): KernelDef {
  const { vec, S, PPT, SEGS, sg, shuf } = L;
  return {
    name: `rmsnorm_${entry}`,
    file: 'rmsnorm.wgsl',
    entry,
    consts: {
      VEC: vec,
      S,
      PPT,
      SHUF: shuf,
      DWN: SEGS > 1 ? 2 * 256 * PPT : 1,
      SG_ENABLE: sg ? 'enable subgroups;' : '',
      SG_ARGS: sg ? ', @builtin(subgroup_invocation_id) sid: u32, @builtin(subgroup_size) sgs: u32' : '',
      SG: sg ? '' : '//',
      WG: sg ? '//' : '',
      P_A: vec ? 'vec4<f32>' : 'f32',
      P_W: vec ? '' : '.x',
      ...dtConsts('X', x, 'rmsnorm', vec),
      ...dtConsts('W', w, 'rmsnorm', vec),
    },
    params: { rows: 'u32', dim: 'u32', eps: 'f32', rps: 'u32', segs: 'u32' },
  };
}

/** Longest row the CPU-shaped backward takes (held in registers: 16 vec4 units, or 64 pairs). */
export const CPU_MAX_DIM = 128;
/** Most workgroups of the CPU-shaped backward (each writes one partial row of dw). */
const CPU_BWD_WORKGROUPS = 64;

interface CpuLayout {
  vec: boolean;
  units: number;
  lanes: number;
  /** Rows of at least `lanes` units: the lanes share a row (bwd_wide); else a row per lane (bwd). */
  wide: boolean;
}

/** The CPU-shaped backward's layout where it runs for this call: the device's (or the caller's)
 *  memory variant is 'cpu', the row is short enough, and a workgroup of cpuLanes invocations is one
 *  subgroup (lanes are added with subgroupAdd). */
function cpuLayout(gpu: Gpu, dim: number, opts: RmsNormOpts): CpuLayout | null {
  if (!memoryCpu(gpu, opts) || dim > CPU_MAX_DIM || !gpu.features.subgroups) return null;
  const info = gpu.adapterInfo as unknown as { subgroupMinSize?: number; subgroupMaxSize?: number };
  const lanes = gpu.cpuLanes;
  if (info.subgroupMinSize !== lanes || (info.subgroupMaxSize ?? lanes) !== lanes) return null;
  const vec = dim % 8 === 0;
  const units = Math.ceil(dim / (vec ? 8 : 2));
  return { vec, units, lanes, wide: units >= lanes };
}

function cpuKernel(x: Tensor, w: Tensor, c: CpuLayout): KernelDef {
  const e = c.wide ? 'bwd_wide' : 'bwd';
  return {
    name: `rmsnorm_${e}_cpu`,
    file: 'rmsnorm-cpu.wgsl',
    entry: e,
    consts: {
      VEC: c.vec,
      LANES: c.lanes,
      UNITS: c.units,
      PPT: Math.ceil(c.units / c.lanes),
      P_A: c.vec ? 'vec4<f32>' : 'f32',
      P_W: c.vec ? '' : '.x',
      ...dtConsts('X', x, 'rmsnorm', c.vec),
      ...dtConsts('W', w, 'rmsnorm', c.vec),
    },
    params: { rows: 'u32', dim: 'u32', eps: 'f32', rps: 'u32', segs: 'u32' },
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
export function rmsnormForward(gpu: Gpu, x: Tensor, w: Tensor, y: Tensor, rstd: Tensor, dims: RmsNormDims, opts: RmsNormOpts = {}): void {
  check('rmsnormForward', dims, [x, y], w, rstd);
  const L = layout(gpu, dims.dim, opts);
  const def = kernel('fwd', x, w, L);
  const { SEGS } = L;
  const rb = dims.dim * elemBytes(x);
  for (const s of rowSpans(gpu, dims.rows, [rb, 4], opts.maxBindingBytes)) {
    gpu.dispatch(def, {
      params: { rows: s.rows, dim: dims.dim, eps: dims.eps, rps: 1, segs: SEGS },
      bindings: [spanOf(x, s, rb), w, spanOf(rstd, s, 4), spanOf(y, s, rb)],
      workgroups: Math.ceil(s.rows / SEGS),
    });
  }
}

const dwReduce: KernelDef = { name: 'rmsnorm_dw_reduce', file: 'rmsnorm-dw.wgsl', params: { rows: 'u32', dim: 'u32' } };

/** The dW partial rows' scratch purpose (src/gpu/arena.ts; planned in src/model/scratch-plan.ts). */
export const RMSNORM_PARTIALS = 'rmsnorm.dw-partials';

/** Bytes of the dW partials rmsnormBackward asks of the arena for `rows` rows of `dim`, at most
 *  (any split of the rows into binding-sized spans): one f32 row per workgroup, and the
 *  backward's workgroups never exceed BWD_WORKGROUPS or one row per SEGS rows. */
export function rmsnormPartialBytes(rows: number, dim: number, maxBinding: number): number {
  const SEGS = 256 / threadsPerRow(dim);
  return 4 * dim * Math.min(Math.ceil(rows / SEGS), BWD_WORKGROUPS, Math.floor(maxBinding / (4 * dim)));
}

/** The backward's workgroups for `rows` rows (one span) and their rows each (rps); each workgroup
 *  writes one partial row of dw. */
function rmsnormBwdSplit(rows: number, dim: number, maxBinding: number, workgroups = BWD_WORKGROUPS): { nwg: number; rps: number } {
  const SEGS = 256 / threadsPerRow(dim);
  const maxPart = Math.floor(maxBinding / (4 * dim));
  let rps = Math.max(1, Math.ceil(rows / (SEGS * workgroups)));
  while (Math.ceil(rows / (SEGS * rps)) > maxPart) rps *= 2;
  return { nwg: Math.ceil(rows / (SEGS * rps)), rps };
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
  opts: RmsNormOpts = {},
): void {
  check('rmsnormBackward', dims, [dy, x, dx], w, rstd);
  if (dw.dtype !== 'f32' || dw.numel !== dims.dim) throw new Error(`rmsnormBackward: dw ${dw.describe()} must be f32 [${dims.dim}]`);
  const c = cpuLayout(gpu, dims.dim, opts);
  if (c) {
    const def = cpuKernel(x, w, c);
    const rb = dims.dim * elemBytes(x);
    for (const s of rowSpans(gpu, dims.rows, [rb, 4], opts.maxBindingBytes)) {
      // No more partial rows than the portable kernel would write (the scratch plan's bound).
      const bound = rmsnormBwdSplit(s.rows, dims.dim, opts.maxBindingBytes ?? gpu.maxBinding, opts.bwdWorkgroups).nwg;
      const perRps = c.wide ? 1 : c.lanes;
      const rps = Math.ceil(s.rows / (perRps * Math.min(bound, CPU_BWD_WORKGROUPS)));
      const nPart = Math.ceil(s.rows / (perRps * rps));
      const part = gpu.scratch.acquire(RMSNORM_PARTIALS, [nPart * dims.dim], 'f32');
      gpu.dispatch(def, {
        params: { rows: s.rows, dim: dims.dim, eps: dims.eps, rps, segs: 1 },
        bindings: [spanOf(x, s, rb), w, spanOf(rstd, s, 4), spanOf(dy, s, rb), spanOf(dx, s, rb), part],
        workgroups: nPart,
      });
      gpu.dispatch(dwReduce, { params: { rows: nPart, dim: dims.dim }, bindings: [part, dw], workgroups: Math.ceil(dims.dim / 32) });
    }
    return;
  }
  const L = layout(gpu, dims.dim, opts);
  const bwd = kernel('bwd', x, w, L);
  const { SEGS } = L;
  const rb = dims.dim * elemBytes(x);
  for (const s of rowSpans(gpu, dims.rows, [rb, 4], opts.maxBindingBytes)) {
    const { nwg, rps } = rmsnormBwdSplit(s.rows, dims.dim, opts.maxBindingBytes ?? gpu.maxBinding, opts.bwdWorkgroups);
    const nPart = nwg;
    const part = gpu.scratch.acquire(RMSNORM_PARTIALS, [nPart * dims.dim], 'f32');
    gpu.dispatch(bwd, {
      params: { rows: s.rows, dim: dims.dim, eps: dims.eps, rps, segs: SEGS },
      bindings: [spanOf(x, s, rb), w, spanOf(rstd, s, 4), spanOf(dy, s, rb), spanOf(dx, s, rb), part],
      workgroups: nwg,
    });
    gpu.dispatch(dwReduce, {
      params: { rows: nPart, dim: dims.dim },
      bindings: [part, dw],
      workgroups: Math.ceil(dims.dim / 32),
    });
  }
}
