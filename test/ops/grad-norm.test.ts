// Global gradient norm on the GPU (f32 and bf16 tensors, odd sizes, chunked bindings) vs the
// float64 reference, and the clip factor.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { clipScale, globalGradNorm } from '../../src/ops/grad-norm.js';
import { clipFactor, globalGradNorm as refNorm } from '../../src/ops/ref/adamw.js';
import { randn } from '../gpu/util.js';

describe('globalGradNorm (GPU)', () => {
  it('matches the reference over f32 and bf16 tensors, chunked', async () => {
    const gpu = await getGpu();
    const specs = [
      { shape: [1001], dtype: 'f32' as const, scale: 1 },
      { shape: [37, 70], dtype: 'bf16' as const, scale: 3 },
      { shape: [333], dtype: 'bf16' as const, scale: 0.01 },
      { shape: [50000], dtype: 'f32' as const, scale: 0.1 },
      { shape: [1], dtype: 'f32' as const, scale: 100 },
      { shape: [64, 64], dtype: 'bf16' as const, scale: 0.5 }, // whole vec4 words: the CPU form on lavapipe
    ];
    const host = specs.map((s, i) => randn(s.shape.reduce((a, b) => a * b, 1), 7 + i, s.scale, s.dtype === 'bf16'));
    const tensors = specs.map((s, i) => gpu.upload(host[i]!, s.shape, s.dtype, `g${i}`));
    const want = refNorm(host);
    expect(await globalGradNorm(gpu, tensors)).toBeCloseTo(want, 3);
    const chunked = await globalGradNorm(gpu, tensors, { maxBindingBytes: 1024 });
    expect(Math.abs(chunked - want) / want).toBeLessThan(1e-5);
    // Each tensor alone (the bf16 odd tail's padding half must not count).
    for (const [i, t] of tensors.entries()) {
      const w = refNorm([host[i]!]);
      expect(Math.abs((await globalGradNorm(gpu, [t])) - w) / w).toBeLessThan(1e-5);
    }
    expect(await globalGradNorm(gpu, [])).toBe(0);
    // Both kernel forms forced (the CPU form takes the chunks of whole vec4 words).
    for (const variant of ['portable', 'cpu'] as const) expect(Math.abs((await globalGradNorm(gpu, tensors, { variant })) - want) / want).toBeLessThan(1e-5);
    for (const t of tensors) t.destroy();
  });

  it('clipScale follows clip_grad_norm_', () => {
    for (const [n, mx] of [[0.5, 1], [10, 1], [1, 1], [0, 2]] as const) expect(clipScale(n, mx)).toBe(clipFactor(n, mx));
    expect(() => clipScale(Number.NaN, 1)).toThrow(/non-finite/);
  });
});
