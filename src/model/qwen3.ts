// Qwen3 on the GPU ops: forward over packed sequences to per-token logprobs (and entropies), and
// backward to weight gradients keyed by HF names (f32, or bf16 accumulators: ModelOptions.gradDtype), with activation checkpointing at every layer:
// the forward keeps only each layer's input x_l; the backward walks the layers in reverse,
// recomputes layer l's activations from x_l into one reusable scratch set and runs its backward.
// Memory plan: src/model/qwen3-activations.ts.
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { attentionForward } from '../ops/attention.js';
import { cast } from '../ops/cast.js';
import { embeddingBackward, embeddingForward } from '../ops/embedding.js';
import { type SaveOptions, saveWeights } from './save.js';
import { linear } from '../ops/matmul.js';
import { checkMatmulPaths } from '../ops/matmul-check.js';
import { addInPlace } from '../ops/residual.js';
import { rmsnormBackward, rmsnormForward } from '../ops/rmsnorm.js';
import type { Qwen3Config } from './config.js';
import { Activations, type LayerFwdActs } from './qwen3-activations.js';
import { ScoredRows } from './qwen3-head.js';
import { type BatchTensors, type PackedBatch, uploadBatch, validateBatch } from './qwen3-batch.js';
import { type LayerBwdCtx, type LayerCtx, type LayerGrads, type LayerKernels, layerBackward, layerForward } from './qwen3-layer.js';
import {
  EMBED_NAME,
  FINAL_NORM_NAME,
  LM_HEAD_NAME,
  type LayerKey,
  type Qwen3Weights,
  layerTensorNames,
  loadWeights,
  weightsFromHost,
} from './qwen3-weights.js';

export interface ModelOptions {
  /** Activation buffers are sized for this many tokens up front (they grow on demand). */
  maxTokens?: number;
  /** Kernel variants of the layers' GEMMs and training attention (default: the measured ones). */
  kernels?: LayerKernels;
  /** Gradient accumulators: 'f32' (default) or 'bf16'. With 'bf16' each group of gradients (the
   *  head, a layer, the embedding) is computed in one reused f32 scratch buffer and added into the
   *  bf16 accumulators once per backward (one rounding per pass): 2 B/param instead of 4, what lets
   *  Qwen3-14B train on 3 H200s (README, "Memory"). */
  gradDtype?: 'f32' | 'bf16';
  /** The backward recomputes each layer's forward from its kept input (default true: activation
   *  checkpointing, what lets Qwen3-14B fit). false keeps every layer's forward activations
   *  instead (L x the forward scratch, src/model/qwen3-activations.ts) and skips the recompute, a
   *  quarter of a training pass: for small models. The gradients are the same bits either way. */
  recompute?: boolean;
}

export interface ForwardResult {
  /** [T] log p(targets[t]); 0 where targets[t] = -1. */
  logprobs: Float32Array;
  /** [T] entropy of the next-token distribution; 0 where targets[t] = -1. */
  entropy: Float32Array;
  /** [T] the targets scored (the batch's, or next-token within each sequence). */
  targets: Int32Array;
}

/** Token ids and positions of a trunk pass (packed batch, or one decode step). */
export interface TrunkInput {
  T: number;
  ids: Tensor; // u32 [T]
  positions: Tensor; // u32 [T]
}

export class Qwen3Model {
  private acts: Activations | null = null;
  private gradMap: Map<string, Tensor> | null = null;
  /** f32 scratch of the bf16-gradient mode (one group of gradients at a time). */
  private gradScratch: Tensor | null = null;
  /** The batch whose layer inputs x_0..x_L the activation buffers hold (backward reuses them). */
  private current: { batch: PackedBatch; bt: BatchTensors } | null = null;
  /** The last uploaded batch's index tensors (destroyed when the next batch is uploaded). */
  private lastBt: BatchTensors | null = null;
  /** The last batch's scored rows (lm_head runs on those only: src/model/qwen3-head.ts). */
  private head: ScoredRows | null = null;

