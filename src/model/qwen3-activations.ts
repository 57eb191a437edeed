// Activation buffers of the Qwen3 forward/backward, llm.c style: allocated once for the largest
// token count, then viewed at each batch's T (a view is a Tensor of shape [T, cols] over the same
// buffer: ops take their sizes from shapes).
//
// Memory plan (activation checkpointing at every layer). Per token, with H hidden, Q = nh*hd,
// KV = nkv*hd, I intermediate, L layers (bf16 = 2 bytes, f32 = 4):
//   kept for backward:   each layer's input x_l [T, H] bf16, l = 0..L (x_L feeds the final norm):
//                        2H (L+1)
//   one layer's forward scratch (LAYER_FWD; recomputed per layer in the backward):
//                        8H + 8Q + 8KV + 6I + 8 + 8nh + 4nkv
//   one layer's backward scratch (LAYER_BWD, allocated at the first backward):
//                        14H + 8Q + 8KV + 6I
//   head (final norm in/out): 4H + 4; lm_head runs on the scored rows only (src/model/qwen3-head.ts:
//                        4H + 32 per scored token, per batch), plus its own [rows, 8192] f32 logits block
// Qwen3-14B (H 5120, Q 5120, KV 1024, I 17408, nh 40, nkv 8, L 40): kept 419,840 B/token, forward
// scratch 194,920, backward scratch 225,280, head 20,484: 860,524 B/token in all, 14.1 GB at
// 16384 tokens (bytesPerToken computes it; the weights' f32 gradients are separate: 4 B/param).
// Without recompute (ModelOptions.recompute false: small models, where memory is plentiful and the
// recomputed forward is a quarter of a training pass's work) every layer keeps its own forward set:
// L x the forward scratch instead of 1 x.
import type { Gpu } from '../gpu/gpu.js';
import { Tensor, type DType } from '../gpu/tensor.js';
import type { Qwen3Config } from './config.js';

/** The layer's widths (shared with src/plan/ops.ts's op list). */
export interface Dims {
  H: number;
  Q: number;
  KV: number;
  I: number;
  nh: number;
  nkv: number;
}

export function dimsOf(c: Qwen3Config): Dims {
  return {
    H: c.hidden_size,
    Q: c.num_attention_heads * c.head_dim,
    KV: c.num_key_value_heads * c.head_dim,
    I: c.intermediate_size,
    nh: c.num_attention_heads,
    nkv: c.num_key_value_heads,
  };
}

type Spec = Record<string, [cols: (d: Dims) => number, dtype: DType]>;

/** One layer's forward activations (recomputed from x_l in the backward). */
const LAYER_FWD = {
  n1: [(d) => d.H, 'bf16'], // input_layernorm(x)
  rstd1: [() => 1, 'f32'],
  q: [(d) => d.Q, 'bf16'], // projections, before q_norm / k_norm
  k: [(d) => d.KV, 'bf16'],
  v: [(d) => d.KV, 'bf16'],
  qn: [(d) => d.Q, 'bf16'], // after q_norm / k_norm, before RoPE (temporaries)
  kn: [(d) => d.KV, 'bf16'],
  rstdq: [(d) => d.nh, 'f32'],
  rstdk: [(d) => d.nkv, 'f32'],
  qr: [(d) => d.Q, 'bf16'], // after RoPE: attention's inputs
  kr: [(d) => d.KV, 'bf16'],
  attn: [(d) => d.Q, 'bf16'],
  lse: [(d) => d.nh, 'f32'],
  proj: [(d) => d.H, 'bf16'], // o_proj(attn), then reused for down_proj(act)
  h: [(d) => d.H, 'bf16'], // x + o_proj(attn)
  n2: [(d) => d.H, 'bf16'],
  rstd2: [() => 1, 'f32'],
  g: [(d) => d.I, 'bf16'],
  u: [(d) => d.I, 'bf16'],
  act: [(d) => d.I, 'bf16'], // silu(g) * u
} satisfies Spec;

/** One layer's backward temporaries. */
const LAYER_BWD = {
  dres: [(d) => d.H, 'f32'], // dL/d(residual stream), accumulated in f32 across layers
  dresBf: [(d) => d.H, 'bf16'], // its bf16 copy fed to the GEMMs
  dAct: [(d) => d.I, 'bf16'],
  dG: [(d) => d.I, 'bf16'],
  dU: [(d) => d.I, 'bf16'],
  dn: [(d) => d.H, 'f32'], // dL/d(norm output): sum of several GEMMs, f32
  dnBf: [(d) => d.H, 'bf16'],
  dxTmp: [(d) => d.H, 'bf16'], // rmsnorm backward's dx, added into dres
  dAttn: [(d) => d.Q, 'bf16'],
  dqr: [(d) => d.Q, 'bf16'],
  dkr: [(d) => d.KV, 'bf16'],
  dv: [(d) => d.KV, 'bf16'],
  dqn: [(d) => d.Q, 'bf16'],
  dkn: [(d) => d.KV, 'bf16'],
  dq: [(d) => d.Q, 'bf16'],
  dk: [(d) => d.KV, 'bf16'],
} satisfies Spec;

