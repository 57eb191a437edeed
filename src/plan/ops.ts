// The op list of Qwen3 work at a config's shapes, with FLOPs (GEMMs, attention) and bytes moved
// (memory-bound kernels), as the code runs it:
//   - a training pass (src/model/qwen3.ts, qwen3-layer.ts, qwen3-head.ts, src/ops/lm-head.ts):
//     the forward keeps each layer's input; the backward recomputes each layer's forward from it
//     (activation checkpointing at every layer) WITHOUT down_proj and the last residual add
//     (layerForward(..., out = null): the backward does not need the layer output), then runs the
//     layer's backward; lm_head runs on the scored rows only and its backward recomputes the logits
//     chunk by chunk; with bf16 gradient accumulators every gradient group (head, each layer, the
//     embedding) is computed in a zeroed f32 scratch and added into the bf16 accumulators once;
//   - the optimizer work of one rank per step (src/train/rank.ts, src/parallel/shard-sync.ts,
//     src/train/optimizer.ts);
//   - the embedded sampler's prefill and decode step (src/model/generate.ts).
// Ops carry a multiplicity `count` (e.g. the number of layers); totals are flops * count.
// Byte counts are the minimum a kernel must move (each tensor read or written once).
import type { Qwen3Config } from '../model/config.js';
import { dimsOf as layerDims, type Dims as LayerDims } from '../model/qwen3-activations.js';

export type Layout = 'xwT' | 'dyW' | 'dyTx';
export type Phase = 'forward' | 'recompute' | 'backward' | 'step' | 'decode' | 'prefill';

/** Memory-bound kernel families (throughput.ts maps each to a bench case or the copy ceiling). */
export type MemKernel =
  | 'rmsnorm.fwd'
  | 'rmsnorm.bwd'
  | 'rope'
  | 'swiglu.fwd'
  | 'swiglu.bwd'
  | 'add'
  | 'cast'
  | 'embedding.fwd'
  | 'embedding.bwd'
  | 'copy-rows'
  | 'lm-head.softmax'
  | 'zero'
  | 'grad-commit'
  | 'grad-sum'
  | 'adamw'
  | 'sumsq'
  | 'kv-read'
  | 'weight-read'
  | 'sample';

interface OpBase {
  name: string;
  phase: Phase;
  count: number;
}

/** y = x W^T (xwT), dx = dy W (dyW), dW (+)= dy^T x (dyTx); M rows (tokens), N = the weight's out
 *  features, K = its in features, as bench/cases/matmul.ts names shapes. FLOPs 2 M N K. */
export interface GemmOp extends OpBase {
  kind: 'gemm';
  M: number;
  N: number;
  K: number;
  layout: Layout;
  flops: number;
}

/** Packed causal attention over sequences of these lengths (all query heads). */
export interface AttentionOp extends OpBase {
  kind: 'attention';
  pass: 'fwd' | 'bwd';
  seqLens: readonly number[];
  flops: number;
}

export interface MemoryOp extends OpBase {
  kind: 'memory';
  kernel: MemKernel;
  bytes: number;
  /** Arithmetic done alongside (decode GEMMs, which are weight-read bound); 0 for elementwise. */
  flops: number;
}

export type Op = GemmOp | AttentionOp | MemoryOp;

/** The layer's widths (src/model/qwen3-activations.ts) and the model's. */
export interface Dims extends LayerDims {
  hd: number;
  V: number;
  L: number;
  tied: boolean;
}

export function dimsOf(c: Qwen3Config): Dims {
  return {
    ...layerDims(c),
    hd: c.head_dim,
    V: c.vocab_size,
    L: c.num_hidden_layers,
    tied: c.tie_word_embeddings,
  };
}

/** Parameters of one decoder layer (projections, MLP, the four norms). */
export function layerParams(d: Dims): number {
  return d.H * d.Q + 2 * d.H * d.KV + d.Q * d.H + 3 * d.H * d.I + 2 * d.H + 2 * d.hd;
}

