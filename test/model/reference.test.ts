// Float64 reference Qwen3: every weight gradient against central finite differences on a tiny
// config (heads * headDim = 32 != hidden = 16, so a swapped projection layout fails), untied and
// tied, plus packing, targets and next-token consistency.
import { describe, expect, it } from 'vitest';
import { centralDiff5, closeness, directionalDiff5 } from '../../src/ops/ref/finite-diff.js';
import { makeRng, randomArray, randomInts } from '../../src/ops/ref/random.js';
import { cuSeqlensFromLengths } from '../../src/ops/ref/seqlens.js';
import {
  argmax,
  checkReferenceWeights,
  nextTokenTargets,
  randomReferenceWeights,
  referenceBackward,
  referenceForward,
  referenceGreedy,
  referenceLogits,
  referenceNextTokenLogits,
  referenceWeightShapes,
  type RefConfig,
} from '../../src/model/reference.js';

const cfg: RefConfig = {
  hidden: 16,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 8,
  intermediate: 24,
  vocab: 50,
  ropeTheta: 10000,
  eps: 1e-6,
  tied: false,
};
const lengths = [1, 4, 6];
const cu = cuSeqlensFromLengths(lengths);
const T = 11;
const rng = makeRng(99);
const tokens = randomInts(T, rng, cfg.vocab);
const dLogprobs = randomArray(T, rng);
const dEntropy = randomArray(T, rng);

// Five-point finite differences with h = 1e-3 (error O(h^4)): the plain central difference is
// either truncation-limited (~1e-6 relative through the per-head k_norm at h = 1e-4) or
// rounding-limited (the loss sums ~20 terms) at smaller h; the stencil measures ~1e-8 here.
// Relative error is measured against max(|grad|, 1e-3).
const H_FD = 1e-3;
const RTOL = 1e-6;
const ENTRIES_PER_TENSOR = 6;

function gradCheck(c: RefConfig, seed: number): void {
  const w = randomReferenceWeights(c, seed);
  const loss = () => {
    const r = referenceForward(c, w, tokens, cu);
    let s = 0;
    for (let t = 0; t < T; t++) s += dLogprobs[t]! * r.logprobs[t]! + dEntropy[t]! * r.entropy[t]!;
    return s;
  };
  const { grads } = referenceBackward(c, w, tokens, cu, dLogprobs, dEntropy);
  expect(Object.keys(grads).sort()).toEqual([...referenceWeightShapes(c).keys()].sort());
  const pick = makeRng(seed + 1);
  for (const [name, x] of Object.entries(w)) {
    const g = grads[name]!;
    expect(g.length, name).toBe(x.length);
    // A few single entries...
    const idx = Array.from({ length: Math.min(ENTRIES_PER_TENSOR, x.length) }, () => Math.floor(pick() * x.length));
    const fd = idx.map((i) => centralDiff5(loss, x, i, H_FD));
    const c1 = closeness(idx.map((i) => g[i]!), fd);
    expect(c1.maxRel, `${name} entry ${idx[c1.worstIndex]}`).toBeLessThan(RTOL);
    // ...and the whole tensor along a random unit direction.
    const d = randomArray(x.length, pick);
    const dn = Math.hypot(...d);
    for (let i = 0; i < d.length; i++) d[i] /= dn;
    let an = 0;
    for (let i = 0; i < x.length; i++) an += g[i]! * d[i]!;
    const c2 = closeness([an], [directionalDiff5(loss, x, d, H_FD)]);
    expect(c2.maxRel, `${name} directional`).toBeLessThan(RTOL);
    expect(Math.abs(an), `${name} gradient is not identically zero`).toBeGreaterThan(1e-8);
  }
}

