import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import type { DType } from '../../src/gpu/tensor.js';
import { ropeBackward, ropeForward } from '../../src/ops/rope.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose, randn } from '../gpu/util.js';

// bf16 outputs: within ~2 bf16 ulps (rtol 1e-2, atol 2e-3). f32 outputs: the GPU's angle is the f32
// product pos * inv_freq (as in HF) while the reference works in float64: at positions below 40 the
// angle differs by <= ~4e-6 rad, hence atol 2e-5. At positions near 4e4 the f32 angle itself is off
// by up to half an ulp (~2e-3 rad, as in HF), so |x| <= 2 gives atol 8e-3 there.
const TOL: Record<string, [number, number]> = { bf16: [2e-3, 1e-2], f32: [2e-5, 1e-5] };

async function check(positions: number[], heads: number, headDim: number, dtype: DType, seed: number, maxBindingBytes?: number, tol = TOL[dtype]): Promise<void> {
  const gpu = await getGpu();
  const T = positions.length;
  const theta = 1e6;
  const bf = dtype === 'bf16';
  const x = randn(T * heads * headDim, seed, 2, bf);
  const dy = randn(T * heads * headDim, seed + 1, 1, bf);
  const pos = gpu.upload(positions, [T], 'u32', 'positions');
  const xt = gpu.upload(Float32Array.from(x), [T, heads * headDim], dtype, 'x');
  const dyt = gpu.upload(Float32Array.from(dy), [T, heads * headDim], dtype, 'dy');
  const out = gpu.empty([T, heads * headDim], dtype, 'out');
  const dx = gpu.empty([T, heads * headDim], dtype, 'dx');
  const dims = { tokens: T, heads, headDim, theta };
  ropeForward(gpu, xt, pos, out, dims, { maxBindingBytes });
  ropeBackward(gpu, dyt, pos, dx, dims, { maxBindingBytes });
  const [atol, rtol] = tol;
  const what = `rope T=${T} heads=${heads} hd=${headDim} ${dtype}`;
  expectClose(await gpu.readF32(out), ref.ropeForward(x, T, heads, headDim, positions, theta), atol, rtol, `${what} fwd`);
  expectClose(await gpu.readF32(dx), ref.ropeBackward(dy, T, heads, headDim, positions, theta), atol, rtol, `${what} bwd`);
}

/** Three packed sequences: positions restart at 0 for each. */
const packed = (lengths: number[]): number[] => Array.from(ref.positionsFromCuSeqlens(ref.cuSeqlensFromLengths(lengths)));

describe('rope forward/backward vs float64 reference', () => {
  it('bf16 hd=16, 3 packed sequences (37 tokens), 3 heads', () => check(packed([13, 17, 7]), 3, 16, 'bf16', 1));
  it('bf16 hd=128, 3 packed sequences, 5 heads', () => check(packed([13, 17, 7]), 5, 128, 'bf16', 2));
  it('f32 hd=6 (half a head is an odd count), 3 packed sequences', () => check(packed([13, 17, 7]), 3, 6, 'f32', 3));
  it('f32 hd=128, 3 packed sequences', () => check(packed([13, 17, 7]), 2, 128, 'f32', 4));
  it('bf16 hd=128 at positions 30000+', () => check(Array.from({ length: 11 }, (_, i) => 30000 + 997 * i), 2, 128, 'bf16', 5, undefined, [8e-3, 1e-2]));
  it('bf16 hd=128, chunked over tokens under an 8 kB binding', () => check(packed([40, 30, 30]), 4, 128, 'bf16', 6, 8192));
  it('positions past the table give NaN; aliasing and shape errors are named', async () => {
    const gpu = await getGpu();
    const x = gpu.upload(new Float32Array(2 * 16).fill(1), [2, 16], 'f32', 'x');
    const out = gpu.empty([2, 16], 'f32', 'out');
    ropeForward(gpu, x, gpu.upload([3, 8], [2], 'u32'), out, { tokens: 2, heads: 1, headDim: 16, theta: 1e6, maxPosition: 8 });
    const o = await gpu.readF32(out);
    expect(Number.isFinite(o[0])).toBe(true);
    expect(Number.isNaN(o[16])).toBe(true);
    expect(() => ropeForward(gpu, x, gpu.upload([0, 1], [2], 'u32'), x, { tokens: 2, heads: 1, headDim: 16, theta: 1e6 })).toThrow(/alias/);
    expect(() => ropeForward(gpu, x, gpu.upload([0], [1], 'u32', 'pos'), out, { tokens: 2, heads: 1, headDim: 16, theta: 1e6 })).toThrow(/positions pos\[1\]/);
  });
});
