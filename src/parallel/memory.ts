// Device memory of one rank of a sharded run, from the config alone: what decides whether a model
// trains on a set of GPUs before any buffer is allocated (train --check logs it; npm run plan
// prints it, src/plan/memory.ts). Counts every buffer a rank allocates that grows with the model
// or the pass: bf16 weights (every rank holds all), gradient accumulators (f32 or bf16, all
// weights), the f32 scratch of one gradient group (bf16 mode: src/model/qwen3.ts), AdamW's f32
// master + two moments for the owned weights (src/parallel/shard-plan.ts), activations for one pass
// (src/model/qwen3-activations.ts), the device's scratch arena at its largest (src/gpu/arena.ts,
// planned by src/model/scratch-plan.ts: lm_head blocks, RoPE table, attention tables, norm and
// GEMM partials; plus sumInto's pieces here), the lm_head's scored-row tensors and the batch's
// index tensors, and the host transfers' staging buffers (src/gpu/gpu.ts: readBytes' grown to one
// exchange piece, writeBytes' two).
// The lm_head runs on scored rows only; its size is that of the largest pass the arena has seen,
// so the plan takes every position of a pass as scored unless told fewer (scoredRows).
// Not counted: the sampler's KV cache (vLLM runs on its own GPU in the production shape), uniform
// and pipeline buffers, Dawn's internal staging for queue.writeBuffer (small per-step writes).
import { formatBytes } from '../io/progress.js';
import { STAGING_BYTES } from '../gpu/host-data.js';
import { type Qwen3Config, qwen3Tensors } from '../model/config.js';
import { bytesPerToken } from '../model/qwen3-activations.js';
import { layerTensorNames } from '../model/qwen3-weights.js';
import { scratchPlan } from '../model/scratch-plan.js';
import { PIECE, SUM_ACC, SUM_PART } from './collectives.js';
import { planShards } from './shard-plan.js';

/** maxStorageBufferBindingSize on the NVIDIA GPUs we target (2 GiB - 4). */
export const NVIDIA_MAX_BINDING = 2 ** 31 - 4;

export interface RankMemory {
  params: number;
  weights: number;
  grads: number;
  gradScratch: number;
  /** The largest rank's optimizer shard. */
  optimizer: number;
  activations: number;
  /** The scratch arena at its largest, and per purpose. */
  scratch: number;
  scratchByPurpose: Record<string, number>;
  /** The lm_head's scored-row tensors (src/model/qwen3-head.ts: h, dh [n, H] bf16, eight [n]). */
  scoredRows: number;
  /** The packed batch's index tensors (ids, positions, targets, cu_seqlens: ~16 B per token). */
  batch: number;
  /** The host transfers' staging buffers (world > 1): readBytes' MAP_READ one, grown to one
   *  exchange piece, and writeBytes' two MAP_WRITE ones. */
  staging: number;
  total: number;
}

export interface RankMemoryOptions {
  world: number;
  passTokens: number;
  gradDtype: 'f32' | 'bf16';
  /** ModelOptions.recompute (default true); false keeps every layer's forward activations. */
  recompute?: boolean;
  /** Positions the lm_head scores in the largest pass (default passTokens: the bound). */
  scoredRows?: number;
  /** The device's largest storage binding (default NVIDIA's). */
  maxBinding?: number;
}

export function rankMemory(c: Qwen3Config, o: RankMemoryOptions): RankMemory {
  const ts = qwen3Tensors(c).map((t) => ({ name: t.name, numel: t.shape.reduce((a, b) => a * b, 1) }));
  const numel = new Map(ts.map((t) => [t.name, t.numel]));
  const params = ts.reduce((a, t) => a + t.numel, 0);
  const plan = planShards(ts, o.world);
  const head = numel.get(c.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight')! + c.hidden_size;
  const layer = Object.values(layerTensorNames(0)).reduce((a, n) => a + numel.get(n)!, 0);
  const gradScratch = o.gradDtype === 'bf16' ? 4 * Math.max(head, layer, numel.get('model.embed_tokens.weight')!) : 0;
  const n = Math.max(1, Math.min(o.scoredRows ?? o.passTokens, o.passTokens));
  const sp = scratchPlan(c, { tokens: o.passTokens, scoredRows: n, backward: true, maxBinding: o.maxBinding ?? NVIDIA_MAX_BINDING });
  const gradBytes = o.gradDtype === 'bf16' ? 2 : 4;
  const byPurpose = { ...sp.byPurpose };
  if (o.world > 1) {
    byPurpose[SUM_ACC] = (PIECE / gradBytes) * 4;
    byPurpose[SUM_PART] = PIECE;
  }
  const m: Omit<RankMemory, 'total'> = {
    params,
    weights: 2 * params,
    grads: gradBytes * params,
    gradScratch,
    optimizer: 12 * Math.max(...plan.load),
    activations: bytesPerToken(c, { recompute: o.recompute }).total * o.passTokens,
    scratch: Object.values(byPurpose).reduce((a, b) => a + b, 0),
    scratchByPurpose: byPurpose,
    scoredRows: 2 * 2 * n * c.hidden_size + 3 * 4 * n + 5 * 4 * n, // h, dh bf16; rows, iota, targets; 5 f32 vectors
    batch: 16 * o.passTokens,
    staging: o.world > 1 ? PIECE + 2 * STAGING_BYTES : 0,
  };
  return { ...m, total: m.weights + m.grads + m.gradScratch + m.optimizer + m.activations + m.scratch + m.scoredRows + m.batch + m.staging };
}

/** "29.5 GB weights + ..." for logs. */
export function describeRankMemory(m: RankMemory): string {
  const gb = formatBytes;
  const rest = m.scoredRows + m.batch + m.staging;
  return `${gb(m.total)} per rank: ${gb(m.weights)} weights + ${gb(m.grads)} gradients${m.gradScratch ? ` + ${gb(m.gradScratch)} gradient scratch` : ''} + ${gb(m.optimizer)} optimizer shard + ${gb(m.activations)} activations + ${gb(m.scratch)} op scratch (lm_head ${gb(lmHeadBytes(m))}) + ${gb(rest)} scored rows, batch and staging`;
}

/** The lm_head's share of the scratch (its purposes start with lm_head.). */
export function lmHeadBytes(m: Pick<RankMemory, 'scratchByPurpose'>): number {
  return Object.entries(m.scratchByPurpose).reduce((a, [p, b]) => (p.startsWith('lm_head.') ? a + b : a), 0);
}
