// Fused lm_head + log-softmax + target logprob + entropy: sanity and backward vs finite differences,
// at temperature 1 and at temperatures 0.7 and 1.3 (softmax of logits / T).
import { describe, expect, it } from 'vitest';
import { closeness, fdGrad } from '../../src/ops/ref/finite-diff.js';
import { lmHeadBackward, lmHeadForward, lmHeadLogits } from '../../src/ops/ref/lm-head.js';
import { makeRng, randomArray } from '../../src/ops/ref/random.js';

const T = 5, H = 7, V = 13;
const rng = makeRng(21);
const h = randomArray(T * H, rng);
const W = randomArray(V * H, rng);
const targets = [3, -1, 0, 12, 7];

describe('lm head logprob/entropy (reference)', () => {
  it('exp(logprob) over every possible target sums to 1; entropy is -sum p log p', () => {
    const perTarget: number[][] = [];
    for (let y = 0; y < V; y++) perTarget.push(Array.from(lmHeadForward(h, W, new Array(T).fill(y), T, H, V).logprob));
    const { entropy, lse } = lmHeadForward(h, W, new Array(T).fill(0), T, H, V);
    const z = lmHeadLogits(h, W, T, H, V);
    for (let t = 0; t < T; t++) {
      let sum = 0, ent = 0;
      for (let y = 0; y < V; y++) {
        const lp = perTarget[y]![t]!;
        sum += Math.exp(lp);
        ent -= Math.exp(lp) * lp;
        expect(lp).toBeCloseTo(z[t * V + y]! - lse[t]!, 13);
      }
      expect(sum).toBeCloseTo(1, 13);
      expect(entropy[t]).toBeCloseTo(ent, 13);
    }
  });

  it('ignored rows (target -1) give 0 and receive no gradient', () => {
    const { logprob, entropy } = lmHeadForward(h, W, targets, T, H, V);
    expect(logprob[1]).toBe(0);
    expect(entropy[1]).toBe(0);
    const { dh } = lmHeadBackward([1, 1, 1, 1, 1], [1, 1, 1, 1, 1], h, W, targets, T, H, V);
    expect(Array.from(dh.subarray(H, 2 * H))).toEqual(new Array(H).fill(0));
    expect(() => lmHeadForward(h, W, [3, -2, 0, 12, 7], T, H, V)).toThrow(/targets\[1\] = -2/);
  });

  it('backward matches finite differences (logprob only, and logprob + entropy)', () => {
    const dLp = randomArray(T, rng);
    const dEnt = randomArray(T, rng);
    const f = () => {
      const r = lmHeadForward(h, W, targets, T, H, V);
      return [...r.logprob, ...r.entropy];
    };
    for (const withEnt of [false, true]) {
      const weights = [...dLp, ...(withEnt ? dEnt : new Array(T).fill(0))];
      const { dh, dW } = lmHeadBackward(dLp, withEnt ? dEnt : undefined, h, W, targets, T, H, V);
      for (const [name, an, x] of [['dh', dh, h], ['dW', dW, W]] as const) {
        const c = closeness(an, fdGrad(f, weights, x));
        expect(c.maxRel, `${name} (entropy ${withEnt}) worst index ${c.worstIndex}`).toBeLessThan(1e-6);
      }
    }
  });

  describe.each([0.7, 1.3])('temperature %s', (temp) => {
    it('logprob and entropy are those of softmax(logits / T); temperature 1 is the default', () => {
      const z = lmHeadLogits(h, W, T, H, V);
      const r = lmHeadForward(h, W, targets, T, H, V, temp);
      const plain = lmHeadForward(h, W, targets, T, H, V);
      let changed = 0;
      for (let t = 0; t < T; t++) {
        const zt = Array.from(z.subarray(t * V, (t + 1) * V), (x) => x / temp);
        const lse = Math.log(zt.reduce((a, x) => a + Math.exp(x), 0));
        expect(r.lse[t]).toBeCloseTo(lse, 12);
        const y = targets[t]!;
        if (y < 0) continue;
        expect(r.logprob[t]).toBeCloseTo(zt[y]! - lse, 12);
        expect(r.entropy[t]).toBeCloseTo(-zt.reduce((a, x) => a + Math.exp(x - lse) * (x - lse), 0), 12);
        changed = Math.max(changed, Math.abs(r.logprob[t]! - plain.logprob[t]!));
      }
      expect(changed).toBeGreaterThan(0.1); // the temperature is used
      expect(lmHeadForward(h, W, targets, T, H, V, 1)).toEqual(plain);
      expect(lmHeadBackward([1, 2, 3, 4, 5], undefined, h, W, targets, T, H, V, 1)).toEqual(lmHeadBackward([1, 2, 3, 4, 5], undefined, h, W, targets, T, H, V));
    });

    it('backward matches finite differences of log softmax(h W^T / T) (logprob only, and logprob + entropy)', () => {
      const r2 = makeRng(31);
      const dLp = randomArray(T, r2);
      const dEnt = randomArray(T, r2);
      // The tempered log-softmax written out here (not lmHeadForward): the gradient is checked
      // against the definition, not against the forward it shares code with.
      const f = () => {
        const z = lmHeadLogits(h, W, T, H, V);
        const lp: number[] = [], ent: number[] = [];
        for (let t = 0; t < T; t++) {
          const zt = Array.from(z.subarray(t * V, (t + 1) * V), (x) => x / temp);
          const lse = Math.log(zt.reduce((a, x) => a + Math.exp(x), 0));
          const y = targets[t]!;
          lp.push(y < 0 ? 0 : zt[y]! - lse);
          ent.push(y < 0 ? 0 : -zt.reduce((a, x) => a + Math.exp(x - lse) * (x - lse), 0));
        }
        return [...lp, ...ent];
      };
      for (const withEnt of [false, true]) {
        const weights = [...dLp, ...(withEnt ? dEnt : new Array(T).fill(0))];
        const { dh, dW } = lmHeadBackward(dLp, withEnt ? dEnt : undefined, h, W, targets, T, H, V, temp);
        for (const [name, an, x] of [['dh', dh, h], ['dW', dW, W]] as const) {
          const c = closeness(an, fdGrad(f, weights, x));
          expect(c.maxRel, `${name} (entropy ${withEnt}) worst index ${c.worstIndex}`).toBeLessThan(1e-6);
        }
      }
    });
  });

  it('refuses a temperature that is not a finite number > 0', () => {
    for (const temp of [0, -0.5, NaN, Infinity]) {
      expect(() => lmHeadForward(h, W, targets, T, H, V, temp)).toThrow(/temperature must be a finite number > 0/);
      expect(() => lmHeadBackward([1, 1, 1, 1, 1], undefined, h, W, targets, T, H, V, temp)).toThrow(/temperature must be a finite number > 0/);
    }
  });

  it('is stable for large logits', () => {
    const big = W.map((x) => x * 1e4);
    const { logprob, entropy } = lmHeadForward(h, big, targets, T, H, V);
    for (let t = 0; t < T; t++) {
      expect(Number.isFinite(logprob[t])).toBe(true);
      expect(Number.isFinite(entropy[t])).toBe(true);
    }
  });
});
