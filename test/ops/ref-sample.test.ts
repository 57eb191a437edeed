// The float64 reference sampler (src/ops/ref/sample.ts): greedy, temperature, top-k, top-p in the
// HF/vLLM order, the logprob it reports (log mu under the distribution drawn from), reproducibility
// from (seed, step), and the accuracy of its Gumbel noise.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/io/rng.js';
import { SamplingParams } from '../../src/ops/sampling.js';
import { gumbel, orderKey, rowKey, sampleRef, tokenUniform } from '../../src/ops/ref/sample.js';

const logits = Float32Array.from([2, 1, 0.5, -1, 3, 0]);
const params = (p: Partial<SamplingParams>): SamplingParams => SamplingParams.parse(p);

function softmax(x: ArrayLike<number>, temp: number): number[] {
  const m = Math.max(...Array.from(x));
  const e = Array.from(x, (v) => Math.exp((v - m) / temp));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Token frequencies over n draws (steps 0..n-1 of one seed). */
function frequencies(p: SamplingParams, n: number, seed = 1): number[] {
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleRef(logits, p, seed, i).token]!++;
  return counts.map((c) => c / n);
}

describe('sampleRef', () => {
  it('greedy picks the argmax (lowest index on ties) with logprob 0 and the model logprob', () => {
    const s = sampleRef(logits, params({ temperature: 0 }), 1, 0);
    expect(s.token).toBe(4);
    expect(s.logprob).toBe(0);
    expect(s.modelLogprob).toBeCloseTo(Math.log(softmax(logits, 1)[4]!), 12);
    expect(sampleRef([1, 5, 5, 2], params({ temperature: 0 }), 1, 0).token).toBe(1);
  });

  it('samples softmax(logits / T) with the matching logprob', () => {
    const p = params({ temperature: 0.7 });
    const want = softmax(logits, 0.7);
    const n = 20000;
    const f = frequencies(p, n);
    // 5 standard deviations of a binomial frequency.
    f.forEach((x, i) => expect(Math.abs(x - want[i]!), `token ${i}`).toBeLessThan(5 * Math.sqrt((want[i]! * (1 - want[i]!)) / n)));
    const s = sampleRef(logits, p, 3, 0);
    expect(s.logprob).toBeCloseTo(Math.log(want[s.token]!), 12);
  });

  it('top-k and top-p restrict the support and renormalise the logprob', () => {
    const fk = frequencies(params({ topK: 2 }), 5000);
    expect(fk.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([0, 4]);
    const pr = softmax(logits, 1);
    // top-p 0.85: tokens 4 (0.605) and 0 (0.223) reach 0.828 < 0.85, so token 1 (0.082) joins.
    const fp = frequencies(params({ topP: 0.85 }), 5000);
    expect(fp.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([0, 1, 4]);
    const s = sampleRef(logits, params({ topP: 0.85 }), 9, 0);
    expect(s.kept).toBe(3);
    expect(s.logprob).toBeCloseTo(Math.log(pr[s.token]! / (pr[4]! + pr[0]! + pr[1]!)), 12);
    expect(s.modelLogprob).toBeCloseTo(Math.log(pr[s.token]!), 12);
  });

  it('applies top-p to the distribution left by top-k (as HF and vLLM do)', () => {
    // top-k 3 keeps 4, 0, 1 (renormalised: 0.664, 0.244, 0.090); top-p 0.9 then keeps 4 and 0 (0.908).
    const f = frequencies(params({ topK: 3, topP: 0.9 }), 4000);
    expect(f.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([0, 4]);
  });

  it('keeps the same set as a plain full-sort sampler on a Qwen3-sized vocabulary', () => {
    const V = 151936;
    const r = new Rng('logits');
    const big = Float32Array.from({ length: V }, () => r.normal(0, 3));
    for (const p of [params({ temperature: 0.8, topP: 0.9 }), params({ topK: 20, topP: 0.95 }), params({ temperature: 1.1, topK: 50 })]) {
      const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => big[b]! - big[a]! || a - b).slice(0, p.topK || V);
      const m = big[order[0]!]! / p.temperature;
      const w = order.map((i) => Math.exp(big[i]! / p.temperature - m));
      const tot = w.reduce((a, b) => a + b, 0);
      let keep = w.length;
      for (let j = 0, cum = 0; j < w.length; j++) if ((cum += w[j]! / tot) >= p.topP) { keep = j + 1; break; }
      const mass = w.slice(0, keep).reduce((a, b) => a + b, 0);
      for (let step = 0; step < 5; step++) {
        const s = sampleRef(big, p, 77, step);
        expect(s.kept).toBe(keep);
        const j = order.indexOf(s.token);
        expect(j).toBeGreaterThanOrEqual(0);
        expect(j).toBeLessThan(keep);
        expect(s.logprob).toBeCloseTo(Math.log(w[j]! / mass), 9);
      }
    }
  });

  it('is a function of (logits, params, seed, step)', () => {
    const p = params({ temperature: 1.2, topP: 0.95 });
    const draw = (seed: number) => Array.from({ length: 50 }, (_, step) => sampleRef(logits, p, seed, step).token);
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
    expect(rowKey(5, 1)).not.toBe(rowKey(5, 2));
  });

  it('ranks ties by index through the f32 order key', () => {
    const xs = [-Infinity, -3.5, -0, 0, 1e-30, 2.5, Infinity];
    for (let i = 1; i < xs.length; i++) expect(orderKey(xs[i]!)).toBeGreaterThan(orderKey(xs[i - 1]!));
    // Equal logits: top-k 2 of [1, 3, 3, 3] keeps indices 1 and 2.
    const f = new Set(Array.from({ length: 300 }, (_, s) => sampleRef([1, 3, 3, 3], params({ topK: 2 }), 4, s).token));
    expect([...f].sort()).toEqual([1, 2]);
  });

  it('draws uniforms on a 2^-23 grid and Gumbel noise accurate where u is near 1', () => {
    const us = Array.from({ length: 1000 }, (_, i) => tokenUniform(rowKey(1, 2), i));
    for (const u of us) {
      expect(u > 0 && u < 1).toBe(true);
      expect(Number.isInteger(u * 8388608 - 0.5)).toBe(true);
      expect(Math.fround(u)).toBe(u);
    }
    const mean = us.reduce((a, b) => a + b, 0) / us.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
    // u = 1 - 2^-24: -log u = 5.96e-8 exactly enough that G = 16.635532...
    expect(gumbel(1 - 2 ** -24)).toBeCloseTo(-Math.log(2 ** -24 + 2 ** -49), 9);
    expect(gumbel(0.5)).toBeCloseTo(-Math.log(Math.LN2), 12);
  });

  it('rejects NaN logits, an infinite maximum and bad parameters', () => {
    expect(() => sampleRef([0, NaN], params({}), 1, 0)).toThrow(/logits\[1\] is NaN/);
    expect(() => sampleRef([0, Infinity], params({}), 1, 0)).toThrow(/largest logit is Infinity/);
    expect(() => sampleRef([-Infinity, -Infinity], params({}), 1, 0)).toThrow(/largest logit is -Infinity/);
    expect(() => params({ topP: 0 })).toThrow();
    expect(() => params({ temperature: -1 })).toThrow();
    expect(() => params({ topK: 1.5 })).toThrow();
  });
});
