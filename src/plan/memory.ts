// Device memory of one training rank as the plan prints it: src/parallel/memory.ts's count (the
// same total `train --check` logs), with the scratch arena's purposes grouped for the table, plus
// the host memory of the exchange directory.
import { type Qwen3Config, qwen3Tensors } from '../model/config.js';
import { type RankMemory, lmHeadBytes, rankMemory } from '../parallel/memory.js';
import { SUM_ACC, SUM_PART } from '../parallel/collectives.js';
import { vocabChunks } from '../ops/lm-head.js';

export interface PlanMemory extends RankMemory {
  /** The lm_head's arena scratch: [rows, chunk] f32 logits and bf16 dlogits, [rows, H] f32 dh, and
   *  the [rows]-sized rest (online-softmax state, zero dentropy). */
  lmHead: { rows: number; chunk: number; logits: number; dlogits: number; dh32: number; rest: number; total: number };
  /** sumInto's two pieces in the arena (world > 1). */
  collectives: number;
  /** The rest of the arena (RoPE table, attention tables and D, norm / GEMM / grad-norm partials,
   *  f16 staging, embedding token groups), largest purposes first. */
  otherScratch: { purpose: string; bytes: number }[];
  /** Host memory of the exchange directory at its fullest (every rank's unowned gradients + every
   *  weight once: src/train/rank-group.ts sizes it so). */
  hostExchange: number;
}

export function planRankMemory(
  c: Qwen3Config,
  o: { world: number; passTokens: number; scoredRows?: number; gradDtype: 'f32' | 'bf16'; recompute?: boolean; maxStorageBindingBytes: number },
): PlanMemory {
  const m = rankMemory(c, { world: o.world, passTokens: o.passTokens, gradDtype: o.gradDtype, recompute: o.recompute, scoredRows: o.scoredRows, maxBinding: o.maxStorageBindingBytes });
  const p = m.scratchByPurpose;
  const rows = Math.max(1, Math.min(o.scoredRows ?? o.passTokens, o.passTokens));
  const chunk = Math.max(...vocabChunks({ maxBinding: o.maxStorageBindingBytes }, { tokens: rows, hidden: c.hidden_size, vocab: c.vocab_size }).map((x) => x.c));
  const lm = { logits: p['lm_head.logits'] ?? 0, dlogits: p['lm_head.dlogits'] ?? 0, dh32: p['lm_head.dh32'] ?? 0 };
  const lmTotal = lmHeadBytes(m);
  const collectives = (p[SUM_ACC] ?? 0) + (p[SUM_PART] ?? 0);
  const otherScratch = Object.entries(p)
    .filter(([k]) => !k.startsWith('lm_head.') && k !== SUM_ACC && k !== SUM_PART)
    .map(([purpose, bytes]) => ({ purpose, bytes }))
    .sort((a, b) => b.bytes - a.bytes);
  const gradBytes = o.gradDtype === 'bf16' ? 2 : 4;
  const params = qwen3Tensors(c).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
  return {
    ...m,
    lmHead: { rows, chunk, ...lm, rest: lmTotal - lm.logits - lm.dlogits - lm.dh32, total: lmTotal },
    collectives,
    otherScratch,
    hostExchange: o.world > 1 ? params * (gradBytes * (o.world - 1) + 2) : 0,
  };
}