describe('reference Qwen3 model', () => {
  it('targets are the next token within each packed sequence', () => {
    const t = nextTokenTargets([5, 6, 7, 8, 9, 10, 11], [0, 1, 4, 7]);
    expect(Array.from(t)).toEqual([-1, 7, 8, -1, 10, 11, -1]);
    const r = referenceForward(cfg, randomReferenceWeights(cfg, 1), tokens, cu);
    for (const end of [0, 4, 10]) {
      expect(r.logprobs[end]).toBe(0);
      expect(r.targets[end]).toBe(-1);
    }
    for (let i = 0; i < T; i++) if (r.targets[i]! >= 0) expect(r.logprobs[i]).toBeLessThan(0);
  });

  it('every weight gradient matches finite differences (untied)', () => {
    gradCheck(cfg, 5);
  });

  it('every weight gradient matches finite differences (tied: lm_head grads add into embed)', () => {
    gradCheck({ ...cfg, tied: true }, 6);
  });

  it('packing sequences together changes nothing', () => {
    const w = randomReferenceWeights(cfg, 2);
    const packed = referenceForward(cfg, w, tokens, cu);
    for (let s = 0; s < lengths.length; s++) {
      const a = cu[s]!, b = cu[s + 1]!;
      const alone = referenceForward(cfg, w, tokens.slice(a, b), [0, b - a]);
      expect(closeness(packed.logprobs.subarray(a, b), alone.logprobs).maxAbs).toBeLessThan(1e-12);
      expect(closeness(packed.entropy.subarray(a, b), alone.entropy).maxAbs).toBeLessThan(1e-12);
    }
  });

  it('next-token logits agree with the forward logprobs, softmax sums to 1, greedy is argmax', () => {
    const w = randomReferenceWeights(cfg, 3);
    const seq = tokens.slice(5, 11); // the length-6 sequence
    const fwd = referenceForward(cfg, w, seq, [0, 6]);
    const logits = referenceNextTokenLogits(cfg, w, seq.slice(0, 5));
    let m = -Infinity;
    for (const z of logits) m = Math.max(m, z);
    let s = 0;
    for (const z of logits) s += Math.exp(z - m);
    const lse = m + Math.log(s);
    expect(logits[seq[5]!]! - lse).toBeCloseTo(fwd.logprobs[4]!, 12);
    let total = 0;
    for (const z of logits) total += Math.exp(z - lse);
    expect(total).toBeCloseTo(1, 13);

    const all = referenceLogits(cfg, w, seq, [0, 6]);
    expect(closeness(all.subarray(5 * cfg.vocab), referenceNextTokenLogits(cfg, w, seq)).maxAbs).toBeLessThan(1e-12);

    const gen = referenceGreedy(cfg, w, seq.slice(0, 2), 3);
    const full = [...seq.slice(0, 2), ...gen];
    const fl = referenceLogits(cfg, w, full, [0, full.length]);
    for (let i = 0; i < 3; i++) {
      const row = fl.subarray((1 + i) * cfg.vocab, (2 + i) * cfg.vocab);
      expect(gen[i]).toBe(argmax(row));
    }
  });

  it('with no layers, logprobs are log_softmax(norm(embed) W^T) computed by hand', () => {
    const c0 = { ...cfg, layers: 0 };
    const w = randomReferenceWeights(c0, 4);
    const r = referenceForward(c0, w, [3, 7], [0, 2]);
    const H = c0.hidden;
    const e = w['model.embed_tokens.weight']!.subarray(3 * H, 4 * H);
    const rms = Math.sqrt(e.reduce((a, x) => a + x * x, 0) / H + c0.eps);
    const n = Array.from(e, (x, j) => (x / rms) * w['model.norm.weight']![j]!);
    const W = w['lm_head.weight']!;
    const z = Array.from({ length: c0.vocab }, (_, v) => n.reduce((a, x, j) => a + x * W[v * H + j]!, 0));
    const lse = Math.log(z.reduce((a, x) => a + Math.exp(x), 0));
    expect(r.logprobs[0]).toBeCloseTo(z[7]! - lse, 12);
  });

  it('names missing, unexpected and mis-sized tensors', () => {
    const w = randomReferenceWeights(cfg, 8);
    expect(() => checkReferenceWeights({ ...cfg, tied: true }, w)).toThrow(/unexpected tensor lm_head.weight/);
    const { ['model.layers.1.self_attn.k_norm.weight']: _gone, ...rest } = w;
    expect(() => checkReferenceWeights(cfg, rest)).toThrow(/missing tensor model.layers.1.self_attn.k_norm.weight/);
    const bad = { ...w, 'model.layers.0.self_attn.q_proj.weight': new Float64Array(16 * 16) };
    expect(() => referenceForward(cfg, bad, tokens, cu)).toThrow(/q_proj.weight has 256 elements, expected \[32, 16\]/);
  });
});