  constructor(
    readonly gpu: Gpu,
    readonly config: Qwen3Config,
    readonly weights: Qwen3Weights,
    private readonly opts: ModelOptions = {},
  ) {}

  /** The kernel variants this model runs (ModelOptions.kernels). */
  get kernels(): LayerKernels | undefined {
    return this.opts.kernels;
  }

  /** Loads config.json and the safetensors weights of a HF directory (bf16 on the GPU). */
  static async load(gpu: Gpu, dir: string, opts: ModelOptions = {}): Promise<Qwen3Model> {
    // The tensor-core GEMM is trusted only after it agrees with the portable one on this device
    // (a no-op answer 'unavailable' where the device has no subgroup matrices, e.g. lavapipe).
    await checkMatmulPaths(gpu);
    const { config, weights } = await loadWeights(gpu, dir);
    return new Qwen3Model(gpu, config, weights, opts);
  }

  /** Writes the weights as a HF checkpoint directory (see src/model/save.ts). */
  save(dir: string, opts: SaveOptions = {}): Promise<{ files: string[]; totalSize: number }> {
    return saveWeights(this.gpu, this.config, this.weights, dir, opts);
  }

  /** From host float values keyed by HF name (rounded to bf16). */
  static fromHost(gpu: Gpu, config: Qwen3Config, host: Readonly<Record<string, ArrayLike<number>>>, opts: ModelOptions = {}): Qwen3Model {
    return new Qwen3Model(gpu, config, weightsFromHost(gpu, config, host), opts);
  }

  /** Activation buffers for at least T tokens (reallocated larger when needed). */
  activations(T: number): Activations {
    if (!this.acts || this.acts.maxTokens < T) {
      if (this.acts) {
        this.gpu.flush(); // recorded work may still use the old buffers: submit it before destroying
        this.acts.destroy();
      }
      this.current = null;
      this.acts = new Activations(this.gpu, this.config, Math.max(T, this.opts.maxTokens ?? 0, this.acts?.maxTokens ?? 0), this.opts.recompute ?? true);
    }
    return this.acts;
  }

  /**
   * Records embedding + all layers for T tokens: x_0 = embed(ids), x_{l+1} = layer_l(x_l), every
   * x_l kept. `attend` computes each layer's attention (packed training attention, or prefill /
   * decode against a KV cache). Invalidates what a previous forward left for backward.
   */
  trunk(input: TrunkInput, attend: (a: LayerFwdActs, l: number) => void): Activations {
    const { T } = input;
    const acts = this.activations(T);
    this.current = null;
    const ctx: LayerCtx = { gpu: this.gpu, cfg: this.config, T, positions: input.positions, attend, kernels: this.opts.kernels };
    embeddingForward(this.gpu, input.ids, this.weights.embed, acts.x(0, T));
    for (let l = 0; l < this.config.num_hidden_layers; l++) layerForward(ctx, l, this.weights.layers[l]!, acts.x(l, T), acts.layerForward(T, l), acts.x(l + 1, T));
    return acts;
  }

  /** model.norm of the last layer's output, into the head activations (nf, rstdf). */
  finalNorm(T: number): void {
    const acts = this.activations(T);
    const h = acts.heads(T);
    const c = this.config;
    rmsnormForward(this.gpu, acts.x(c.num_hidden_layers, T), this.weights.finalNorm, h.nf, h.rstdf, { rows: T, dim: c.hidden_size, eps: c.rms_norm_eps });
  }

  /** Logits [rows, V] f32 of normed hidden states h [rows, H] (generation; training never forms them). */
  logits(h: Tensor, out: Tensor): void {
    linear(this.gpu, h, this.weights.lmHead, out);
  }

