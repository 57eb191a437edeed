// An independent, token-by-token (KV-cache style) Qwen3 decoder written here from the spec with
// its own helpers (nothing from src/ops/ref), checked against the batched float64 reference.
// Catches forward wiring mistakes that a gradient check cannot (e.g. a norm applied to the wrong
// tensor is still differentiated correctly).
import { describe, expect, it } from 'vitest';
import { makeRng, randomInts } from '../../src/ops/ref/random.js';
import {
  randomReferenceWeights,
  referenceForward,
  referenceNextTokenLogits,
  type RefConfig,
  type RefWeights,
} from '../../src/model/reference.js';

/** y = W x for W [out, in] stored row-major. */
function matvec(W: Float64Array, x: number[], out: number): number[] {
  const n = x.length;
  return Array.from({ length: out }, (_, o) => x.reduce((a, xi, i) => a + W[o * n + i]! * xi, 0));
}

function rmsnorm(x: number[], w: Float64Array, eps: number): number[] {
  const r = 1 / Math.sqrt(x.reduce((a, v) => a + v * v, 0) / x.length + eps);
  return x.map((v, i) => v * r * w[i]!);
}

/** HF rotate_half rope on one head vector. */
function rope(x: number[], pos: number, theta: number): number[] {
  const half = x.length / 2;
  const out = x.slice();
  for (let i = 0; i < half; i++) {
    const a = pos / Math.pow(theta, (2 * i) / x.length);
    out[i] = x[i]! * Math.cos(a) - x[i + half]! * Math.sin(a);
    out[i + half] = x[i + half]! * Math.cos(a) + x[i]! * Math.sin(a);
  }
  return out;
}

/** Decodes one sequence token by token with a per-layer KV cache; returns logits after each token. */
function decode(cfg: RefConfig, w: RefWeights, seq: number[]): number[][] {
  const { hidden: H, heads: nh, kvHeads: nkv, headDim: hd, intermediate: I, eps } = cfg;
  const L = (i: number, s: string) => w[`model.layers.${i}.${s}.weight`]!;
  const kCache: number[][][][] = Array.from({ length: cfg.layers }, () => []); // [layer][pos][kvh][hd]
  const vCache: number[][][][] = Array.from({ length: cfg.layers }, () => []);
  const logits: number[][] = [];
  seq.forEach((tok, pos) => {
    let x = Array.from(w['model.embed_tokens.weight']!.subarray(tok * H, (tok + 1) * H));
    for (let l = 0; l < cfg.layers; l++) {
      const n = rmsnorm(x, L(l, 'input_layernorm'), eps);
      const q = matvec(L(l, 'self_attn.q_proj'), n, nh * hd);
      const k = matvec(L(l, 'self_attn.k_proj'), n, nkv * hd);
      const v = matvec(L(l, 'self_attn.v_proj'), n, nkv * hd);
      const heads = (a: number[], c: number) => Array.from({ length: c }, (_, h) => a.slice(h * hd, (h + 1) * hd));
      const qh = heads(q, nh).map((e) => rope(rmsnorm(e, L(l, 'self_attn.q_norm'), eps), pos, cfg.ropeTheta));
      kCache[l]!.push(heads(k, nkv).map((e) => rope(rmsnorm(e, L(l, 'self_attn.k_norm'), eps), pos, cfg.ropeTheta)));
      vCache[l]!.push(heads(v, nkv));
      const attn: number[] = [];
      qh.forEach((qv, h) => {
        const g = Math.floor(h / (nh / nkv));
        const s = kCache[l]!.map((kp) => qv.reduce((a, e, d) => a + e * kp[g]![d]!, 0) / Math.sqrt(hd));
        const m = Math.max(...s);
        const p = s.map((e) => Math.exp(e - m));
        const z = p.reduce((a, e) => a + e, 0);
        for (let d = 0; d < hd; d++) attn.push(vCache[l]!.reduce((a, vp, j) => a + (p[j]! / z) * vp[g]![d]!, 0));
      });
      x = matvec(L(l, 'self_attn.o_proj'), attn, H).map((e, i) => e + x[i]!);
      const n2 = rmsnorm(x, L(l, 'post_attention_layernorm'), eps);
      const gate = matvec(L(l, 'mlp.gate_proj'), n2, I);
      const up = matvec(L(l, 'mlp.up_proj'), n2, I);
      const act = gate.map((gv, i) => (gv / (1 + Math.exp(-gv))) * up[i]!);
      x = matvec(L(l, 'mlp.down_proj'), act, H).map((e, i) => e + x[i]!);
    }
    const head = cfg.tied ? w['model.embed_tokens.weight']! : w['lm_head.weight']!;
    logits.push(matvec(head, rmsnorm(x, w['model.norm.weight']!, eps), cfg.vocab));
  });
  return logits;
}

function logSoftmaxAt(z: number[], y: number): number {
  const m = Math.max(...z);
  return z[y]! - m - Math.log(z.reduce((a, e) => a + Math.exp(e - m), 0));
}

describe('reference Qwen3 vs an independent token-by-token decoder', () => {
  const base: RefConfig = {
    hidden: 16, layers: 2, heads: 4, kvHeads: 2, headDim: 8,
    intermediate: 24, vocab: 50, ropeTheta: 1e6, eps: 1e-6, tied: false,
  };
  for (const cfg of [base, { ...base, tied: true, heads: 6, kvHeads: 3, ropeTheta: 100 }]) {
    it(`agrees on logprobs and next-token logits (tied ${cfg.tied}, ${cfg.heads}/${cfg.kvHeads} heads)`, () => {
      const w = randomReferenceWeights(cfg, 17);
      const rng = makeRng(3);
      const a = Array.from(randomInts(5, rng, cfg.vocab));
      const b = Array.from(randomInts(7, rng, cfg.vocab));
      const ref = referenceForward(cfg, w, [...a, ...b], [0, 5, 12]);
      for (const [seq, off] of [[a, 0], [b, 5]] as const) {
        const logits = decode(cfg, w, seq);
        for (let t = 0; t + 1 < seq.length; t++) {
          expect(ref.logprobs[off + t]).toBeCloseTo(logSoftmaxAt(logits[t]!, seq[t + 1]!), 11);
        }
        const next = referenceNextTokenLogits(cfg, w, seq);
        for (let v = 0; v < cfg.vocab; v++) expect(next[v]).toBeCloseTo(logits[seq.length - 1]![v]!, 11);
      }
    });
  }
});
