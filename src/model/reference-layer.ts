// One Qwen3 decoder layer in float64, forward and manual backward, built from src/ops/ref:
//   n1 = input_layernorm(x)
//   q, k, v = n1 Wq^T, n1 Wk^T, n1 Wv^T            [T, nh*hd], [T, nkv*hd], [T, nkv*hd]
//   qr = rope(q_norm(q)), kr = rope(k_norm(k))     (norms per head over hd)
//   a  = attention(qr, kr, v)                       [T, nh*hd]
//   h  = x + a Wo^T
//   n2 = post_attention_layernorm(h)
//   out = h + down(silu(n2 Wg^T) * (n2 Wu^T))
import { attentionBackward, attentionForward, type AttnShape } from '../ops/ref/attention.js';
import { linearBackward, linearForward } from '../ops/ref/matmul.js';
import { residualForward } from '../ops/ref/residual.js';
import { rmsnormBackward, rmsnormForward } from '../ops/ref/rmsnorm.js';
import { ropeBackward, ropeForward } from '../ops/ref/rope.js';
import { swigluBackward, swigluForward } from '../ops/ref/swiglu.js';
import type { LayerKey, RefConfig } from './reference-weights.js';

export type LayerWeights = Record<LayerKey, Float64Array>;

/** What the backward needs from the forward (everything, for readability over memory). */
export interface LayerCache {
  x: Float64Array; // layer input [T, H]
  n1: Float64Array; // [T, H]
  q: Float64Array; // [T, nh*hd] before q_norm
  k: Float64Array; // [T, nkv*hd] before k_norm
  v: Float64Array; // [T, nkv*hd]
  qr: Float64Array; // after norm + rope
  kr: Float64Array;
  attn: Float64Array; // [T, nh*hd]
  lse: Float64Array; // [T, nh]
  h: Float64Array; // [T, H] after the attention residual
  n2: Float64Array; // [T, H]
  g: Float64Array; // [T, I] gate pre-activation
  u: Float64Array; // [T, I]
  act: Float64Array; // [T, I] silu(g) * u
}

export interface LayerCtx {
  cfg: RefConfig;
  T: number;
  positions: Int32Array; // per token, restarting per sequence
  cuSeqlens: ArrayLike<number>;
}

function attnShape(c: LayerCtx): AttnShape {
  return { T: c.T, nh: c.cfg.heads, nkv: c.cfg.kvHeads, hd: c.cfg.headDim };
}

export function layerForward(c: LayerCtx, w: LayerWeights, x: Float64Array): { out: Float64Array; cache: LayerCache } {
  const { cfg, T, positions } = c;
  const { hidden: H, heads: nh, kvHeads: nkv, headDim: hd, intermediate: I, eps, ropeTheta } = cfg;
  const n1 = rmsnormForward(x, w.inputNorm, T, H, eps).out;
  const q = linearForward(n1, w.q, T, H, nh * hd);
  const k = linearForward(n1, w.k, T, H, nkv * hd);
  const v = linearForward(n1, w.v, T, H, nkv * hd);
  const qn = rmsnormForward(q, w.qNorm, T * nh, hd, eps).out;
  const kn = rmsnormForward(k, w.kNorm, T * nkv, hd, eps).out;
  const qr = ropeForward(qn, T, nh, hd, positions, ropeTheta);
  const kr = ropeForward(kn, T, nkv, hd, positions, ropeTheta);
  const { out: attn, lse } = attentionForward(qr, kr, v, c.cuSeqlens, attnShape(c));
  const h = residualForward(x, linearForward(attn, w.o, T, nh * hd, H));
  const n2 = rmsnormForward(h, w.postNorm, T, H, eps).out;
  const g = linearForward(n2, w.gate, T, H, I);
  const u = linearForward(n2, w.up, T, H, I);
  const act = swigluForward(g, u);
  const out = residualForward(h, linearForward(act, w.down, T, I, H));
  return { out, cache: { x, n1, q, k, v, qr, kr, attn, lse, h, n2, g, u, act } };
}

function addInto(acc: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < acc.length; i++) acc[i] += b[i]!;
  return acc;
}

/** Given dOut = dL/d(layer output), returns dL/dx and every weight gradient of the layer. */
export function layerBackward(
  c: LayerCtx,
  w: LayerWeights,
  s: LayerCache,
  dOut: Float64Array,
): { dx: Float64Array; grads: LayerWeights } {
  const { cfg, T, positions } = c;
  const { hidden: H, heads: nh, kvHeads: nkv, headDim: hd, intermediate: I, eps, ropeTheta } = cfg;

  // MLP branch: out = h + down(act); dh collects the residual path and the branch.
  const down = linearBackward(dOut, s.act, w.down, T, I, H);
  const sw = swigluBackward(down.dX, s.g, s.u);
  const gate = linearBackward(sw.dg, s.n2, w.gate, T, H, I);
  const up = linearBackward(sw.du, s.n2, w.up, T, H, I);
  const dn2 = addInto(gate.dX, up.dX);
  const post = rmsnormBackward(dn2, s.h, w.postNorm, T, H, eps);
  const dh = addInto(Float64Array.from(dOut), post.dx);

  // Attention branch: h = x + o(attn).
  const o = linearBackward(dh, s.attn, w.o, T, nh * hd, H);
  const at = attentionBackward(o.dX, s.qr, s.kr, s.v, s.attn, s.lse, c.cuSeqlens, attnShape(c));
  const dqn = ropeBackward(at.dq, T, nh, hd, positions, ropeTheta);
  const dkn = ropeBackward(at.dk, T, nkv, hd, positions, ropeTheta);
  const qNorm = rmsnormBackward(dqn, s.q, w.qNorm, T * nh, hd, eps);
  const kNorm = rmsnormBackward(dkn, s.k, w.kNorm, T * nkv, hd, eps);
  const qp = linearBackward(qNorm.dx, s.n1, w.q, T, H, nh * hd);
  const kp = linearBackward(kNorm.dx, s.n1, w.k, T, H, nkv * hd);
  const vp = linearBackward(at.dv, s.n1, w.v, T, H, nkv * hd);
  const dn1 = addInto(addInto(qp.dX, kp.dX), vp.dX);
  const inp = rmsnormBackward(dn1, s.x, w.inputNorm, T, H, eps);
  const dx = addInto(Float64Array.from(dh), inp.dx);

  return {
    dx,
    grads: {
      inputNorm: inp.dw,
      postNorm: post.dw,
      q: qp.dW,
      k: kp.dW,
      v: vp.dW,
      o: o.dW,
      qNorm: qNorm.dw,
      kNorm: kNorm.dw,
      gate: gate.dW,
      up: up.dW,
      down: down.dW,
    },
  };
}
