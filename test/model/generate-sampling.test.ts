// Host sampling: temperature, top-k, top-p, seeded reproducibility, and the logprob it reports
// (log mu under the distribution actually sampled from).
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/data/rng.js';
import { SamplingParams, sampleToken } from '../../src/model/sampling.js';

const logits = Float32Array.from([2, 1, 0.5, -1, 3, 0]);
const params = (p: Partial<SamplingParams>): SamplingParams => SamplingParams.parse(p);

function softmax(x: ArrayLike<number>, temp: number): number[] {
  const m = Math.max(...Array.from(x));
  const e = Array.from(x, (v) => Math.exp((v - m) / temp));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function frequencies(p: SamplingParams, n: number, seed = 1): number[] {
  const rng = new Rng(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < n; i++) counts[sampleToken(logits, p, rng).token]!++;
  return counts.map((c) => c / n);
}

describe('sampleToken', () => {
  it('greedy picks the argmax with logprob 0 and the model logprob', () => {
    const s = sampleToken(logits, params({ temperature: 0 }), new Rng(1));
    expect(s.token).toBe(4);
    expect(s.logprob).toBe(0);
    expect(s.modelLogprob).toBeCloseTo(Math.log(softmax(logits, 1)[4]!), 6);
  });

  it('samples softmax(logits / T) with the matching logprob', () => {
    const p = params({ temperature: 0.7 });
    const want = softmax(logits, 0.7);
    const f = frequencies(p, 20000);
    f.forEach((x, i) => expect(Math.abs(x - want[i]!), `token ${i}`).toBeLessThan(0.015));
    const s = sampleToken(logits, p, new Rng(3));
    expect(s.logprob).toBeCloseTo(Math.log(want[s.token]!), 6);
  });

  it('top-k and top-p restrict the support and renormalise the logprob', () => {
    const fk = frequencies(params({ topK: 2 }), 5000);
    expect(fk.filter((x) => x > 0).length).toBe(2);
    expect(fk[4]! + fk[0]!).toBe(1);
    const pr = softmax(logits, 1);
    // top-p 0.85: tokens 4 (0.605) and 0 (0.223) reach 0.828 < 0.85, so token 1 (0.082) joins.
    const fp = frequencies(params({ topP: 0.85 }), 5000);
    expect(fp.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([0, 1, 4]);
    const s = sampleToken(logits, params({ topP: 0.85 }), new Rng(9));
    expect(s.logprob).toBeCloseTo(Math.log(pr[s.token]! / (pr[4]! + pr[0]! + pr[1]!)), 6);
    expect(s.modelLogprob).toBeCloseTo(Math.log(pr[s.token]!), 6);
  });

  it('applies top-p to the distribution left by top-k (as HF and vLLM do)', () => {
    // top-k 3 keeps 4, 0, 1 (renormalised: 0.664, 0.244, 0.090); top-p 0.9 then keeps 4 and 0 (0.908).
    const f = frequencies(params({ topK: 3, topP: 0.9 }), 4000);
    expect(f.map((x, i) => (x > 0 ? i : -1)).filter((i) => i >= 0)).toEqual([0, 4]);
  });

  it('matches a plain full-sort sampler on a Qwen3-sized vocabulary', () => {
    const V = 151936;
    const r = new Rng('logits');
    const big = Float32Array.from({ length: V }, () => r.normal(0, 3));
    for (const p of [params({ temperature: 0.8, topP: 0.9 }), params({ topK: 20, topP: 0.95 }), params({ temperature: 1.1, topK: 50 })]) {
      // Plain: sort everything, top-k, renormalise, top-p prefix, draw.
      const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => big[b]! - big[a]! || a - b).slice(0, p.topK || V);
      const m = big[order[0]!]! / p.temperature;
      const w = order.map((i) => Math.exp(big[i]! / p.temperature - m));
      const tot = w.reduce((a, b) => a + b, 0);
      let keep = w.length;
      for (let j = 0, cum = 0; j < w.length; j++) if ((cum += w[j]! / tot) >= p.topP) { keep = j + 1; break; }
      const kept = w.slice(0, keep);
      const mass = kept.reduce((a, b) => a + b, 0);
      const ra = new Rng(77);
      const rb = new Rng(77);
      for (let n = 0; n < 5; n++) {
        let x = ra.float() * mass;
        let pick = keep - 1;
        for (let j = 0; j < keep; j++) if ((x -= kept[j]!) < 0) { pick = j; break; }
        const s = sampleToken(big, p, rb);
        expect(s.token).toBe(order[pick]);
        expect(s.logprob).toBeCloseTo(Math.log(kept[pick]! / mass), 6);
      }
    }
  });

  it('is reproducible from the seed', () => {
    const p = params({ temperature: 1.2, topP: 0.95 });
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 50 }, () => sampleToken(logits, p, r).token);
    };
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(6));
  });

  it('rejects NaN logits and bad parameters', () => {
    expect(() => sampleToken([0, NaN], params({}), new Rng(1))).toThrow(/logits\[1\] is NaN/);
    expect(() => params({ topP: 0 })).toThrow();
    expect(() => params({ temperature: -1 })).toThrow();
  });
});
