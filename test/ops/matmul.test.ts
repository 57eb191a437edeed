// GEMM in the three linear-layer layouts vs the float64 reference, on odd / non-tile sizes, bf16 and
// f32 in/out, accumulate mode and the chunked path (tiny binding cap); the portable kernel and the
// CPU-shaped one (src/ops/matmul-cpu.ts), both forced by `path` so that either runs on any device.
// Tolerance per element: |got - want| <= rtol*|want| + 1e-5 * sum_k |a||b| (f32 accumulation
// error is relative to the sum of magnitudes, not to the possibly cancelled result); rtol = 1e-2
// for bf16 outputs (one bf16 rounding is <= 2^-8 relative), 0 for f32 outputs.
import { describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '../../src/gpu/gpu.js';
import type { DType, Tensor } from '../../src/gpu/tensor.js';
import { linear, linearBackwardInput, linearBackwardWeight, selectGemmPath, type MatmulOpts } from '../../src/ops/matmul.js';
import { checkMatmulPaths } from '../../src/ops/matmul-check.js';
import { matmulAB, matmulABt, matmulAtB } from '../../src/ops/ref/index.js';
import { randn } from '../gpu/util.js';

type Layout = 'xwT' | 'dyW' | 'dyTx';

interface Case {
  layout: Layout;
  M: number;
  N: number;
  K: number;
  inT: DType;
  outT: DType;
  opts?: MatmulOpts;
  /** Fold the M rows of the M-major tensors into [2, M/2, .]. */
  fold?: boolean;
}

const abs = (v: Float64Array): Float64Array => v.map(Math.abs);

async function runCase(gpu: Gpu, c: Case, seed: number): Promise<void> {
  const { M, N, K, inT, outT } = c;
  const bf = inT === 'bf16';
  const shapeM = (cols: number): number[] => (c.fold ? [2, M / 2, cols] : [M, cols]);
  // Inputs: x [M,K], w [N,K], dy [M,N]; output shape by layout.
  const x = randn(M * K, seed, 1, bf);
  const w = randn(N * K, seed + 1, 1, bf);
  const dy = randn(M * N, seed + 2, 1, bf);
  let want: Float64Array, mag: Float64Array, outShape: number[];
  let run: (o: Tensor) => void;
  if (c.layout === 'xwT') {
    outShape = shapeM(N);
    want = matmulABt(x, w, M, K, N);
    mag = matmulABt(abs(x), abs(w), M, K, N);
    const tx = gpu.upload(x, shapeM(K), inT, 'x'), tw = gpu.upload(w, [N, K], inT, 'w');
    run = (o) => linear(gpu, tx, tw, o, c.opts);
  } else if (c.layout === 'dyW') {
    outShape = shapeM(K);
    want = matmulAB(dy, w, M, N, K);
    mag = matmulAB(abs(dy), abs(w), M, N, K);
    const tdy = gpu.upload(dy, shapeM(N), inT, 'dy'), tw = gpu.upload(w, [N, K], inT, 'w');
    run = (o) => linearBackwardInput(gpu, tdy, tw, o, c.opts);
  } else {
    outShape = [N, K];
    want = matmulAtB(dy, x, M, N, K);
    mag = matmulAtB(abs(dy), abs(x), M, N, K);
    const tdy = gpu.upload(dy, shapeM(N), inT, 'dy'), tx = gpu.upload(x, shapeM(K), inT, 'x');
    run = (o) => linearBackwardWeight(gpu, tdy, tx, o, c.opts);
  }
  const init = c.opts?.accumulate ? randn(want.length, seed + 3, 1) : null;
  const out = init ? gpu.upload(init, outShape, outT, 'out') : gpu.empty(outShape, outT, 'out');
  run(out);
  const got = await gpu.readF32(out);
  const rtol = outT === 'bf16' ? 1e-2 : 0;
  let worst = { r: 0, i: -1 };
  for (let i = 0; i < want.length; i++) {
    const w0 = want[i] + (init ? init[i] : 0);
    const r = Math.abs(got[i] - w0) / (rtol * Math.abs(w0) + 1e-5 * (mag[i] + (init ? Math.abs(init[i]) : 0)) + 1e-30);
    if (!(r <= worst.r)) worst = { r: Number.isNaN(r) ? Infinity : r, i };
  }
  if (worst.r > 1) {
    const i = worst.i;
    throw new Error(`${c.layout} M=${M} N=${N} K=${K} ${inT}->${outT}: mismatch at [${i}] got ${got[i]} want ${want[i] + (init ? init[i] : 0)} (ratio ${worst.r.toFixed(2)})`);
  }
}

const layouts: Layout[] = ['xwT', 'dyW', 'dyTx'];
/** MATMUL_SLOW=1 adds the cases whose pipelines take lavapipe tens of seconds to compile. */
const SLOW = process.env.MATMUL_SLOW === '1';

describe('matmul (portable path) vs float64 reference', () => {
  const cases: Case[] = [];
  for (const layout of layouts) {
    cases.push({ layout, M: 37, N: 70, K: 98, inT: 'bf16', outT: 'bf16' });
    cases.push({ layout, M: 37, N: 70, K: 98, inT: 'bf16', outT: 'f32' });
    cases.push({ layout, M: 33, N: 35, K: 47, inT: 'f32', outT: 'f32' });
    cases.push({ layout, M: 21, N: 40, K: 30, inT: 'bf16', outT: 'f32', opts: { accumulate: true } });
    // 128x128 tiles (8x8 per thread, what big GPUs run): lavapipe takes ~20-60 s to compile it.
    if (SLOW) cases.push({ layout, M: 130, N: 132, K: 200, inT: 'bf16', outT: 'f32', opts: { tile: 128 } });
    // Binding cap of 4 KiB: every operand is split into row chunks (and K chunks where the
    // reduction runs along stored rows; with a bf16 output those go through an f32 buffer).
    cases.push({ layout, M: 45, N: 66, K: 82, inT: 'bf16', outT: 'bf16', opts: { maxBindingBytes: 4096 } });
    cases.push({ layout, M: 45, N: 66, K: 82, inT: 'f32', outT: 'f32', opts: { maxBindingBytes: 4096, accumulate: true } });
  }
  cases.push({ layout: 'xwT', M: 10, N: 6, K: 4, inT: 'bf16', outT: 'bf16', fold: true });
  // The pipeline with layout and dtypes baked in as constants (what real GPUs run; slow to compile
  // on lavapipe). On a GPU, checkMatmulPaths also exercises it against the subgroup-matrix kernel.
  if (SLOW) cases.push({ layout: 'dyTx', M: 37, N: 70, K: 98, inT: 'bf16', outT: 'bf16', opts: { specialize: true } });
  cases.push({ layout: 'dyTx', M: 12, N: 6, K: 4, inT: 'f32', outT: 'f32', fold: true });
  cases.forEach((c, i) => {
    const tag = `${c.layout} M=${c.M} N=${c.N} K=${c.K} ${c.inT}->${c.outT}${c.opts ? ' ' + JSON.stringify(c.opts) : ''}${c.fold ? ' folded' : ''}`;
    it(tag, async () => {
      const gpu = await getGpu();
      await runCase(gpu, { ...c, opts: { path: 'portable', ...c.opts } }, 100 + i * 7);
    });
  });

  it('auto picks a path without subgroup matrices where they are absent (portable, or CPU-shaped on a CPU)', async () => {
    const gpu = await getGpu();
    await runCase(gpu, { layout: 'xwT', M: 9, N: 10, K: 12, inT: 'bf16', outT: 'bf16' }, 5);
  });

  it('rejects bad shapes and dtypes with the tensors named', async () => {
    const gpu = await getGpu();
    const x = gpu.empty([4, 6], 'bf16', 'x'), w = gpu.empty([8, 4], 'bf16', 'w'), y = gpu.empty([4, 8], 'bf16', 'y');
    expect(() => linear(gpu, x, w, y)).toThrow(/linear: w must be \[N, K=6\].*x\[4x6\] bf16.*w\[8x4\] bf16/);
    const w2 = gpu.empty([8, 6], 'bf16', 'w');
    expect(() => linear(gpu, x, w2, y, { accumulate: true })).toThrow(/accumulate needs an f32 output.*y\[4x8\]/);
    const yi = gpu.empty([4, 8], 'i32', 'yi');
    expect(() => linear(gpu, x, w2, yi)).toThrow(/yi\[4x8\] i32 must be bf16 or f32/);
  });
});

describe('checkMatmulPaths', () => {
  it('reports subgroup matrices unavailable without the feature (lavapipe)', async () => {
    const gpu = await getGpu();
    const r = await checkMatmulPaths(gpu);
    if (gpu.features.subgroupMatrix) {
      expect(['ok', 'rejected']).toContain(r.subgroupMatrix);
    } else {
      expect(r.subgroupMatrix).toBe('unavailable');
      const x = gpu.empty([2, 2], 'bf16'), y = gpu.empty([2, 2], 'f32');
      expect(() => linear(gpu, x, x, y, { path: 'subgroup-matrix' })).toThrow(/no f16 subgroup matrices/);
    }
    expect(r.detail.length).toBeGreaterThan(0);
  });
});

describe('matmul (CPU-shaped path) vs float64 reference', () => {
  // Each distinct layout / dtype / tile is a pipeline, and the default 16-row tile costs ~10 s of
  // cold LLVM compile on lavapipe: the default shape runs once per layout, the odd sizes run on
  // 8-row tiles (A shared by subgroupBroadcast too) or 4-row ones (every lane loads A).
  const T8: MatmulOpts = { cpuTile: { TM: 8 } }, T4: MatmulOpts = { cpuTile: { TM: 4 } };
  const cases: Case[] = [];
  for (const layout of layouts) {
    cases.push({ layout, M: 129, N: 70, K: 64, inT: 'bf16', outT: 'f32' }); // the default tile (16 x 4, shared A)
    // Decode-like row counts (one row block of all rows), K of 64 (vector loads).
    for (const M of [1, 3, 7]) cases.push({ layout, M, N: 70, K: 64, inT: 'bf16', outT: 'f32' });
    cases.push({ layout, M: 37, N: 70, K: 80, inT: 'bf16', outT: 'bf16', opts: T8 });
    cases.push({ layout, M: 37, N: 70, K: 98, inT: 'bf16', outT: 'f32', opts: T8 }); // K % 8 != 0: the tail loop
    cases.push({ layout, M: 33, N: 35, K: 47, inT: 'f32', outT: 'f32', opts: T4 });
    cases.push({ layout, M: 21, N: 40, K: 30, inT: 'bf16', outT: 'f32', opts: { ...T8, accumulate: true } });
    cases.push({ layout, M: 45, N: 66, K: 82, inT: 'bf16', outT: 'bf16', opts: { ...T4, maxBindingBytes: 4096 } });
    cases.push({ layout, M: 45, N: 66, K: 82, inT: 'f32', outT: 'f32', opts: { ...T8, maxBindingBytes: 4096, accumulate: true } });
    // The swapped form (C^T = B^T A^T); scalar loads on a 2 x 2 tile.
    cases.push({ layout, M: 19, N: 24, K: 40, inT: 'bf16', outT: 'bf16', opts: { cpuTile: { TM: 4, swap: true } } });
    cases.push({ layout, M: 19, N: 24, K: 40, inT: 'bf16', outT: 'f32', opts: { cpuTile: { AW: 1, BW: 1, TM: 2, TN: 2 }, accumulate: true } });
  }
  // Whole rows of C as vector stores (columns a multiple of 4), bf16 pairs and f32 accumulation.
  cases.push({ layout: 'xwT', M: 37, N: 72, K: 64, inT: 'bf16', outT: 'bf16', opts: T8 });
  cases.push({ layout: 'dyTx', M: 20, N: 24, K: 32, inT: 'bf16', outT: 'f32', opts: { ...T8, accumulate: true } });
  cases.push({ layout: 'xwT', M: 5, N: 151, K: 64, inT: 'bf16', outT: 'f32' }); // N odd (rows of w)
  cases.push({ layout: 'dyTx', M: 13, N: 20, K: 64, inT: 'bf16', outT: 'f32', opts: T8 }); // the reduction (M) odd
  cases.push({ layout: 'dyW', M: 9, N: 13, K: 20, inT: 'f32', outT: 'f32', opts: T4 }); // the reduction (N) odd
  cases.push({ layout: 'xwT', M: 10, N: 6, K: 4, inT: 'bf16', outT: 'bf16', fold: true, opts: T4 });
  cases.forEach((c, i) => {
    const tag = `${c.layout} M=${c.M} N=${c.N} K=${c.K} ${c.inT}->${c.outT}${c.opts ? ' ' + JSON.stringify(c.opts) : ''}${c.fold ? ' folded' : ''}`;
    it(tag, async () => {
      const gpu = await getGpu();
      await runCase(gpu, { ...c, opts: { path: 'cpu', ...c.opts } }, 500 + i * 7);
    });
  });

  it('auto selects the CPU path on a CPU adapter (and only there)', async () => {
    const gpu = await getGpu();
    const x = gpu.empty([3, 8], 'bf16', 'x'), w = gpu.empty([4, 8], 'bf16', 'w'), y = gpu.empty([3, 4], 'f32', 'y');
    const g = { op: 'linear', a: { t: x, rows: 'r', cols: 'k' }, b: { t: w, rows: 'c', cols: 'k' }, c: { t: y, rows: 'r', cols: 'c' }, R: 3, C: 4, K: 8 } as const;
    const want = gpu.isCpu ? 'cpu' : 'portable';
    if (!(gpu.features.subgroupMatrix && !gpu.isCpu)) expect(selectGemmPath(gpu, g)).toBe(want);
    if (/llvmpipe|lavapipe/i.test(gpu.describe())) expect(gpu.isCpu).toBe(true);
    // The kernel that actually runs, by name.
    gpu.startProfile();
    linear(gpu, x, w, y);
    const keys = (await gpu.stopProfile()).map((r) => r.key);
    if (gpu.isCpu) expect(keys.some((k) => k.startsWith('matmul_cpu_linear'))).toBe(true);
    else expect(keys.some((k) => k.startsWith('matmul_cpu'))).toBe(false);
  });
});