/** Causal attention FLOPs over packed sequences, as bench/cases/attention.ts counts them (the
 *  rate the bench reports is against this count): forward 2 matmuls x 2 flops x s(s+1)/2 x hd per
 *  query head; backward 2.5x the forward. */
export function attentionFlops(d: Dims, seqLens: readonly number[], pass: 'fwd' | 'bwd'): number {
  const fwd = seqLens.reduce((a, s) => a + 4 * ((s * (s + 1)) / 2) * d.hd * d.nh, 0);
  return pass === 'fwd' ? fwd : 2.5 * fwd;
}

const BF16 = 2;
const F32 = 4;

class OpList {
  readonly ops: Op[] = [];
  constructor(private phase: Phase) {}
  at(phase: Phase): this {
    this.phase = phase;
    return this;
  }
  gemm(name: string, layout: Layout, M: number, N: number, K: number, count = 1): void {
    if (M > 0) this.ops.push({ kind: 'gemm', name, phase: this.phase, count, M, N, K, layout, flops: 2 * M * N * K });
  }
  attention(name: string, pass: 'fwd' | 'bwd', d: Dims, seqLens: readonly number[], count = 1): void {
    this.ops.push({ kind: 'attention', name, phase: this.phase, count, pass, seqLens, flops: attentionFlops(d, seqLens, pass) });
  }
  mem(name: string, kernel: MemKernel, bytes: number, count = 1, flops = 0): void {
    if (bytes > 0) this.ops.push({ kind: 'memory', name, phase: this.phase, count, kernel, bytes, flops });
  }
  // Byte counts of the kernels (bf16 activations, f32 statistics).
  rmsnormFwd(name: string, rows: number, dim: number, count = 1): void {
    this.mem(name, 'rmsnorm.fwd', 2 * BF16 * rows * dim + F32 * rows, count); // x in, y out, rstd out
  }
  rmsnormBwd(name: string, rows: number, dim: number, count = 1): void {
    this.mem(name, 'rmsnorm.bwd', 3 * BF16 * rows * dim + F32 * rows, count); // dy, x in; dx out; rstd in
  }
  rope(name: string, T: number, width: number, count = 1): void {
    this.mem(name, 'rope', 2 * BF16 * T * width, count);
  }
  /** out = a + b, all bf16. */
  add(name: string, n: number, count = 1): void {
    this.mem(name, 'add', 3 * BF16 * n, count);
  }
  /** f32 acc += bf16: read 4 + 2, write 4. */
  addF32(name: string, n: number, count = 1): void {
    this.mem(name, 'add', (2 * F32 + BF16) * n, count);
  }
  cast(name: string, n: number, count = 1): void {
    this.mem(name, 'cast', (F32 + BF16) * n, count);
  }
}

/** Layer forward of T tokens in sequences `seqLens` (src/model/qwen3-layer.ts layerForward); `full`
 *  false: the backward's recompute, which stops before down_proj. */
function layerForward(o: OpList, d: Dims, T: number, seqLens: readonly number[], full: boolean, kvCacheWrite = false): void {
  const L = d.L;
  o.rmsnormFwd('input_layernorm', T, d.H, L);
  o.gemm('q_proj', 'xwT', T, d.Q, d.H, L);
  o.gemm('k_proj', 'xwT', T, d.KV, d.H, L);
  o.gemm('v_proj', 'xwT', T, d.KV, d.H, L);
  o.rmsnormFwd('q_norm', T * d.nh, d.hd, L);
  o.rmsnormFwd('k_norm', T * d.nkv, d.hd, L);
  o.rope('rope q', T, d.Q, L);
  o.rope('rope k', T, d.KV, L);
  if (kvCacheWrite) o.mem('kv-cache write (k, v)', 'copy-rows', 2 * 2 * BF16 * T * d.KV, L);
  o.attention('attention', 'fwd', d, seqLens, L);
  o.gemm('o_proj', 'xwT', T, d.H, d.Q, L);
  o.add('residual h = x + o', T * d.H, L);
  o.rmsnormFwd('post_attention_layernorm', T, d.H, L);
  o.gemm('gate_proj', 'xwT', T, d.I, d.H, L);
  o.gemm('up_proj', 'xwT', T, d.I, d.H, L);
  o.mem('swiglu', 'swiglu.fwd', 3 * BF16 * T * d.I, L);
  if (full) {
    o.gemm('down_proj', 'xwT', T, d.H, d.I, L);
    o.add('residual out = h + down', T * d.H, L);
  }
}

