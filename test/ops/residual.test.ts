import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import type { DType } from '../../src/gpu/tensor.js';
import { add, addInPlace } from '../../src/ops/residual.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose, randn, roundBf16 } from '../gpu/util.js';

// The sum is exact in f32 for these inputs, so outputs must equal the reference rounded once to
// the output dtype (bf16 or f32): tolerance 0 beyond that rounding.
const rounder = (dt: DType) => (v: number) => (dt === 'bf16' ? roundBf16(v) : Math.fround(v));

async function checkAdd(n: number, shape: number[], da: DType, db: DType, dout: DType, seed: number, maxBindingBytes?: number): Promise<void> {
  const gpu = await getGpu();
  const a = randn(n, seed, 3, true);
  const b = randn(n, seed + 1, 3, true);
  const at = gpu.upload(Float32Array.from(a), shape, da, 'a');
  const bt = gpu.upload(Float32Array.from(b), shape, db, 'b');
  const out = gpu.empty(shape, dout, 'out');
  add(gpu, at, bt, out, { maxBindingBytes });
  expectClose(await gpu.readF32(out), ref.residualForward(a, b).map(rounder(dout)), 1e-30, 0, `add ${da}+${db}->${dout} n=${n}`);
  // acc += b, twice: acc = a + 2b
  addInPlace(gpu, at, bt, { maxBindingBytes });
  addInPlace(gpu, at, bt, { maxBindingBytes });
  const want = ref.residualForward(ref.residualForward(a, b).map(rounder(da)), b).map(rounder(da));
  expectClose(await gpu.readF32(at), want, 1e-30, 0, `addInPlace ${da}+=${db} n=${n}`);
}

describe('residual add vs float64 reference', () => {
  it('bf16 + bf16 -> bf16 [37, 70]', () => checkAdd(37 * 70, [37, 70], 'bf16', 'bf16', 'bf16', 1));
  it('f32 + bf16 -> f32 odd n=37*69', () => checkAdd(37 * 69, [37 * 69], 'f32', 'bf16', 'f32', 2));
  it('bf16 + f32 -> bf16 [37, 96]', () => checkAdd(37 * 96, [37, 96], 'bf16', 'f32', 'bf16', 3));
  it('f32 + f32 -> f32 chunked under a 1 kB binding', () => checkAdd(37 * 70 + 1, [37 * 70 + 1], 'f32', 'f32', 'f32', 4, 1024));
  it('names tensors of different sizes', async () => {
    const gpu = await getGpu();
    expect(() => add(gpu, gpu.empty([4], 'f32', 'a'), gpu.empty([5], 'f32', 'b'), gpu.empty([4], 'f32', 'o'))).toThrow(/b\[5\]/);
  });
});
