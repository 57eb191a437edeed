import { describe, expect, it } from 'vitest';
import { createGpu, getGpu } from '../../src/gpu/gpu.js';
import { GpuDeviceLostError } from '../../src/gpu/errors.js';
import { cast } from '../../src/ops/cast.js';
import { roundBf16 } from './util.js';

describe('cast f32 <-> bf16', () => {
  // Sizes around the 8-element vector unit (tails of 1..7), and one chunked under 1 kB bindings.
  for (const [n, maxBindingBytes] of [[1], [2], [7], [8], [9], [37], [1000], [70001], [1003, 1024]] as [number, number?][]) {
    it(`round trips n=${n} with round-to-nearest-even${maxBindingBytes ? ` (${maxBindingBytes}-byte bindings)` : ''}`, async () => {
      const gpu = await getGpu();
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) x[i] = (Math.random() - 0.5) * 10 ** ((i % 9) - 4);
      x[0] = 1 + 2 ** -8; // exact tie between two bf16 values: rounds to the even one (1.0)
      const src = gpu.upload(x, [n], 'f32');
      const bf = gpu.empty([n], 'bf16');
      const back = gpu.empty([n], 'f32');
      cast(gpu, src, bf, { maxBindingBytes });
      cast(gpu, bf, back, { maxBindingBytes });
      const out = await gpu.readF32(back);
      for (let i = 0; i < n; i++) if (out[i] !== roundBf16(x[i])) expect([i, out[i]]).toEqual([i, roundBf16(x[i])]);
      expect(out[0]).toBe(1);
      expect(Array.from(await gpu.read(bf)).slice(0, 3)).toEqual(Array.from(out.slice(0, 3)));
    });
  }
});

describe('gpu runtime errors', () => {
  it('names the kernel when WGSL fails to compile', async () => {
    const gpu = await getGpu();
    await expect(gpu.compile({ name: 'broken', file: 'test-broken.wgsl', consts: { T: 'nonsense_type' } })).rejects.toThrow(/broken.*nonsense_type/s);
    // The device stays usable after a compile failure.
    const t = gpu.upload([1, 2, 3], [3], 'f32');
    expect(Array.from(await gpu.read(t))).toEqual([1, 2, 3]);
  });
  it('rejects an unreplaced placeholder', async () => {
    const gpu = await getGpu();
    expect(() => gpu.dispatch({ name: 'x', file: 'test-broken.wgsl', consts: {} }, { bindings: [], workgroups: 1 })).toThrow(/\{\{T\}\}/);
  });
  it('serves concurrent reads through one staging buffer', async () => {
    const gpu = await getGpu();
    const ts = [1, 2, 3, 4].map((k) => gpu.upload(Array.from({ length: 1000 * k }, (_, i) => i * k), [1000 * k], 'f32'));
    const got = await Promise.all(ts.map((t) => gpu.readF32(t)));
    got.forEach((g, k) => expect([g.length, g[999]]).toEqual([1000 * (k + 1), 999 * (k + 1)]));
  });
  it('turns a lost device into an error that says so', async () => {
    const gpu = await createGpu(); // a device of its own: this test destroys it
    const t = gpu.upload([1, 2], [2], 'f32');
    gpu.destroy();
    await new Promise((r) => setTimeout(r, 50)); // device.lost resolves asynchronously
    await expect(gpu.read(t)).rejects.toThrow(/device lost \(destroyed\)/);
    expect(() => gpu.empty([4], 'f32')).toThrow(GpuDeviceLostError);
  });
  it('splits large tensors into aligned row chunks under the binding cap', async () => {
    const gpu = await getGpu();
    const chunks = gpu.rowChunks(1000, 100, 4096);
    expect(chunks.every((c) => c.offset % gpu.limits.minStorageBufferOffsetAlignment === 0 && c.size <= 4096)).toBe(true);
    expect(chunks.reduce((s, c) => s + c.rows, 0)).toBe(1000);
  });
});