/** A gradient group in bf16-accumulator mode: its f32 scratch zeroed, then added into the bf16
 *  accumulators (read 2 + 4, write 2). Nothing in f32 mode (the GEMMs accumulate in place). */
function gradGroup(o: OpList, name: string, numel: number, gradDtype: 'f32' | 'bf16', count = 1): void {
  if (gradDtype !== 'bf16') return;
  o.mem(`${name} grad scratch zero`, 'zero', F32 * numel, count);
  o.mem(`${name} grad commit (bf16 += f32)`, 'grad-commit', (2 * BF16 + F32) * numel, count);
}

export interface PassShape {
  /** Packed sequence lengths; T is their sum. */
  seqLens: readonly number[];
  /** Positions scored (lm_head rows): the loss-mask positions. */
  scoredRows: number;
}

export const passTokens = (p: PassShape): number => p.seqLens.reduce((a, b) => a + b, 0);

/** One training pass: forward, then backward with per-layer recompute (unless `recompute` is
 *  false: ModelOptions.recompute, every layer's forward activations kept). */
export function trainPassOps(c: Qwen3Config, p: PassShape, gradDtype: 'f32' | 'bf16', recompute = true): Op[] {
  const d = dimsOf(c);
  const T = passTokens(p);
  const n = p.scoredRows;
  const o = new OpList('forward');
  // forward (Qwen3Model.recordForward): embedding, layers, final norm, scored rows, lm_head
  o.mem('embedding gather', 'embedding.fwd', 2 * BF16 * T * d.H + 4 * T);
  layerForward(o, d, T, p.seqLens, true);
  o.rmsnormFwd('final norm', T, d.H);
  o.mem('gather scored rows', 'copy-rows', 2 * BF16 * n * d.H);
  o.gemm('lm_head', 'xwT', n, d.V, d.H);
  o.mem('lm_head log-softmax fold (reads the f32 logits)', 'lm-head.softmax', F32 * n * d.V);
  // backward, head (ScoredRows.backward, lmHeadBackward: per vocab chunk recompute, dz, dh, dW)
  o.at('backward').mem('zero dnf', 'zero', BF16 * T * d.H);
  o.at('recompute').gemm('lm_head (logits recompute)', 'xwT', n, d.V, d.H);
  o.at('backward').mem('lm_head dlogits (f32 logits in, bf16 out)', 'lm-head.softmax', (F32 + BF16) * n * d.V);
  o.gemm('lm_head dh', 'dyW', n, d.V, d.H);
  o.gemm('lm_head dW', 'dyTx', n, d.V, d.H);
  o.cast('lm_head dh f32 -> bf16', n * d.H);
  o.mem('scatter dh to rows', 'copy-rows', 2 * BF16 * n * d.H);
  o.rmsnormBwd('final norm', T, d.H);
  gradGroup(o, 'head', d.V * d.H + d.H, gradDtype);
  o.cast('dres = dx (bf16 -> f32)', T * d.H);
  // layers in reverse: recompute, then backward (layerBackward)
  if (recompute) {
    o.at('recompute');
    layerForward(o, d, T, p.seqLens, false);
  }
  o.at('backward');
  const L = d.L;
  o.cast('dres -> bf16', T * d.H, L);
  o.gemm('down_proj dW', 'dyTx', T, d.H, d.I, L);
  o.gemm('down_proj dx', 'dyW', T, d.H, d.I, L);
  o.mem('swiglu', 'swiglu.bwd', 5 * BF16 * T * d.I, L);
  o.gemm('gate_proj dW', 'dyTx', T, d.I, d.H, L);
  o.gemm('up_proj dW', 'dyTx', T, d.I, d.H, L);
  o.gemm('gate_proj dx', 'dyW', T, d.I, d.H, L);
  o.gemm('up_proj dx', 'dyW', T, d.I, d.H, L);
  o.cast('dn -> bf16', T * d.H, L);
  o.rmsnormBwd('post_attention_layernorm', T, d.H, L);
  o.addF32('dres += dx', T * d.H, L);
  o.cast('dres -> bf16', T * d.H, L);
  o.gemm('o_proj dW', 'dyTx', T, d.H, d.Q, L);
  o.gemm('o_proj dx', 'dyW', T, d.H, d.Q, L);
  o.attention('attention', 'bwd', d, p.seqLens, L);
  o.rope('rope q', T, d.Q, L);
  o.rope('rope k', T, d.KV, L);
  o.rmsnormBwd('q_norm', T * d.nh, d.hd, L);
  o.rmsnormBwd('k_norm', T * d.nkv, d.hd, L);
  o.gemm('q_proj dW', 'dyTx', T, d.Q, d.H, L);
  o.gemm('k_proj dW', 'dyTx', T, d.KV, d.H, L);
  o.gemm('v_proj dW', 'dyTx', T, d.KV, d.H, L);
  o.gemm('q_proj dx', 'dyW', T, d.Q, d.H, L);
  o.gemm('k_proj dx', 'dyW', T, d.KV, d.H, L);
  o.gemm('v_proj dx', 'dyW', T, d.KV, d.H, L);
  o.cast('dn -> bf16', T * d.H, L);
  o.rmsnormBwd('input_layernorm', T, d.H, L);
  o.addF32('dres += dx', T * d.H, L);
  gradGroup(o, 'layer', layerParams(d), gradDtype, L);
  // embedding: scatter-add of dres (f32) into the table gradient's rows (f32 read + write)
  o.mem('embedding scatter-add', 'embedding.bwd', F32 * T * d.H + 2 * F32 * T * d.H);
  gradGroup(o, 'embedding', d.V * d.H, gradDtype);
  return o.ops;
}

