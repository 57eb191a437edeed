// Device memory of one training rank: what src/parallel/memory.ts counts (bf16 weights, gradient
// accumulators, the f32 scratch of one gradient group, the AdamW shard, activations of one pass),
// plus the large scratch buffers the ops keep per device (grow-only, sized by the largest pass):
//   - lm_head (src/ops/lm-head.ts): a [n, chunk] f32 logits block, a [n, chunk] bf16 dlogits block,
//     an f32 dh [n, H] and a [n, 4] online-softmax state, n = the pass's scored rows; and the
//     scored-row tensors of src/model/qwen3-head.ts (h, dh [n, H] bf16, six [n] vectors);
//   - attention backward (src/ops/attention.ts): the D term [T, heads] f32 (block tables: bytes);
//   - the sharded step's collectives (src/parallel/collectives.ts, src/gpu/gpu.ts): sumInto's f32
//     accumulator and gradient-dtype part buffer of one 64 MiB piece, and the reused MAP_READ
//     staging buffer readBytes grows to one piece;
//   - the packed batch's index tensors (ids, positions, targets, cu_seqlens: ~16 B per token).
// Not counted (each under a few MB at these shapes, or outside the device): rmsnorm dW partials
// ([512, dim] f32), the GEMM scale partials, the embedding backward's token-group list, grad-norm
// partials, Dawn's own staging for queue.writeBuffer, the attention v2 / sgmat variants' f16
// copies of q, k, v, dO (not the default), the K-chunk f32 temporaries of bf16-output GEMMs (only
// when an operand exceeds one 2 GiB binding along K: not at these shapes); and host memory: the
// exchange files on /dev/shm (reported separately).
import type { Gpu } from '../gpu/gpu.js';
import { type Qwen3Config, qwen3Tensors } from '../model/config.js';
import { type RankMemory, rankMemory } from '../parallel/memory.js';
import { PIECE } from '../parallel/collectives.js';
import { vocabChunks } from '../ops/lm-head.js';

export interface PlanMemory extends RankMemory {
  /** What src/parallel/memory.ts counts (its total). */
  base: number;
  lmHead: { logits: number; dlogits: number; dh32: number; state: number; scoredRows: number; chunk: number; total: number };
  attention: number;
  collectives: number;
  batch: number;
  /** Host memory of the exchange directory at its fullest (every rank's unowned gradients + every
   *  weight once: src/train/rank-group.ts sizes it so). */
  hostExchange: number;
}

export function planRankMemory(
  c: Qwen3Config,
  o: { world: number; passTokens: number; scoredRows: number; gradDtype: 'f32' | 'bf16'; maxStorageBindingBytes: number },
): PlanMemory {
  const base = rankMemory(c, { world: o.world, passTokens: o.passTokens, gradDtype: o.gradDtype });
  const n = Math.max(1, o.scoredRows);
  const H = c.hidden_size;
  // The chunk lmHeadForward/Backward use for n rows (vocabChunks reads only gpu.maxBinding).
  const chunk = Math.max(...vocabChunks({ maxBinding: o.maxStorageBindingBytes } as Gpu, { tokens: n, hidden: H, vocab: c.vocab_size }).map((x) => x.c));
  const logits = 4 * n * chunk;
  const dlogits = 2 * n * chunk;
  const dh32 = 4 * n * H;
  const state = 16 * n + 4 * n; // online-softmax state [n, 4] f32, the zero dentropy [n]
  const scoredRows = 2 * 2 * n * H + 3 * 4 * n + 5 * 4 * n; // h, dh bf16; rows, iota, targets; 5 f32 vectors
  const lmTotal = logits + dlogits + dh32 + state + scoredRows;
  const attention = 4 * o.passTokens * c.num_attention_heads;
  const gradBytes = o.gradDtype === 'bf16' ? 2 : 4;
  const collectives = o.world > 1 ? (PIECE / gradBytes) * 4 + PIECE + PIECE : 0;
  const batch = 16 * o.passTokens;
  const params = qwen3Tensors(c).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  const hostExchange = o.world > 1 ? params * (gradBytes * (o.world - 1) + 2) : 0;
  return {
    ...base,
    base: base.total,
    lmHead: { logits, dlogits, dh32, state, scoredRows, chunk, total: lmTotal },
    attention,
    collectives,
    batch,
    total: base.total + lmTotal + attention + collectives + batch,
    hostExchange,
  };
}
