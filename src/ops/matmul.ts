// Matrix products of a linear layer (W stored [out, in] as in nn.Linear):
//   linear               y  = x W^T        x [M,K], w [N,K] -> y [M,N]
//   linearBackwardInput  dx = dy W         dy [M,N], w [N,K] -> dx [M,K]
//   linearBackwardWeight dw (+)= dy^T x    dy [M,N], x [M,K] -> dw [N,K]
// Inputs bf16 or f32, outputs bf16 or f32, accumulation always f32. Leading dimensions may be
// folded (x [B,T,K] is [B*T,K]). Tensors over one storage binding are split into row chunks.
// Three kernels: a portable tiled one (kernels/matmul.wgsl, runs everywhere), a tensor-core one on
// subgroup matrices (matmul-sgmat.ts), which 'auto' only uses after checkMatmulPaths
// (matmul-check.ts) has compared it against the portable kernel on this device, and a CPU-shaped
// one (matmul-cpu.ts) for CPU adapters (lavapipe). 'auto' picks among them in one place:
// selectGemmPath. The unmeasured tensor-core v2 (src/ops/experimental) is reached through
// variant-registry.ts.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { cast } from './cast.js';
import { dispatchGemmChunks, GEMM_PARAMS, lastDim, planGemm, type GemmDesc } from './matmul-plan.js';
import { sgmatState, sgmatGemm } from './matmul-sgmat.js';
import { gemmVariant, type ExperimentalGemm, type Sgmat2Options } from './variant-registry.js';
import { cpuGemm, type CpuTile } from './matmul-cpu.js';
import { variantFor } from '../gpu/variants.js';

/** The GEMM kernel variants ('auto' chooses one per GEMM: selectGemmPath). */
export type GemmPath = 'portable' | 'subgroup-matrix' | 'cpu';

export interface MatmulOpts {
  /** out += product instead of out = product (out must be f32). */
  accumulate?: boolean;
  /** Cap on one storage binding, for tests of the chunked path (default: the device's). */
  maxBindingBytes?: number;
  /** 'auto': selectGemmPath's choice for this device; or force one variant (tests, benchmarks). */
  path?: 'auto' | GemmPath;
  /** CPU kernel's shape (default by shape and alignment: matmul-cpu.ts cpuTile). */
  cpuTile?: Partial<CpuTile>;
  /** Portable kernel's workgroup tile (64: 4x4 per thread, 128: 8x8); default by size and device. */
  tile?: 64 | 128;
  /** Portable kernel: bake layout/dtypes into the pipeline (default on hardware) or read them from
   *  a uniform (default on software Vulkan, where each pipeline costs seconds to compile). */
  specialize?: boolean;
  /** Tensor-core kernel: 'v1' (kernels/matmul-sgmat.wgsl, measured) or 'v2' (experimental, once
   *  src/ops/experimental is loaded: vec4 staging, unchecked interior tiles, double buffering).
   *  'auto' honours 'v2' only where its check verified it, else it runs v1. Default 'v1'. */
  sgmatVariant?: 'v1' | ExperimentalGemm;
  /** v2's tuning knobs (and its test-only `emulate`, which runs without subgroup matrices). */
  sgmat2?: Sgmat2Options;
}

/** The f32 sum of a bf16 output split along K (a K operand over one binding): its arena purpose. */
export const MATMUL_F32ACC = 'matmul.f32acc';

const TILES = {
  64: { BM: 64, BN: 64, BK: 16, TM: 4, TN: 4 },
  128: { BM: 128, BN: 128, BK: 16, TM: 8, TN: 8 },
} as const;

function rowsOf(t: Tensor): number {
  return t.numel / lastDim(t);
}

function checkDtypes(op: string, ins: Tensor[], out: Tensor, opts: MatmulOpts): void {
  for (const t of [...ins, out]) {
    if (t.shape.length < 2) throw new Error(`${op}: ${t.describe()} must be a matrix (rank >= 2)`);
    if (t.dtype !== 'bf16' && t.dtype !== 'f32') throw new Error(`${op}: ${t.describe()} must be bf16 or f32`);
  }
  if (opts.accumulate && out.dtype !== 'f32') throw new Error(`${op}: accumulate needs an f32 output, got ${out.describe()}`);
}

function shapeError(op: string, what: string, ts: Tensor[]): Error {
  return new Error(`${op}: ${what} (${ts.map((t) => t.describe()).join(', ')})`);
}

/** y[M,N] = x[M,K] w[N,K]^T (or y += with accumulate). */
export function linear(gpu: Gpu, x: Tensor, w: Tensor, y: Tensor, opts: MatmulOpts = {}): void {
  const op = 'linear';
  checkDtypes(op, [x, w], y, opts);
  const M = rowsOf(x), K = lastDim(x), N = rowsOf(w);
  if (lastDim(w) !== K) throw shapeError(op, `w must be [N, K=${K}]`, [x, w]);
  if (rowsOf(y) !== M || lastDim(y) !== N) throw shapeError(op, `y must be [M=${M}, N=${N}]`, [x, w, y]);
  gemm(gpu, { op, a: { t: x, rows: 'r', cols: 'k' }, b: { t: w, rows: 'c', cols: 'k' }, c: { t: y, rows: 'r', cols: 'c' }, R: M, C: N, K }, opts);
}

