// AIPO loss (src/rl/aipo.ts): value and gradient against finite differences, both clamp modes,
// masking and batch-wide token normalisation; group advantages.
import { describe, expect, it } from 'vitest';
import { aipoLoss, groupAdvantages } from '../../src/rl/aipo.js';
import { makeRng } from '../../src/ops/ref/index.js';

function randomInput(T: number, seed: number) {
  const r = makeRng(seed);
  const logprobs = Float64Array.from({ length: T }, () => -r() * 4);
  // Ratios from 0.05 to ~20: some above delta = 8.
  const samplerLogprobs = logprobs.map((lp) => lp - (r() * 6 - 3));
  const advantages = Float64Array.from({ length: T }, () => r() * 4 - 2);
  const mask = Uint8Array.from({ length: T }, () => (r() < 0.7 ? 1 : 0));
  return { logprobs, samplerLogprobs, advantages, mask };
}

describe('aipoLoss', () => {
  it('value and mask-mode gradient match finite differences; masked positions get none', () => {
    const inp = randomInput(60, 1);
    const res = aipoLoss(inp);
    const N = Array.from(inp.mask).filter(Boolean).length;
    expect(res.tokens).toBe(N);
    let J = 0;
    inp.mask.forEach((m, t) => {
      if (m) J += Math.min(Math.exp(inp.logprobs[t]! - inp.samplerLogprobs[t]!), 8) * inp.advantages[t]!;
    });
    expect(res.loss).toBeCloseTo(-J / N, 12);
    expect(res.clippedFraction).toBeGreaterThan(0); // some ratios are above delta
    const h = 1e-6;
    for (let t = 0; t < 60; t++) {
      const up = Float64Array.from(inp.logprobs), dn = Float64Array.from(inp.logprobs);
      up[t] += h;
      dn[t] -= h;
      const fd = (aipoLoss({ ...inp, logprobs: up }).loss - aipoLoss({ ...inp, logprobs: dn }).loss) / (2 * h);
      expect(Math.abs(res.dlogprob[t]! - fd), `position ${t}`).toBeLessThan(1e-7 + 1e-6 * Math.abs(fd));
      if (!inp.mask[t]) expect(res.dlogprob[t]).toBe(0);
    }
  });

  it("detach mode weights tokens above delta by delta instead of dropping them", () => {
    const inp = randomInput(60, 2);
    const m = aipoLoss(inp, { clamp: 'mask' });
    const d = aipoLoss(inp, { clamp: 'detach' });
    expect(d.loss).toBe(m.loss);
    let above = 0;
    for (let t = 0; t < 60; t++) {
      if (!inp.mask[t]) continue;
      const r = Math.exp(inp.logprobs[t]! - inp.samplerLogprobs[t]!);
      if (r >= 8) {
        above++;
        expect(m.dlogprob[t]).toBeCloseTo(0, 15);
        expect(d.dlogprob[t]).toBeCloseTo((-8 * inp.advantages[t]!) / m.tokens, 12);
      } else expect(d.dlogprob[t]).toBe(m.dlogprob[t]);
    }
    expect(above).toBeGreaterThan(0);
  });

  it('on-policy it is the policy gradient: dL/dlog pi = -A/N, mean ratio 1', () => {
    const lp = [-1, -2, -0.5, -3];
    const res = aipoLoss({ logprobs: lp, samplerLogprobs: lp, advantages: [1, -1, 2, 0.5], mask: [1, 1, 0, 1] });
    expect(res.meanRatio).toBeCloseTo(1, 12);
    expect(Array.from(res.dlogprob)).toEqual([-1 / 3, 1 / 3, 0, -0.5 / 3]);
    expect(aipoLoss({ logprobs: [0], samplerLogprobs: [0], advantages: [1], mask: [0] })).toMatchObject({ loss: 0, tokens: 0 });
  });

  it('split into passes with the whole step as normalizer, the parts add up to the whole', () => {
    const inp = randomInput(60, 3);
    const whole = aipoLoss(inp);
    const part = (a: number, b: number) =>
      aipoLoss({ logprobs: inp.logprobs.slice(a, b), samplerLogprobs: inp.samplerLogprobs.slice(a, b), advantages: inp.advantages.slice(a, b), mask: inp.mask.slice(a, b) }, { normalizer: whole.tokens });
    const [p1, p2] = [part(0, 25), part(25, 60)];
    expect(p1.loss + p2.loss).toBeCloseTo(whole.loss, 12);
    expect([...p1.dlogprob, ...p2.dlogprob]).toEqual(Array.from(whole.dlogprob));
    expect(() => part(0, 60).dlogprob && aipoLoss(inp, { normalizer: 1 })).toThrow(/below/);
  });

  it('names bad input', () => {
    expect(() => aipoLoss({ logprobs: [0, 0], samplerLogprobs: [0], advantages: [1, 1], mask: [1, 1] })).toThrow(/samplerLogprobs has 1 entries/);
    expect(() => aipoLoss({ logprobs: [0], samplerLogprobs: [NaN], advantages: [1], mask: [1] })).toThrow(/position 0: .*sampler logprob NaN/);
    expect(() => aipoLoss({ logprobs: [0], samplerLogprobs: [0], advantages: [1], mask: [1] }, { delta: 0 })).toThrow(/delta/);
  });
});

describe('groupAdvantages', () => {
  it('subtracts each group mean, no std normalisation', () => {
    expect(groupAdvantages([1, 3, 5, 10, 10, 10], 3)).toEqual([-2, 0, 2, 0, 0, 0]);
    expect(() => groupAdvantages([1, 2, 3], 2)).toThrow(/groups of 2/);
    expect(() => groupAdvantages([1, NaN], 2)).toThrow(/reward 1 is NaN/);
  });
});