  private packedAttend(bt: BatchTensors): (a: LayerFwdActs) => void {
    const c = this.config;
    return (a) =>
      attentionForward(
        this.gpu, a.qr, a.kr, a.v, bt.cuSeqlens, a.attn, a.lse,
        { heads: c.num_attention_heads, kvHeads: c.num_key_value_heads, headDim: c.head_dim },
        { nSeq: bt.nSeq, maxSeqLen: bt.maxSeqLen },
        this.opts.kernels?.attention,
      );
  }

  /** Records the whole forward (trunk, final norm, lm_head) of a packed batch; results stay on the
   *  GPU in the head activations (logprob, entropy, lseHead). */
  recordForward(batch: PackedBatch): BatchTensors {
    validateBatch(batch, this.config.vocab_size);
    if (this.lastBt) {
      this.gpu.flush(); // destroying after submit is safe: the buffers live until the work is done
      this.lastBt.destroy();
      this.head?.destroy();
    }
    const bt = uploadBatch(this.gpu, batch);
    this.lastBt = bt;
    const T = bt.T;
    this.trunk(bt, this.packedAttend(bt));
    this.finalNorm(T);
    const h = this.activations(T).heads(T);
    const c = this.config;
    this.head = new ScoredRows(this.gpu, bt.hostTargets, { hidden: c.hidden_size, vocab: c.vocab_size, temperature: batch.temperature ?? 1 });
    this.head.forward(h.nf, this.weights.lmHead);
    this.current = { batch, bt };
    return bt;
  }

  /** Per-token logprobs (and entropies) of a packed batch under softmax(logits / batch.temperature)
   *  (default 1), read back to the host. */
  async forward(batch: PackedBatch): Promise<ForwardResult> {
    const bt = this.recordForward(batch);
    const { logprobs, entropy } = await this.head!.read();
    return { logprobs, entropy, targets: bt.hostTargets };
  }

  /** Gradient accumulators keyed by HF name, f32 or bf16 (ModelOptions.gradDtype); zero until a
   *  backward; tied: no lm_head.weight. */
  get grads(): ReadonlyMap<string, Tensor> {
    if (!this.gradMap) {
      const dt = this.opts.gradDtype ?? 'f32';
      this.gradMap = new Map();
      for (const [name, w] of this.weights.byName) this.gradMap.set(name, this.gpu.empty(w.shape, dt, `grad.${name}`));
    }
    return this.gradMap;
  }

  /** The gradient groups a backward writes one after another. */
  private gradGroups(): string[][] {
    const c = this.config;
    const layer = Object.values(layerTensorNames(0));
    return [[c.tie_word_embeddings ? EMBED_NAME : LM_HEAD_NAME, FINAL_NORM_NAME], layer, [EMBED_NAME]];
  }

  /** Where a backward writes the gradients `names`: the f32 accumulators themselves, or (bf16
   *  mode) zeroed f32 scratch views whose `commit` adds them into the bf16 accumulators. */
  private gradGroup(names: string[]): { g: (name: string) => Tensor; commit: () => void } {
    const grads = this.grads;
    if ((this.opts.gradDtype ?? 'f32') === 'f32') return { g: (n) => grads.get(n)!, commit: () => {} };
    const align = this.gpu.limits.minStorageBufferOffsetAlignment;
    const span = (n: string): number => Math.ceil((4 * this.weights.byName.get(n)!.numel) / align) * align;
    if (!this.gradScratch) {
      const bytes = Math.max(...this.gradGroups().map((g) => g.reduce((a, n) => a + span(n), 0)));
      this.gradScratch = this.gpu.empty([bytes / 4], 'f32', 'grad-scratch');
    }
    const views = new Map<string, Tensor>();
    let off = 0;
    for (const n of names) {
      const v = this.gradScratch.view(off, this.weights.byName.get(n)!.shape, `grad-scratch.${n}`);
      this.gpu.zero(v);
      views.set(n, v);
      off += span(n);
    }
    return { g: (n) => views.get(n)!, commit: () => views.forEach((v, n) => addInPlace(this.gpu, grads.get(n)!, v)) };
  }

