// What the device's scratch arena (src/gpu/arena.ts) holds for a Qwen3 model, from the config:
// each purpose's largest buffer, computed by the sizing functions the ops themselves use, so the
// plan and the ops cannot drift apart. src/parallel/memory.ts adds it to a rank's memory;
// test/model/scratch-plan.test.ts holds it against the arena's peak on a tiny model.
// Upper bounds where the size depends on the device or the data: attention block tables for any
// block size (one block per row plus one per sequence), the embedding's token groups with every
// id distinct, rmsnorm's partials at the default workgroup count for any row split.
// Not planned: the non-default kernel variants' scratch (src/ops/experimental: f16 copies of the
// operands), and sumInto's pieces (src/parallel/memory.ts adds those).
import type { Qwen3Config } from './config.js';
import { qwen3Tensors } from './config.js';
import { ATTN_TABLES, attnBlocks, attnPurpose } from '../ops/attention.js';
import { EMBEDDING_GROUPS, tokenGroupBytes } from '../ops/embedding.js';
import { shiftPartialBytes } from '../ops/f16-stage.js';
import { GRAD_NORM_PARTIALS, sumSquaresPartialBytes } from '../ops/grad-norm.js';
import { lmHeadScratch, vocabChunks } from '../ops/lm-head.js';
import { MATMUL_F32ACC } from '../ops/matmul.js';
import { elementsPerChunk } from '../ops/adamw.js';
import { RMSNORM_PARTIALS, rmsnormPartialBytes } from '../ops/rmsnorm.js';
import { ropeTableBytes, ropeTablePurpose } from '../ops/rope.js';

export interface ScratchShape {
  /** Tokens of the largest pass: a training pass, a prefill group, or a decode step's sequences. */
  tokens: number;
  /** Positions the lm_head scores in the largest training pass (<= tokens); 0 where no lm_head
   *  runs on scored rows (generation's lm_head writes its own logits buffer). */
  scoredRows: number;
  /** Packed sequences of that pass (bounds the attention block tables); default `tokens`. */
  seqs?: number;
  /** Training: the backward and the optimizer's gradient norm run too. */
  backward: boolean;
  /** The device's largest storage binding (bytes) and storage offset alignment. */
  maxBinding: number;
  align?: number;
  /** The tensor-core GEMM runs (its f16 staging: shifts and partial maxima); default true. */
  tensorCores?: boolean;
}

export interface ScratchPlan {
  /** Bytes per arena purpose (the names the ops acquire). */
  byPurpose: Record<string, number>;
  total: number;
}

export function scratchPlan(c: Qwen3Config, s: ScratchShape): ScratchPlan {
  const T = s.tokens;
  const H = c.hidden_size, hd = c.head_dim, nh = c.num_attention_heads, nkv = c.num_key_value_heads;
  const I = c.intermediate_size, V = c.vocab_size;
  const align = s.align ?? 256;
  const p: Record<string, number> = {};
  p[ropeTablePurpose(hd, c.rope_theta, c.max_position_embeddings)] = ropeTableBytes(hd, c.max_position_embeddings);
  const table = 16 * attnBlocks(T, { nSeq: s.seqs ?? T, maxSeqLen: T }, 1); // 4 u32 per block
  p[attnPurpose('fwd-blocks')] = table;

  const n = Math.min(s.scoredRows, T);
  const head = { tokens: Math.max(1, n), hidden: H, vocab: V };
  if (n > 0) Object.assign(p, lmHeadScratch({ maxBinding: s.maxBinding }, head, { backward: s.backward }));

  if (s.tensorCores ?? true) {
    // Each GEMM stages two operands; none is larger than the largest activation, weight or
    // lm_head block of the pass.
    const c0 = n > 0 ? Math.max(...vocabChunks({ maxBinding: s.maxBinding }, head).map((x) => x.c)) : 0;
    const largest = 2 * Math.max(T * Math.max(H, I, nh * hd), I * H, nh * hd * H, n * c0, c0 * H);
    p['f16.matmul.shifts'] = 256;
    p['f16.matmul.partials'] = shiftPartialBytes([largest, largest], s.maxBinding, align);
  }
  if (!s.backward) return total(p);

  p[attnPurpose('D')] = 4 * T * nh;
  for (const name of ATTN_TABLES) if (name !== 'fwd-blocks') p[attnPurpose(name)] = table;
  p[RMSNORM_PARTIALS] = Math.max(rmsnormPartialBytes(T, H, s.maxBinding), rmsnormPartialBytes(T * nh, hd, s.maxBinding), rmsnormPartialBytes(T * nkv, hd, s.maxBinding));
  p[EMBEDDING_GROUPS] = tokenGroupBytes(T, V);
  // A bf16 dx of linearBackwardInput is summed in f32 when its weight exceeds one binding (the
  // weight's rows run along K): [T, in] f32.
  const layerWeights: [number, number][] = [[nh * hd, H], [nkv * hd, H], [H, nh * hd], [I, H], [H, I]];
  const acc = Math.max(0, ...layerWeights.filter(([out, inp]) => 2 * out * inp > s.maxBinding).map(([, inp]) => 4 * T * inp));
  if (acc > 0) p[MATMUL_F32ACC] = acc;
  const numels = qwen3Tensors(c).map((t) => t.shape.reduce((a, b) => a * b, 1));
  p[GRAD_NORM_PARTIALS] = sumSquaresPartialBytes(numels, elementsPerChunk(s.maxBinding, align));
  return total(p);
}

function total(byPurpose: Record<string, number>): ScratchPlan {
  return { byPurpose, total: Object.values(byPurpose).reduce((a, b) => a + b, 0) };
}