/** Final norm and lm_head. */
const HEAD = {
  nf: [(d) => d.H, 'bf16'], // model.norm(x_L)
  rstdf: [() => 1, 'f32'],
  dnf: [(d) => d.H, 'bf16'],
} satisfies Spec;

export type LayerFwdActs = { [K in keyof typeof LAYER_FWD]: Tensor };
export type LayerBwdActs = { [K in keyof typeof LAYER_BWD]: Tensor };
export type HeadActs = { [K in keyof typeof HEAD]: Tensor };

function specBytes(s: Spec, d: Dims): number {
  let b = 0;
  for (const [cols, dt] of Object.values(s)) b += cols(d) * (dt === 'f32' ? 4 : 2);
  return b;
}

/** Activation bytes per token: kept layer inputs (all layers), and each scratch set. */
export function bytesPerToken(c: Qwen3Config, o: { recompute?: boolean } = {}): { kept: number; layerForward: number; layerBackward: number; head: number; total: number } {
  const d = dimsOf(c);
  const kept = 2 * d.H * (c.num_hidden_layers + 1);
  const layerForward = specBytes(LAYER_FWD, d) * (o.recompute === false ? c.num_hidden_layers : 1);
  const layerBackward = specBytes(LAYER_BWD, d);
  const head = specBytes(HEAD, d);
  return { kept, layerForward, layerBackward, head, total: kept + layerForward + layerBackward + head };
}

/** A set of buffers for up to maxTokens rows, viewed at any T <= maxTokens. */
class BufferSet<S extends Spec> {
  private readonly buffers = new Map<string, { buffer: GPUBuffer; cols: number; dtype: DType }>();

  constructor(
    gpu: Gpu,
    readonly spec: S,
    d: Dims,
    readonly maxTokens: number,
    prefix: string,
  ) {
    for (const [name, [cols, dtype]] of Object.entries(spec)) {
      const t = gpu.empty([maxTokens, cols(d)], dtype, `${prefix}.${name}`);
      this.buffers.set(name, { buffer: t.buffer, cols: cols(d), dtype });
    }
  }

  view(T: number): { [K in keyof S]: Tensor } {
    if (T > this.maxTokens) throw new Error(`activations: ${T} tokens exceed the ${this.maxTokens} allocated`);
    const out: Record<string, Tensor> = {};
    for (const [name, b] of this.buffers) out[name] = new Tensor(b.buffer, b.cols === 1 ? [T] : [T, b.cols], b.dtype, `${b.buffer.label}[${T}]`);
    return out as { [K in keyof S]: Tensor };
  }

  destroy(): void {
    for (const b of this.buffers.values()) b.buffer.destroy();
    this.buffers.clear();
  }
}

/** All activation buffers of one model instance, sized for maxTokens. */
export class Activations {
  /** x_l, the input of layer l (x_L: the last layer's output), each [maxTokens, H] bf16. */
  private readonly xs: GPUBuffer[] = [];
  /** One forward set reused by every layer (recompute), or one per layer. */
  private readonly fwd: BufferSet<typeof LAYER_FWD>[] = [];
  private readonly head: BufferSet<typeof HEAD>;
  private bwd: BufferSet<typeof LAYER_BWD> | null = null;
  private readonly d: Dims;

  constructor(
    private readonly gpu: Gpu,
    c: Qwen3Config,
    readonly maxTokens: number,
    /** Whether the backward recomputes each layer's forward from x_l (one shared forward set). */
    readonly recompute = true,
  ) {
    this.d = dimsOf(c);
    for (let l = 0; l <= c.num_hidden_layers; l++) this.xs.push(gpu.empty([maxTokens, this.d.H], 'bf16', `act.x${l}`).buffer);
    for (let l = 0; l < (recompute ? 1 : c.num_hidden_layers); l++) this.fwd.push(new BufferSet(gpu, LAYER_FWD, this.d, maxTokens, recompute ? 'act.fwd' : `act.fwd${l}`));
    this.head = new BufferSet(gpu, HEAD, this.d, maxTokens, 'act.head');
  }

  x(l: number, T: number): Tensor {
    if (T > this.maxTokens) throw new Error(`activations: ${T} tokens exceed the ${this.maxTokens} allocated`);
    return new Tensor(this.xs[l]!, [T, this.d.H], 'bf16', `act.x${l}[${T}]`);
  }

  /** Layer l's forward activations (with recompute: the one set every layer shares). */
  layerForward(T: number, l: number): LayerFwdActs {
    return this.fwd[this.recompute ? 0 : l]!.view(T);
  }

  heads(T: number): HeadActs {
    return this.head.view(T);
  }

  /** Backward scratch, allocated on first use (inference never pays for it). */
  layerBackward(T: number): LayerBwdActs {
    this.bwd ??= new BufferSet(this.gpu, LAYER_BWD, this.d, this.maxTokens, 'act.bwd');
    return this.bwd.view(T);
  }

  destroy(): void {
    for (const b of this.xs) b.destroy();
    for (const f of this.fwd) f.destroy();
    this.head.destroy();
    this.bwd?.destroy();
  }
}