/** The prefill of prompts `seqLens` in the embedded sampler (Generator.prefill): the trunk with each
 *  layer's k, v rows copied into the KV cache, then lm_head on one row per sequence (a GEMM of M =
 *  sequences: weight-read bound, see decodeOps) and sampling. */
export function prefillOps(c: Qwen3Config, seqLens: readonly number[]): Op[] {
  const d = dimsOf(c);
  const T = seqLens.reduce((a, b) => a + b, 0);
  const o = new OpList('prefill');
  o.mem('embedding gather', 'embedding.fwd', 2 * BF16 * T * d.H + 4 * T);
  layerForward(o, d, T, seqLens, true, true);
  o.rmsnormFwd('final norm', T, d.H);
  headRows(o, d, seqLens.length);
  return o.ops;
}

/** lm_head on B rows (generation: Qwen3Model.logits -> f32 [B, V]) and the sampler. The GEMM reads
 *  its weight twice (the f16 scale's max-abs pass, src/ops/f16-stage.ts, then the GEMM). */
function headRows(o: OpList, d: Dims, B: number): void {
  o.mem('gather last rows', 'copy-rows', 2 * BF16 * B * d.H);
  o.mem('lm_head (weight read twice: scale pass + GEMM)', 'weight-read', 2 * BF16 * d.V * d.H + F32 * B * d.V, 1, 2 * B * d.V * d.H);
  o.mem('sample (reads the logits)', 'sample', F32 * B * d.V);
}

