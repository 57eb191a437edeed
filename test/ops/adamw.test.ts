// GPU AdamW vs the float64 reference (src/ops/ref/adamw.ts) over several steps, with f32 and bf16
// gradients, gradient scaling, the bf16 compute copy, and binding-cap chunking; the device's kernel
// form (the CPU-shaped one on lavapipe where every chunk is whole groups of 4) and both forced.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { adamwStep, type ChunkOpts } from '../../src/ops/adamw.js';
import { adamwStep as refStep, type AdamWHyper } from '../../src/ops/ref/adamw.js';
import { expectClose, randn, roundBf16 } from '../gpu/util.js';

const hyper: AdamWHyper = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

describe('adamwStep (GPU) vs reference', () => {
  const cases = [
    { name: 'f32 grad, bf16 copy, odd n=1001, chunked', shape: [1001], gradDtype: 'f32' as const, out: true, maxBindingBytes: 1024 },
    { name: 'bf16 grad, bf16 copy [37,70]', shape: [37, 70], gradDtype: 'bf16' as const, out: true, maxBindingBytes: undefined },
    { name: 'bf16 grad, no copy, odd n=333, chunked', shape: [333], gradDtype: 'bf16' as const, out: false, maxBindingBytes: 1024 },
    { name: 'f32 grad, no copy [64]', shape: [64], gradDtype: 'f32' as const, out: false, maxBindingBytes: undefined },
    { name: 'cpu: f32 grad, bf16 copy [40,72], chunked', shape: [40, 72], gradDtype: 'f32' as const, out: true, maxBindingBytes: 1024, variant: 'cpu' as const },
    { name: 'cpu: bf16 grad, bf16 copy [16,64]', shape: [16, 64], gradDtype: 'bf16' as const, out: true, maxBindingBytes: undefined, variant: 'cpu' as const },
    { name: 'cpu: bf16 grad, no copy [96]', shape: [96], gradDtype: 'bf16' as const, out: false, maxBindingBytes: undefined, variant: 'cpu' as const },
    { name: 'portable: f32 grad, bf16 copy [16,64]', shape: [16, 64], gradDtype: 'f32' as const, out: true, maxBindingBytes: undefined, variant: 'portable' as const },
  ];
  for (const c of cases as (typeof cases[number] & { variant?: ChunkOpts['variant'] })[]) {
    it(c.name, async () => {
      const gpu = await getGpu();
      const n = c.shape.reduce((a, b) => a * b, 1);
      const p0 = randn(n, 11, 1);
      const master = gpu.upload(p0, c.shape, 'f32', 'master');
      const m = gpu.empty(c.shape, 'f32', 'm');
      const v = gpu.empty(c.shape, 'f32', 'v');
      const grad = gpu.empty(c.shape, c.gradDtype, 'grad');
      const weightOut = c.out ? gpu.empty(c.shape, 'bf16', 'weight') : null;
      const rp = Float64Array.from(p0), rm = new Float64Array(n), rv = new Float64Array(n);
      const scales = [1, 0.5, 1, 0.25, 1];
      for (let step = 1; step <= scales.length; step++) {
        // Gradients of varied magnitude (some tiny), as the GPU sees them (bf16-rounded if bf16).
        const g = randn(n, 100 + step, 10 ** ((step % 3) - 1), c.gradDtype === 'bf16');
        g[step] = 0;
        gpu.write(grad, g);
        adamwStep(gpu, { master, m, v, grad, weightOut }, hyper, step, scales[step - 1]!, { maxBindingBytes: c.maxBindingBytes, variant: c.variant });
        refStep(rp, Array.from(g, (x) => x * scales[step - 1]!), rm, rv, step, hyper);
      }
      const got = await gpu.readF32(master);
      expectClose(got, rp, 1e-7, 1e-6, 'master');
      // m sums terms of both signs (cancellation): tolerance relative to its largest magnitude.
      expectClose(await gpu.readF32(m), rm, 1e-6 * Math.max(...rm.map(Math.abs)), 1e-6, 'm');
      expectClose(await gpu.readF32(v), rv, 1e-12, 1e-6, 'v');
      if (weightOut) {
        const w = await gpu.readF32(weightOut);
        for (let i = 0; i < n; i++) if (w[i] !== roundBf16(got[i]!)) expect([i, w[i]]).toEqual([i, roundBf16(got[i]!)]);
      }
      for (const t of [master, m, v, grad, weightOut]) t?.destroy();
    });
  }

  it('rejects mismatched tensors by name', async () => {
    const gpu = await getGpu();
    const a = gpu.empty([10], 'f32', 'master');
    const b = gpu.empty([12], 'f32', 'mom');
    expect(() => adamwStep(gpu, { master: a, m: b, v: a, grad: a, weightOut: null }, hyper, 1, 1)).toThrow(/m mom\[12\] f32 has 12 elements/);
    expect(() => adamwStep(gpu, { master: a, m: a, v: a, grad: a, weightOut: null }, hyper, 0, 1)).toThrow(/step/);
  });
});
