import { describe, it, expect } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import type { DType } from '../../src/gpu/tensor.js';
import { rmsnormBackward, rmsnormForward, type RmsNormOpts } from '../../src/ops/rmsnorm.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose, randn, roundBf16 } from '../gpu/util.js';

// Tolerances: bf16 outputs are compared within ~2 bf16 ulps (rtol 1e-2) plus a small atol for
// values near zero; f32 outputs within 1e-5. dw (f32, summed over rows) within 1e-3 relative.
const TOL: Record<string, [number, number]> = { bf16: [2e-3, 1e-2], f32: [1e-5, 1e-5] };

async function check(rows: number, dim: number, dtype: DType, seed: number, opts: RmsNormOpts = {}): Promise<void> {
  const gpu = await getGpu();
  const bf = dtype === 'bf16';
  const eps = 1e-6;
  const x = randn(rows * dim, seed, 2, bf);
  const w = randn(dim, seed + 1, 0.5).map((v) => roundBf16(v + 1)); // bf16 weight
  const dy = randn(rows * dim, seed + 2, 1, bf);
  const dw0 = randn(dim, seed + 3, 1, false);
  const xt = gpu.upload(Float32Array.from(x), [rows, dim], dtype, 'x');
  const wt = gpu.upload(Float32Array.from(w), [dim], 'bf16', 'w');
  const yt = gpu.empty([rows, dim], dtype, 'y');
  const rt = gpu.empty([rows], 'f32', 'rstd');
  const dyt = gpu.upload(Float32Array.from(dy), [rows, dim], dtype, 'dy');
  const dxt = gpu.empty([rows, dim], dtype, 'dx');
  const dwt = gpu.upload(Float32Array.from(dw0), [dim], 'f32', 'dw');
  const dims = { rows, dim, eps };
  rmsnormForward(gpu, xt, wt, yt, rt, dims, opts);
  rmsnormBackward(gpu, dyt, xt, wt, rt, dxt, dwt, dims, opts);

  // HF: the normalised value is rounded to the input dtype before the weight multiply.
  const ones = new Float64Array(dim).fill(1);
  const n = ref.rmsnormForward(x, ones, rows, dim, eps);
  const want = n.out.map((v, i) => (bf ? roundBf16(roundBf16(v) * w[i % dim]) : v * w[i % dim]));
  const [atol, rtol] = TOL[dtype];
  expectClose(await gpu.readF32(yt), want, atol, rtol, `rmsnorm y ${rows}x${dim} ${dtype}`);
  expectClose(await gpu.readF32(rt), n.rstd, 0, 1e-5, 'rmsnorm rstd');
  const g = ref.rmsnormBackward(dy, x, w, rows, dim, eps);
  // dx has cancellation between its two terms: atol scales with the typical gradient size.
  expectClose(await gpu.readF32(dxt), g.dx, bf ? 1e-2 : 1e-5, rtol, `rmsnorm dx ${rows}x${dim} ${dtype}`);
  const dw1 = await gpu.readF32(dwt);
  expectClose(dw1, g.dw.map((v, i) => v + dw0[i]), 1e-3, 1e-4, `rmsnorm dw ${rows}x${dim} ${dtype}`);
  // Deterministic: a second backward adds exactly the same dw contribution (rounding aside, the
  // bits of dw after two runs from the same start must repeat across two fresh starts).
  gpu.write(dwt, Float32Array.from(dw0));
  rmsnormBackward(gpu, dyt, xt, wt, rt, dxt, dwt, dims, opts);
  expect(Buffer.from((await gpu.readF32(dwt)).buffer).equals(Buffer.from(dw1.buffer))).toBe(true);
}

describe('rmsnorm forward/backward vs float64 reference', () => {
  it('bf16 rows=37 dim=70', () => check(37, 70, 'bf16', 1));
  it('bf16 rows=37 dim=96', () => check(37, 96, 'bf16', 2));
  it('f32 rows=37 dim=69 (odd)', () => check(37, 69, 'f32', 3));
  it('bf16 rows=9 dim=5120 (hidden)', () => check(9, 5120, 'bf16', 4));
  it('bf16 rows=37*5 dim=128 (per-head q/k norm)', () => check(37 * 5, 128, 'bf16', 5));
  it('bf16 rows=37*3 dim=16', () => check(37 * 3, 16, 'bf16', 6));
  it('bf16 rows=1100 dim=128, chunked under a 20 kB binding', () => check(1100, 128, 'bf16', 7, { maxBindingBytes: 20000 }));
  // Layouts: 32 threads per row (whole subgroups combined through workgroup memory where
  // subgroups are 8 wide, lavapipe), f32 vectorised rows, many rows per backward workgroup.
  it('f32 rows=37 dim=640', () => check(37, 640, 'f32', 8));
  it('bf16 rows=1100 dim=128, 3 backward workgroups (many rows each, ragged last)', () => check(1100, 128, 'bf16', 10, { bwdWorkgroups: 3 }));
  it('bf16 rows=300 dim=5120, 2 backward workgroups', () => check(300, 5120, 'bf16', 11, { bwdWorkgroups: 2 }));
  // The workgroup-memory fallback used where the device has no subgroups.
  for (const [rows, dim, dtype] of [[37, 70, 'bf16'], [37, 640, 'bf16']] as [number, number, DType][]) {
    it(`without subgroups: ${dtype} rows=${rows} dim=${dim}`, () => check(rows, dim, dtype, 20 + dim, { subgroups: false, bwdWorkgroups: 4 }));
  }
  it('rejects a weight of the wrong size', async () => {
    const gpu = await getGpu();
    const x = gpu.empty([4, 8], 'bf16', 'x');
    expect(() => rmsnormForward(gpu, x, gpu.empty([6], 'bf16', 'w'), gpu.empty([4, 8], 'bf16'), gpu.empty([4], 'f32'), { rows: 4, dim: 8, eps: 1e-6 })).toThrow(/weight w\[6\]/);
  });
});
