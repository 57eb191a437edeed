// Causal GQA attention over packed sequences: sanity, independence of packing, head grouping,
// and backward vs finite differences.
import { describe, expect, it } from 'vitest';
import { attentionBackward, attentionForward, type AttnShape } from '../../src/ops/ref/attention.js';
import { closeness, fdGrad } from '../../src/ops/ref/finite-diff.js';
import { makeRng, randomArray } from '../../src/ops/ref/random.js';
import { cuSeqlensFromLengths } from '../../src/ops/ref/seqlens.js';

const lengths = [1, 4, 6];
const cu = cuSeqlensFromLengths(lengths);
const shape: AttnShape = { T: 11, nh: 4, nkv: 2, hd: 8 };
const { T, nh, nkv, hd } = shape;
const rng = makeRng(11);
const q = randomArray(T * nh * hd, rng);
const k = randomArray(T * nkv * hd, rng);
const v = randomArray(T * nkv * hd, rng);

describe('attention (reference)', () => {
  it('a single token returns its v (per kv group) and lse = its own score', () => {
    const s1: AttnShape = { T: 1, nh: 4, nkv: 2, hd: 8 };
    const q1 = q.slice(0, 32), k1 = k.slice(0, 16), v1 = v.slice(0, 16);
    const { out, lse } = attentionForward(q1, k1, v1, [0, 1], s1);
    for (let h = 0; h < 4; h++) {
      const g = Math.floor(h / 2);
      expect(Array.from(out.subarray(h * 8, h * 8 + 8))).toEqual(Array.from(v1.subarray(g * 8, g * 8 + 8)));
      let s = 0;
      for (let d = 0; d < 8; d++) s += q1[h * 8 + d]! * k1[g * 8 + d]!;
      expect(lse[h]).toBeCloseTo(s / Math.sqrt(8), 14);
    }
  });

  it('packed output equals running each sequence on its own', () => {
    const packed = attentionForward(q, k, v, cu, shape);
    for (let s = 0; s < lengths.length; s++) {
      const a = cu[s]!, b = cu[s + 1]!;
      const sub = attentionForward(
        q.slice(a * nh * hd, b * nh * hd),
        k.slice(a * nkv * hd, b * nkv * hd),
        v.slice(a * nkv * hd, b * nkv * hd),
        [0, b - a],
        { ...shape, T: b - a },
      );
      expect(closeness(packed.out.subarray(a * nh * hd, b * nh * hd), sub.out).maxAbs).toBeLessThan(1e-14);
      expect(closeness(packed.lse.subarray(a * nh, b * nh), sub.lse).maxAbs).toBeLessThan(1e-14);
    }
  });

  it('is causal: changing a later token does not change earlier outputs', () => {
    const k2 = Float64Array.from(k);
    const v2 = Float64Array.from(v);
    k2[(8 * nkv + 1) * hd] += 3; // token 8 (third sequence, position 3), kv head 1
    v2[(8 * nkv + 1) * hd] += 3;
    const a = attentionForward(q, k, v, cu, shape).out;
    const b = attentionForward(q, k2, v2, cu, shape).out;
    expect(Array.from(a.subarray(0, 8 * nh * hd))).toEqual(Array.from(b.subarray(0, 8 * nh * hd)));
    expect(a[8 * nh * hd + 2 * hd]).not.toBe(b[8 * nh * hd + 2 * hd]); // head 2 reads kv head 1
  });

  it('query head h reads kv head floor(h / (nh / nkv))', () => {
    // Same attention with kv heads explicitly repeated per query head (nkv = nh).
    const rep = (x: Float64Array) => {
      const out = new Float64Array(T * nh * hd);
      for (let t = 0; t < T; t++) {
        for (let h = 0; h < nh; h++) {
          const src = (t * nkv + Math.floor(h / (nh / nkv))) * hd;
          out.set(x.subarray(src, src + hd), (t * nh + h) * hd);
        }
      }
      return out;
    };
    const gqa = attentionForward(q, k, v, cu, shape).out;
    const mha = attentionForward(q, rep(k), rep(v), cu, { ...shape, nkv: nh }).out;
    expect(closeness(gqa, mha).maxAbs).toBeLessThan(1e-14);
  });

  it('backward matches finite differences (lengths 1, 4, 6; nh 4, nkv 2, hd 8)', () => {
    const fwd = attentionForward(q, k, v, cu, shape);
    const dOut = randomArray(T * nh * hd, rng);
    const { dq, dk, dv } = attentionBackward(dOut, q, k, v, fwd.out, fwd.lse, cu, shape);
    const f = () => attentionForward(q, k, v, cu, shape).out;
    for (const [name, an, x] of [['dq', dq, q], ['dk', dk, k], ['dv', dv, v]] as const) {
      const c = closeness(an, fdGrad(f, dOut, x));
      expect(c.maxRel, `${name} worst index ${c.worstIndex}`).toBeLessThan(1e-6);
    }
  });

  it('rejects bad cu_seqlens and head counts by name', () => {
    expect(() => attentionForward(q, k, v, [0, 5, 10], shape)).toThrow(/cu_seqlens ends at 10 but there are 11 tokens/);
    expect(() => attentionForward(q, k, v, [0, 6, 5, 11], shape)).toThrow(/cu_seqlens\[2\] = 5/);
    expect(() => attentionForward(q, k, v, cu, { ...shape, nkv: 3 })).toThrow(/multiple of nkv/);
  });
});
