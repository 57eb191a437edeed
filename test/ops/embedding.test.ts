import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import type { DType } from '../../src/gpu/tensor.js';
import { embeddingBackward, embeddingForward } from '../../src/ops/embedding.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose, randn } from '../gpu/util.js';

// Forward is a copy: exact. Backward sums at most a few bf16 values per row in f32: exact to 1e-6.
async function check(V: number, H: number, T: number, dtype: DType, seed: number, opts: { host: boolean; maxBindingBytes?: number }): Promise<void> {
  const gpu = await getGpu();
  const rng = ref.makeRng(seed);
  // Repeated ids: draw from a few hot ids and the whole vocabulary (first and last rows included).
  const ids = Uint32Array.from({ length: T }, (_, t) => (t % 3 === 0 ? [0, 7, V - 1][t % 9 / 3] : Math.floor(rng() * V)));
  const table = randn(V * H, seed + 1, 1, true);
  const dOut = randn(T * H, seed + 2, 1, dtype === 'bf16');
  const dT0 = randn(V * H, seed + 3, 1, false);
  const idsT = gpu.upload(ids, [T], 'u32', 'ids');
  const tableT = gpu.upload(Float32Array.from(table), [V, H], dtype, 'table');
  const out = gpu.empty([T, H], dtype, 'out');
  const dOutT = gpu.upload(Float32Array.from(dOut), [T, H], dtype, 'dOut');
  const dTable = gpu.upload(Float32Array.from(dT0), [V, H], 'f32', 'dTable');
  embeddingForward(gpu, idsT, tableT, out, { maxBindingBytes: opts.maxBindingBytes });
  await embeddingBackward(gpu, idsT, dOutT, dTable, { maxBindingBytes: opts.maxBindingBytes, hostIds: opts.host ? ids : undefined });
  const what = `embedding V=${V} H=${H} T=${T} ${dtype}`;
  expectClose(await gpu.readF32(out), ref.embeddingForward(table, ids, V, H), 1e-30, 0, `${what} fwd`);
  const want = ref.embeddingBackward(dOut, ids, V, H).map((v, i) => v + dT0[i]);
  expectClose(await gpu.readF32(dTable), want, 1e-6, 1e-6, `${what} bwd`);
}

describe('embedding forward/backward vs float64 reference', () => {
  it('bf16 V=1001 H=70 T=37, repeated ids, host ids', () => check(1001, 70, 37, 'bf16', 1, { host: true }));
  it('bf16 V=1001 H=96 T=37, ids read back from the GPU', () => check(1001, 96, 37, 'bf16', 2, { host: false }));
  it('f32 V=1001 H=69 T=37 (odd H)', () => check(1001, 69, 37, 'f32', 3, { host: true }));
  it('bf16 V=1001 H=70, table chunked over vocab rows (16 kB bindings)', () => check(1001, 70, 37, 'bf16', 4, { host: true, maxBindingBytes: 16384 }));
  it('bf16 V=1001 H=96 (vectorised), table chunked over vocab rows (16 kB bindings)', () => check(1001, 96, 37, 'bf16', 5, { host: true, maxBindingBytes: 16384 }));
  it('f32 V=1001 H=72 (vectorised f32)', () => check(1001, 72, 37, 'f32', 6, { host: true }));
  it('back-to-back backward calls in one batch keep their own token lists (scratch reuse and growth)', async () => {
    const gpu = await getGpu();
    const V = 5000, H = 8;
    const dTable = gpu.empty([V, H], 'f32', 'dTable');
    let want = new Float64Array(V * H);
    for (const [T, seed] of [[37, 11], [2500, 12], [50, 13]]) {
      const rng = ref.makeRng(seed);
      const ids = Uint32Array.from({ length: T }, () => Math.floor(rng() * V));
      const dOut = randn(T * H, seed, 1, true);
      // The list of the 2500-token call outgrows the first scratch buffer.
      embeddingBackward(gpu, gpu.upload(ids, [T], 'u32', 'ids'), gpu.upload(Float32Array.from(dOut), [T, H], 'bf16', 'dOut'), dTable, { hostIds: ids });
      const g = ref.embeddingBackward(dOut, ids, V, H);
      want = want.map((v, i) => v + g[i]);
    }
    expectClose(await gpu.readF32(dTable), want, 1e-6, 1e-6, 'embedding bwd, three calls');
  });
  it('is bitwise deterministic across runs with many repeats', async () => {
    const gpu = await getGpu();
    const T = 200, V = 5, H = 64;
    const ids = Uint32Array.from({ length: T }, (_, t) => (t * 7) % V);
    const dOut = gpu.upload(Float32Array.from(randn(T * H, 9, 1)), [T, H], 'f32', 'dOut');
    const idsT = gpu.upload(ids, [T], 'u32', 'ids');
    const runs: Float32Array[] = [];
    for (let r = 0; r < 2; r++) {
      const d = gpu.empty([V, H], 'f32', 'dTable');
      embeddingBackward(gpu, idsT, dOut, d, { hostIds: ids });
      runs.push(await gpu.readF32(d));
    }
    expect(Buffer.from(runs[0].buffer).equals(Buffer.from(runs[1].buffer))).toBe(true);
  });
  it('names an id outside the vocabulary', async () => {
    const gpu = await getGpu();
    const ids = Uint32Array.from([1, 9]);
    expect(() => embeddingBackward(gpu, gpu.upload(ids, [2], 'u32'), gpu.empty([2, 4], 'f32'), gpu.empty([5, 4], 'f32'), { hostIds: ids })).toThrow(/token id 9 at position 1/);
  });
});
