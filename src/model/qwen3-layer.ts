// One Qwen3 decoder layer on the GPU ops, forward and backward written out plainly (llm.c style):
//   n1 = input_layernorm(x)
//   q, k, v = n1 Wq^T, n1 Wk^T, n1 Wv^T
//   qr = rope(q_norm(q)), kr = rope(k_norm(k))       (norms per head over head_dim)
//   attn = attention(qr, kr, v)                       (packed causal, or decode against the cache)
//   h = x + attn Wo^T
//   n2 = post_attention_layernorm(h)
//   out = h + down(silu(n2 Wg^T) * (n2 Wu^T))
// Activations are bf16, norm statistics / lse f32. The backward reads the activations of a fresh
// recompute of the same layer and accumulates (+=) f32 weight gradients; the residual-stream
// gradient `dres` is f32 (it sums a contribution per layer) and is cast to bf16 for the GEMMs.
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { attentionBackward, type AttnOptions, type SeqInfo } from '../ops/attention.js';
import { cast } from '../ops/cast.js';
import { linear, linearBackwardInput, linearBackwardWeight, type MatmulOpts } from '../ops/matmul.js';
import { add, addInPlace } from '../ops/residual.js';
import { rmsnormBackward, rmsnormForward } from '../ops/rmsnorm.js';
import { ropeBackward, ropeForward } from '../ops/rope.js';
import { swigluBackward, swigluForward } from '../ops/swiglu.js';
import type { Qwen3Config } from './config.js';
import type { LayerBwdActs, LayerFwdActs } from './qwen3-activations.js';
import type { LayerKey, LayerWeights } from './qwen3-weights.js';

export type LayerGrads = Record<LayerKey, Tensor>;

/** Which kernel variants the layer's GEMMs and attention run (benchmarks and tests choose; the
 *  defaults are the measured ones). */
export interface LayerKernels {
  matmul?: Pick<MatmulOpts, 'path' | 'sgmatVariant' | 'sgmat2'>;
  attention?: Pick<AttnOptions, 'variant' | 'emulate'>;
}

export interface LayerCtx {
  gpu: Gpu;
  cfg: Qwen3Config;
  T: number;
  positions: Tensor; // u32 [T]
  /** Fills a.attn (and a.lse where the backward needs it) from a.qr, a.kr, a.v for layer `l`. */
  attend: (a: LayerFwdActs, l: number) => void;
  kernels?: LayerKernels;
}

export interface LayerBwdCtx extends LayerCtx {
  cuSeqlens: Tensor;
  seqInfo: SeqInfo;
}

function ropeDims(cfg: Qwen3Config, T: number, heads: number) {
  return { tokens: T, heads, headDim: cfg.head_dim, theta: cfg.rope_theta, maxPosition: cfg.max_position_embeddings };
}

/** Layer `l` forward from x into the activations `a`; writes the layer output to `out` when given
 *  (the backward's recompute passes null: it only needs the activations). */
export function layerForward(ctx: LayerCtx, l: number, w: LayerWeights, x: Tensor, a: LayerFwdActs, out: Tensor | null): void {
  const { gpu, cfg, T, positions } = ctx;
  const H = cfg.hidden_size;
  const eps = cfg.rms_norm_eps;
  const nh = cfg.num_attention_heads;
  const nkv = cfg.num_key_value_heads;
  const hd = cfg.head_dim;
  const mm = ctx.kernels?.matmul ?? {};

  rmsnormForward(gpu, x, w.inputNorm, a.n1, a.rstd1, { rows: T, dim: H, eps });
  linear(gpu, a.n1, w.q, a.q, mm);
  linear(gpu, a.n1, w.k, a.k, mm);
  linear(gpu, a.n1, w.v, a.v, mm);
  rmsnormForward(gpu, a.q, w.qNorm, a.qn, a.rstdq, { rows: T * nh, dim: hd, eps });
  rmsnormForward(gpu, a.k, w.kNorm, a.kn, a.rstdk, { rows: T * nkv, dim: hd, eps });
  ropeForward(gpu, a.qn, positions, a.qr, ropeDims(cfg, T, nh));
  ropeForward(gpu, a.kn, positions, a.kr, ropeDims(cfg, T, nkv));
  ctx.attend(a, l);
  linear(gpu, a.attn, w.o, a.proj, mm);
  add(gpu, x, a.proj, a.h);

  rmsnormForward(gpu, a.h, w.postNorm, a.n2, a.rstd2, { rows: T, dim: H, eps });
  linear(gpu, a.n2, w.gate, a.g, mm);
  linear(gpu, a.n2, w.up, a.u, mm);
  swigluForward(gpu, a.g, a.u, a.act);
  if (out) {
    linear(gpu, a.act, w.down, a.proj, mm);
    add(gpu, a.h, a.proj, out);
  }
}

