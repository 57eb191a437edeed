// The plan's per-rank memory: src/parallel/memory.ts's count (train --check logs the same total),
// the scratch arena's purposes grouped for the table.
import { describe, expect, it } from 'vitest';
import { rankMemory } from '../../src/parallel/memory.js';
import { QWEN3_14B } from '../../src/model/config.js';
import { planRankMemory } from '../../src/plan/memory.js';
import { ropeTablePurpose } from '../../src/ops/rope.js';

describe('rank memory in the plan', () => {
  it('Qwen3-14B on 3 ranks, 16384-token passes: lm_head scratch at every position scored, the rest of the arena, collectives, batch', () => {
    const o = { world: 3, passTokens: 16384, gradDtype: 'bf16' as const };
    const base = rankMemory(QWEN3_14B, o);
    const m = planRankMemory(QWEN3_14B, { ...o, maxStorageBindingBytes: 2 ** 31 - 4 });
    expect(m.total).toBe(base.total);
    for (const k of ['weights', 'grads', 'gradScratch', 'optimizer', 'activations', 'scratch', 'scoredRows', 'batch', 'staging'] as const) expect(m[k]).toBe(base[k]);
    expect(m.lmHead.rows).toBe(16384);
    expect(m.lmHead.chunk).toBe(8192);
    expect(m.lmHead.logits).toBe(4 * 16384 * 8192);
    expect(m.lmHead.dlogits).toBe(2 * 16384 * 8192);
    expect(m.lmHead.dh32).toBe(4 * 16384 * 5120);
    expect(m.lmHead.rest).toBe(16 * 16384 + 4 * 16384); // softmax state [n, 4], zero dentropy [n]
    expect(m.lmHead.total).toBeGreaterThan(1.1e9); // the ~1.1 GB the plan used to leave out of train --check
    expect(m.scratchByPurpose['attention.D']).toBe(4 * 16384 * 40);
    expect(m.scratchByPurpose[ropeTablePurpose(128, 1e6, 40960)]).toBe(40960 * 128 * 4);
    expect(m.scratchByPurpose['rmsnorm.dw-partials']).toBe(512 * 5120 * 4);
    expect(m.collectives).toBe((64 << 20) * 2 + (64 << 20)); // f32 acc of 32M elements, bf16 part
    expect(m.staging).toBe(3 * (64 << 20)); // readBytes' staging grown to a piece, writeBytes' two
    expect(m.scratch).toBe(m.lmHead.total + m.collectives + m.otherScratch.reduce((a, x) => a + x.bytes, 0));
    expect(m.total).toBe(m.weights + m.grads + m.gradScratch + m.optimizer + m.activations + m.scratch + m.scoredRows + m.batch + m.staging);
    expect(m.total).toBeLessThan(141e9); // still fits an H200
    expect(m.hostExchange).toBe(14_768_307_200 * (2 * 2 + 2));
  });

  it('fewer scored rows shrink the lm_head share; a single rank has no collective buffers; a long scored pass shrinks the chunk to one binding', () => {
    const few = planRankMemory(QWEN3_14B, { world: 3, passTokens: 16384, scoredRows: 4915, gradDtype: 'bf16', maxStorageBindingBytes: 2 ** 31 - 4 });
    expect(few.lmHead.logits).toBe(4 * 4915 * 8192);
    const m = planRankMemory(QWEN3_14B, { world: 1, passTokens: 65536, gradDtype: 'f32', maxStorageBindingBytes: 2 ** 31 - 4 });
    expect(m.collectives).toBe(0);
    expect(m.staging).toBe(0);
    expect(m.hostExchange).toBe(0);
    expect(4 * 65536 * m.lmHead.chunk).toBeLessThanOrEqual(2 ** 31 - 4);
    expect(m.lmHead.chunk).toBe(8190);
  });
});
