// AdamW step, global grad norm and clip factor against hand-computed values.
import { describe, expect, it } from 'vitest';
import { adamwStep, clipFactor, globalGradNorm, type AdamWHyper } from '../../src/ops/ref/adamw.js';

const hp: AdamWHyper = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };

describe('AdamW (reference)', () => {
  it('first step: bias-corrected update is lr * sign(g), after decoupled decay', () => {
    const p = Float64Array.from([2, -1, 0.5]);
    const m = new Float64Array(3), v = new Float64Array(3);
    adamwStep(p, [0.3, -4, 0], m, v, 1, hp);
    // p * (1 - lr wd) - lr * g / (|g| + eps)
    expect(p[0]).toBeCloseTo(2 * (1 - 0.001) - 0.1 * (0.3 / (0.3 + 1e-8)), 14);
    expect(p[1]).toBeCloseTo(-1 * (1 - 0.001) + 0.1 * (4 / (4 + 1e-8)), 14);
    expect(p[2]).toBeCloseTo(0.5 * (1 - 0.001), 14); // zero grad: decay only
    expect(m[1]).toBeCloseTo(-0.4, 15);
    expect(v[1]).toBeCloseTo(0.016, 15);
  });

  it('second step follows the recurrence', () => {
    const p = Float64Array.from([1]);
    const m = new Float64Array(1), v = new Float64Array(1);
    adamwStep(p, [1], m, v, 1, hp);
    const p1 = p[0]!;
    adamwStep(p, [-2], m, v, 2, hp);
    const m2 = 0.9 * 0.1 + 0.1 * -2; // -0.11
    const v2 = 0.999 * 0.001 + 0.001 * 4; // 0.004999
    const mhat = m2 / (1 - 0.81), vhat = v2 / (1 - 0.999 ** 2);
    const expected = p1 * (1 - 0.001) - (0.1 * mhat) / (Math.sqrt(vhat) + 1e-8);
    expect(m[0]).toBeCloseTo(m2, 15);
    expect(v[0]).toBeCloseTo(v2, 15);
    expect(p[0]).toBeCloseTo(expected, 14);
  });

  it('rejects step 0 and mismatched lengths', () => {
    const z = () => new Float64Array(2);
    expect(() => adamwStep(z(), [1, 2], z(), z(), 0, hp)).toThrow(/step must be an integer >= 1/);
    expect(() => adamwStep(z(), [1], z(), z(), 1, hp)).toThrow(/grad has length 1, expected 2/);
  });

  it('global norm over several tensors and clip factor', () => {
    expect(globalGradNorm([[3], Float64Array.from([4, 0]), new Float32Array([12])])).toBe(13);
    expect(clipFactor(13, 1)).toBeCloseTo(1 / (13 + 1e-6), 15);
    expect(clipFactor(0.5, 1)).toBe(1);
  });
});
