// The plan's per-rank memory: src/parallel/memory.ts's total plus the ops' large scratch.
import { describe, expect, it } from 'vitest';
import { rankMemory } from '../../src/parallel/memory.js';
import { QWEN3_14B } from '../../src/model/config.js';
import { planRankMemory } from '../../src/plan/memory.js';

describe('rank memory in the plan', () => {
  it('Qwen3-14B on 3 ranks, 16384-token passes: src/parallel/memory.ts plus lm_head, attention, collective and batch scratch', () => {
    const o = { world: 3, passTokens: 16384, gradDtype: 'bf16' as const };
    const base = rankMemory(QWEN3_14B, o);
    const m = planRankMemory(QWEN3_14B, { ...o, scoredRows: 4915, maxStorageBindingBytes: 2 ** 31 - 4 });
    expect(m.base).toBe(base.total);
    for (const k of ['weights', 'grads', 'gradScratch', 'optimizer', 'activations'] as const) expect(m[k]).toBe(base[k]);
    expect(m.lmHead.chunk).toBe(8192);
    expect(m.lmHead.logits).toBe(4 * 4915 * 8192);
    expect(m.lmHead.dlogits).toBe(2 * 4915 * 8192);
    expect(m.lmHead.dh32).toBe(4 * 4915 * 5120);
    expect(m.attention).toBe(4 * 16384 * 40);
    expect(m.collectives).toBe((64 << 20) * 2 + 2 * (64 << 20)); // f32 acc of 32M elements, bf16 part, read staging
    expect(m.total).toBe(base.total + m.lmHead.total + m.attention + m.collectives + m.batch);
    expect(m.total).toBeLessThan(141e9); // still fits an H200
    expect(m.hostExchange).toBe(14_768_307_200 * (2 * 2 + 2));
  });

  it('a single rank has no collective buffers; a long scored pass shrinks the lm_head chunk to one binding', () => {
    const m = planRankMemory(QWEN3_14B, { world: 1, passTokens: 65536, scoredRows: 65536, gradDtype: 'f32', maxStorageBindingBytes: 2 ** 31 - 4 });
    expect(m.collectives).toBe(0);
    expect(m.hostExchange).toBe(0);
    expect(4 * 65536 * m.lmHead.chunk).toBeLessThanOrEqual(2 ** 31 - 4);
    expect(m.lmHead.chunk).toBe(8190);
  });
});
