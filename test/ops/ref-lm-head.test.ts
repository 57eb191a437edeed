// Fused lm_head + log-softmax + target logprob + entropy: sanity and backward vs finite differences.
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

  it('is stable for large logits', () => {
    const big = W.map((x) => x * 1e4);
    const { logprob, entropy } = lmHeadForward(h, big, targets, T, H, V);
    for (let t = 0; t < T; t++) {
      expect(Number.isFinite(logprob[t])).toBe(true);
      expect(Number.isFinite(entropy[t])).toBe(true);
    }
  });
});