/** dx[M,K] = dy[M,N] w[N,K] (or dx += with accumulate). */
export function linearBackwardInput(gpu: Gpu, dy: Tensor, w: Tensor, dx: Tensor, opts: MatmulOpts = {}): void {
  const op = 'linearBackwardInput';
  checkDtypes(op, [dy, w], dx, opts);
  const M = rowsOf(dy), N = lastDim(dy), K = lastDim(w);
  if (rowsOf(w) !== N) throw shapeError(op, `w must be [N=${N}, K]`, [dy, w]);
  if (rowsOf(dx) !== M || lastDim(dx) !== K) throw shapeError(op, `dx must be [M=${M}, K=${K}]`, [dy, w, dx]);
  gemm(gpu, { op, a: { t: dy, rows: 'r', cols: 'k' }, b: { t: w, rows: 'k', cols: 'c' }, c: { t: dx, rows: 'r', cols: 'c' }, R: M, C: K, K: N }, opts);
}

/** dw[N,K] = dy[M,N]^T x[M,K] (or dw += with accumulate: gradient accumulation over micro-batches). */
export function linearBackwardWeight(gpu: Gpu, dy: Tensor, x: Tensor, dw: Tensor, opts: MatmulOpts = {}): void {
  const op = 'linearBackwardWeight';
  checkDtypes(op, [dy, x], dw, opts);
  const M = rowsOf(dy), N = lastDim(dy), K = lastDim(x);
  if (rowsOf(x) !== M) throw shapeError(op, `x must be [M=${M}, K]`, [dy, x]);
  if (rowsOf(dw) !== N || lastDim(dw) !== K) throw shapeError(op, `dw must be [N=${N}, K=${K}]`, [dy, x, dw]);
  gemm(gpu, { op, a: { t: dy, rows: 'k', cols: 'r' }, b: { t: x, rows: 'k', cols: 'c' }, c: { t: dw, rows: 'r', cols: 'c' }, R: N, C: K, K: M }, opts);
}

/** The variant 'auto' runs for a GEMM on this device: the device's choice in variants.ts (tuned,
 *  overridden, or the fixed rule: the CPU-shaped kernel on a CPU adapter such as lavapipe, else
 *  subgroup matrices), where 'subgroup-matrix' runs only where checkMatmulPaths verified it and
 *  both inputs are bf16, else the portable kernel. */
export function selectGemmPath(gpu: Gpu, g: GemmDesc): GemmPath {
  const v = variantFor(gpu, 'gemm');
  if (v !== 'subgroup-matrix') return v;
  const bf16In = g.a.t.dtype === 'bf16' && g.b.t.dtype === 'bf16';
  return bf16In && sgmatState(gpu) === 'ok' ? 'subgroup-matrix' : 'portable';
}

function choosePath(gpu: Gpu, g: GemmDesc, opts: MatmulOpts): GemmPath {
  const want = opts.path ?? 'auto';
  if (want === 'subgroup-matrix') {
    if (opts.sgmat2?.emulate && opts.sgmatVariant === 'v2' && gpu.features.f16) return 'subgroup-matrix';
    if (!gpu.features.subgroupMatrix || !gpu.features.f16) throw new Error(`${g.op}: path 'subgroup-matrix' requested but the device has no f16 subgroup matrices`);
    return 'subgroup-matrix';
  }
  return want === 'auto' ? selectGemmPath(gpu, g) : want;
}

