import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import type { DType } from '../../src/gpu/tensor.js';
import { swigluBackward, swigluForward } from '../../src/ops/swiglu.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose, randn } from '../gpu/util.js';

// bf16: one rounding of an f32 result, within rtol 1e-2 (2 ulps) + atol 1e-3; f32: 1e-5.
const TOL: Record<string, [number, number]> = { bf16: [1e-3, 1e-2], f32: [1e-5, 1e-5] };

async function check(rows: number, cols: number, dtype: DType, seed: number, maxBindingBytes?: number): Promise<void> {
  const gpu = await getGpu();
  const n = rows * cols;
  const bf = dtype === 'bf16';
  const g = randn(n, seed, 6, bf); // gate spans the curved part of silu and both tails
  const u = randn(n, seed + 1, 2, bf);
  const d = randn(n, seed + 2, 1, bf);
  const up = (v: Float64Array, l: string) => gpu.upload(Float32Array.from(v), [rows, cols], dtype, l);
  const [gt, ut, dt] = [up(g, 'gate'), up(u, 'up'), up(d, 'dOut')];
  const [out, dg, du] = ['out', 'dGate', 'dUp'].map((l) => gpu.empty([rows, cols], dtype, l));
  swigluForward(gpu, gt, ut, out, { maxBindingBytes });
  swigluBackward(gpu, dt, gt, ut, dg, du, { maxBindingBytes });
  const [atol, rtol] = TOL[dtype];
  const what = `swiglu ${rows}x${cols} ${dtype}`;
  expectClose(await gpu.readF32(out), ref.swigluForward(g, u), atol, rtol, `${what} out`);
  const r = ref.swigluBackward(d, g, u);
  expectClose(await gpu.readF32(dg), r.dg, atol, rtol, `${what} dGate`);
  expectClose(await gpu.readF32(du), r.du, atol, rtol, `${what} dUp`);
}

describe('swiglu forward/backward vs float64 reference', () => {
  it('bf16 37x70', () => check(37, 70, 'bf16', 1));
  it('f32 37x69 (odd count)', () => check(37, 69, 'f32', 2));
  it('bf16 3x17408 (Qwen3-14B intermediate)', () => check(3, 17408, 'bf16', 3));
  it('bf16 37x96 chunked under a 1 kB binding', () => check(37, 96, 'bf16', 4, 1024));
  it('names mismatched tensors', async () => {
    const gpu = await getGpu();
    const a = gpu.empty([4, 8], 'bf16', 'gate');
    expect(() => swigluForward(gpu, a, gpu.empty([4, 6], 'bf16', 'up'), gpu.empty([4, 8], 'bf16'))).toThrow(/up\[4x6\]/);
  });
});