/** One decode step of B sequences each holding `context` cached tokens (Generator.decode): every
 *  GEMM at M = B is bound by reading its weight (twice: scale pass + GEMM); attention reads each
 *  sequence's cached K and V. */
export function decodeOps(c: Qwen3Config, o_: { seqs: number; context: number }): Op[] {
  const d = dimsOf(c);
  const B = o_.seqs;
  const L = d.L;
  const o = new OpList('decode');
  const w = (name: string, N: number, K: number): void => o.mem(`${name} (M=${B}: weight read twice)`, 'weight-read', 2 * BF16 * N * K + BF16 * B * (N + K), L, 2 * B * N * K);
  o.mem('embedding gather', 'embedding.fwd', 2 * BF16 * B * d.H + 4 * B);
  o.rmsnormFwd('input_layernorm', B, d.H, L);
  w('q_proj', d.Q, d.H);
  w('k_proj', d.KV, d.H);
  w('v_proj', d.KV, d.H);
  o.rmsnormFwd('q_norm', B * d.nh, d.hd, L);
  o.rmsnormFwd('k_norm', B * d.nkv, d.hd, L);
  o.rope('rope q', B, d.Q, L);
  o.rope('rope k', B, d.KV, L);
  o.mem('kv-cache append', 'copy-rows', 2 * 2 * BF16 * B * d.KV, L);
  const ctx = o_.context + 1;
  o.mem(`decode attention (K, V of ${ctx} tokens x ${B} seqs)`, 'kv-read', B * (2 * BF16 * ctx * d.KV + 2 * BF16 * d.Q), L, B * 4 * ctx * d.hd * d.nh);
  w('o_proj', d.H, d.Q);
  o.add('residual', B * d.H, L);
  o.rmsnormFwd('post_attention_layernorm', B, d.H, L);
  w('gate_proj', d.I, d.H);
  w('up_proj', d.I, d.H);
  o.mem('swiglu', 'swiglu.fwd', 3 * BF16 * B * d.I, L);
  w('down_proj', d.H, d.I);
  o.add('residual', B * d.H, L);
  o.rmsnormFwd('final norm', B, d.H);
  headRows(o, d, B);
  return o.ops;
}

/** A rank's GPU work per step besides its passes: zeroing the gradient accumulators, the
 *  reduce's adds for the tensors it owns (per piece: own copy, then each peer's upload added in
 *  f32, result cast back), the sum of squares (grad norm) and AdamW over them. */
export function stepOps(o_: { params: number; owned: number; world: number; gradDtype: 'f32' | 'bf16' }): Op[] {
  const gb = o_.gradDtype === 'bf16' ? BF16 : F32;
  const n = o_.owned;
  const o = new OpList('step');
  o.mem('zero gradient accumulators', 'zero', gb * o_.params);
  if (o_.world > 1) {
    // rank 0's copy: cast/copy into the f32 accumulator; each other rank: acc += part; then back.
    o.mem('reduce: sum of the ranks\' gradients on the GPU', 'grad-sum', n * ((gb + F32) + (o_.world - 1) * (2 * F32 + gb) + (F32 + gb)));
  }
  o.mem('grad norm: sum of squares of the owned gradients', 'sumsq', gb * n);
  // master, m, v read + written (f32), gradient read, bf16 weight written
  o.mem('AdamW over the owned shard', 'adamw', n * (6 * F32 + gb + BF16));
  return o.ops;
}

export function totalFlops(ops: readonly Op[], filter: (op: Op) => boolean = () => true): number {
  return ops.filter(filter).reduce((a, op) => a + op.flops * op.count, 0);
}

export function totalBytes(ops: readonly Op[], filter: (op: MemoryOp) => boolean = () => true): number {
  return ops.reduce((a, op) => (op.kind === 'memory' && filter(op) ? a + op.bytes * op.count : a), 0);
}