function gemm(gpu: Gpu, g: GemmDesc, opts: MatmulOpts): void {
  if (g.R === 0 || g.C === 0) return;
  const cap = Math.min(opts.maxBindingBytes ?? gpu.maxBinding, gpu.maxBinding);
  if (g.K === 0) {
    if (!opts.accumulate) gpu.zero(g.c.t);
    return;
  }
  const path = choosePath(gpu, g, opts);
  const quantum = 128;
  const chunks = planGemm(gpu, g, cap, quantum);
  // A bf16 output cannot accumulate partial sums over K chunks: sum them in f32 (arena scratch),
  // then round once.
  if (g.c.t.dtype === 'bf16' && chunks.some((ch) => ch.kIndex > 0)) {
    const tmp = gpu.scratch.acquire(MATMUL_F32ACC, g.c.t.shape, 'f32');
    gemm(gpu, { ...g, c: { ...g.c, t: tmp } }, { ...opts, accumulate: false });
    cast(gpu, tmp, g.c.t);
    return;
  }
  if (path === 'subgroup-matrix') {
    // A forced path must run the variant asked for; 'auto' runs v2 only where it was verified.
    const forced = opts.path === 'subgroup-matrix';
    const alt = opts.sgmatVariant && opts.sgmatVariant !== 'v1' ? gemmVariant(opts.sgmatVariant, forced ? g.op : undefined) : undefined;
    if (alt && (forced || alt.verified(gpu))) alt.gemm(gpu, g, chunks, !!opts.accumulate, cap, opts.sgmat2);
    else sgmatGemm(gpu, g, chunks, !!opts.accumulate, cap);
    return;
  }
  if (path === 'cpu') {
    cpuGemm(gpu, g, chunks, !!opts.accumulate, opts.cpuTile);
    return;
  }
  const tile = TILES[opts.tile ?? defaultTile(gpu, g)];
  const bits = [g.a.rows === 'k', g.b.rows === 'k', g.a.t.dtype === 'bf16', g.b.t.dtype === 'bf16', g.c.t.dtype === 'bf16'];
  const flags = bits.reduce((f, b, i) => f | (b ? 1 << i : 0), 0);
  const specialize = opts.specialize ?? !gpu.isSoftware;
  const flag = (i: number): string => (specialize ? String(bits[i]) : `((p.flags & ${1 << i}u) != 0u)`);
  const def: KernelDef = {
    name: `matmul_${g.op}`,
    file: 'matmul.wgsl',
    consts: { ...tile, ...portableCode(tile), A_KR: flag(0), B_KC: flag(1), A_BF16: flag(2), B_BF16: flag(3), C_BF16: flag(4) },
    params: { ...GEMM_PARAMS, flags: 'u32' },
  };
  dispatchGemmChunks(gpu, g, def, chunks, tile, !!opts.accumulate, { params: { flags } });
}

type Tile = (typeof TILES)[keyof typeof TILES];
const codeCache = new Map<Tile, Record<string, string>>();

/** The per-thread parts of kernels/matmul.wgsl, unrolled into named variables (registers): the
 *  staged loads (LA/LB per thread), the TM x TN accumulators as vec4 rows, one k of the product,
 *  and the write-out. */
function portableCode(t: Tile): Record<string, string> {
  let c = codeCache.get(t);
  if (c) return c;
  const threads = (t.BM / t.TM) * (t.BN / t.TN);
  const LA = (t.BM * t.BK) / threads, LB = (t.BN * t.BK) / threads;
  const decl: string[] = [], pre: string[] = [], stage: string[] = [], inner: string[] = [], write: string[] = [];
  for (let j = 0; j < LA; j++) {
    decl.push(`  let qa${j} = a_coord(${j}u, tid);`, `  var ra${j} = 0.0;`);
    pre.push(`    ra${j} = fetch_a(r0 + qa${j}.x, kb + qa${j}.y);`);
    stage.push(`    { let s = qa${j}.y * BM + qa${j}.x; As[s / 4u][s % 4u] = ra${j}; }`);
  }
  for (let j = 0; j < LB; j++) {
    decl.push(`  let qb${j} = b_coord(${j}u, tid);`, `  var rb${j} = 0.0;`);
    pre.push(`    rb${j} = fetch_b(c0 + qb${j}.x, kb + qb${j}.y);`);
    stage.push(`    { let s = qb${j}.y * BN + qb${j}.x; Bs[s / 4u][s % 4u] = rb${j}; }`);
  }
  for (let q = 0; q < t.TM / 4; q++) inner.push(`      let a${q} = As[(kk * BM + ty * TM) / 4u + ${q}u];`);
  for (let q = 0; q < t.TN / 4; q++) inner.push(`      let b${q} = Bs[(kk * BN + tx * TN) / 4u + ${q}u];`);
  for (let i = 0; i < t.TM; i++) {
    for (let q = 0; q < t.TN / 4; q++) {
      decl.push(`  var acc${i}_${q} = vec4<f32>();`);
      inner.push(`      acc${i}_${q} = fma(vec4<f32>(a${i >> 2}.${'xyzw'[i & 3]}), b${q}, acc${i}_${q});`);
      const r = `r0 + ty * TM + ${i}u`, col = `c0 + tx * TN + ${4 * q}u`;
      write.push(`  write2(${r}, ${col}, acc${i}_${q}.x, acc${i}_${q}.y);`, `  write2(${r}, ${col} + 2u, acc${i}_${q}.z, acc${i}_${q}.w);`);
    }
  }
  c = { DECL: decl.join('\n'), PREFETCH: pre.join('\n'), STAGE: stage.join('\n'), INNER: inner.join('\n'), WRITE: write.join('\n') };
  codeCache.set(t, c);
  return c;
}

/** 128x128 tiles where there are enough of them to fill a big GPU, 64x64 otherwise (and on CPU). */
function defaultTile(gpu: Gpu, g: GemmDesc): 64 | 128 {
  if (gpu.isSoftware) return 64;
  return Math.ceil(g.R / 128) * Math.ceil(g.C / 128) >= 264 ? 128 : 64;
}