/**
 * Layer backward. On entry b.dres holds dL/d(layer output) (f32); on exit dL/d(layer input).
 * `a` must hold this layer's forward activations for input x; g's tensors are accumulated into.
 */
export function layerBackward(ctx: LayerBwdCtx, w: LayerWeights, g: LayerGrads, x: Tensor, a: LayerFwdActs, b: LayerBwdActs): void {
  const { gpu, cfg, T, positions } = ctx;
  const H = cfg.hidden_size;
  const eps = cfg.rms_norm_eps;
  const nh = cfg.num_attention_heads;
  const nkv = cfg.num_key_value_heads;
  const hd = cfg.head_dim;
  const mm = ctx.kernels?.matmul ?? {};
  const acc = { ...mm, accumulate: true };

  // MLP: out = h + down(act), act = silu(gate) * up.
  cast(gpu, b.dres, b.dresBf);
  linearBackwardWeight(gpu, b.dresBf, a.act, g.down, acc);
  linearBackwardInput(gpu, b.dresBf, w.down, b.dAct, mm);
  swigluBackward(gpu, b.dAct, a.g, a.u, b.dG, b.dU);
  linearBackwardWeight(gpu, b.dG, a.n2, g.gate, acc);
  linearBackwardWeight(gpu, b.dU, a.n2, g.up, acc);
  linearBackwardInput(gpu, b.dG, w.gate, b.dn, mm);
  linearBackwardInput(gpu, b.dU, w.up, b.dn, acc);
  cast(gpu, b.dn, b.dnBf);
  rmsnormBackward(gpu, b.dnBf, a.h, w.postNorm, a.rstd2, b.dxTmp, g.postNorm, { rows: T, dim: H, eps });
  addInPlace(gpu, b.dres, b.dxTmp); // dres = dL/dh

  // Attention: h = x + o(attn).
  cast(gpu, b.dres, b.dresBf);
  linearBackwardWeight(gpu, b.dresBf, a.attn, g.o, acc);
  linearBackwardInput(gpu, b.dresBf, w.o, b.dAttn, mm);
  attentionBackward(gpu, b.dAttn, a.qr, a.kr, a.v, a.attn, a.lse, ctx.cuSeqlens, b.dqr, b.dkr, b.dv, { heads: nh, kvHeads: nkv, headDim: hd }, ctx.seqInfo, ctx.kernels?.attention);
  ropeBackward(gpu, b.dqr, positions, b.dqn, ropeDims(cfg, T, nh));
  ropeBackward(gpu, b.dkr, positions, b.dkn, ropeDims(cfg, T, nkv));
  rmsnormBackward(gpu, b.dqn, a.q, w.qNorm, a.rstdq, b.dq, g.qNorm, { rows: T * nh, dim: hd, eps });
  rmsnormBackward(gpu, b.dkn, a.k, w.kNorm, a.rstdk, b.dk, g.kNorm, { rows: T * nkv, dim: hd, eps });
  linearBackwardWeight(gpu, b.dq, a.n1, g.q, acc);
  linearBackwardWeight(gpu, b.dk, a.n1, g.k, acc);
  linearBackwardWeight(gpu, b.dv, a.n1, g.v, acc);
  linearBackwardInput(gpu, b.dq, w.q, b.dn, mm);
  linearBackwardInput(gpu, b.dk, w.k, b.dn, acc);
  linearBackwardInput(gpu, b.dv, w.v, b.dn, acc);
  cast(gpu, b.dn, b.dnBf);
  rmsnormBackward(gpu, b.dnBf, x, w.inputNorm, a.rstd1, b.dxTmp, g.inputNorm, { rows: T, dim: H, eps });
  addInPlace(gpu, b.dres, b.dxTmp); // dres = dL/dx
}