  zeroGrads(): void {
    for (const g of this.grads.values()) this.gpu.zero(g);
  }

  /**
   * Accumulates (+=) into `grads` the gradient of L = sum_t dlogprob[t] logprob[t]
   * (+ dentropy[t] entropy[t]) over the batch (at batch.temperature, as its forward). Reuses the layer inputs of the last forward when it
   * was this same batch object, else runs the forward first. Records work; await gpu.sync() (or a
   * read) to wait for it.
   */
  backward(batch: PackedBatch, dlogprob: ArrayLike<number>, dentropy?: ArrayLike<number>): void {
    const c = this.config;
    const gpu = this.gpu;
    const bt = this.current?.batch === batch ? this.current.bt : this.recordForward(batch);
    const T = bt.T;
    if (dlogprob.length !== T) throw new Error(`Qwen3Model.backward: dlogprob has ${dlogprob.length} entries for ${T} tokens`);
    if (dentropy && dentropy.length !== T) throw new Error(`Qwen3Model.backward: dentropy has ${dentropy.length} entries for ${T} tokens`);
    const acts = this.activations(T);
    const h = acts.heads(T);
    const [headGroup, , embedGroup] = this.gradGroups();

    // lm_head (scored rows) and final norm. Tied: the lm_head gradient lands in the embedding's.
    const head = this.gradGroup(headGroup!);
    this.head!.backward(this.weights.lmHead, dlogprob, dentropy, h.dnf, head.g(headGroup![0]!));
    const b = acts.layerBackward(T);
    const L = c.num_hidden_layers;
    rmsnormBackward(gpu, h.dnf, acts.x(L, T), this.weights.finalNorm, h.rstdf, b.dxTmp, head.g(FINAL_NORM_NAME), { rows: T, dim: c.hidden_size, eps: c.rms_norm_eps });
    head.commit();
    cast(gpu, b.dxTmp, b.dres);

    // Layers in reverse: recompute the layer's activations from its kept input (unless every
    // layer kept its own: the forward above, or recordForward, filled them for this batch), then
    // backward.
    const ctx: LayerBwdCtx = {
      gpu,
      cfg: c,
      T,
      positions: bt.positions,
      attend: this.packedAttend(bt),
      kernels: this.opts.kernels,
      cuSeqlens: bt.cuSeqlens,
      seqInfo: { nSeq: bt.nSeq, maxSeqLen: bt.maxSeqLen },
    };
    for (let l = L - 1; l >= 0; l--) {
      const x = acts.x(l, T);
      const a = acts.layerForward(T, l);
      if (acts.recompute) layerForward(ctx, l, this.weights.layers[l]!, x, a, null);
      const names = layerTensorNames(l);
      const group = this.gradGroup(Object.values(names));
      const g = {} as LayerGrads;
      for (const k of Object.keys(names) as LayerKey[]) g[k] = group.g(names[k]);
      layerBackward(ctx, this.weights.layers[l]!, g, x, a, b);
      group.commit();
    }
    const embed = this.gradGroup(embedGroup!);
    embeddingBackward(gpu, bt.ids, b.dres, embed.g(EMBED_NAME), { hostIds: bt.hostIds });
    embed.commit();
  }

  /** Frees everything but the weights: activations, gradients, the last batch (after submitting
   *  what was recorded, which may still use them). Another model may then share the weights. */
  releaseActivations(): void {
    this.gpu.flush();
    this.lastBt?.destroy();
    this.head?.destroy();
    this.head = null;
    this.acts?.destroy();
    for (const g of this.gradMap?.values() ?? []) g.destroy();
    this.gradScratch?.destroy();
    this.gradScratch = null;
    this.lastBt = null;
    this.acts = null;
    this.gradMap = null;
    this.current = null;
  }

  destroy(): void {
    this.releaseActivations();
    for (const w of this.weights.byName.values()) w.destroy();
  }
}
