// Shard and pass plans: every weight owned once, balanced, the same plan from the same input; the
// memory plan per rank of Qwen3-14B.
import { describe, expect, it } from 'vitest';
import { describeRankMemory, rankMemory } from '../../src/parallel/memory.js';
import { assignPasses, planShards } from '../../src/parallel/shard-plan.js';
import { QWEN3_14B, qwen3Tensors } from '../../src/model/config.js';
import { tinyConfig } from '../../src/model/tiny.js';

describe('planShards', () => {
  it('owns every weight once, balances Qwen3-14B-like sizes within 2%, deterministically', () => {
    const c = tinyConfig({ layers: 40, hidden: 5120, heads: 40, kvHeads: 8, headDim: 128, intermediate: 17408 });
    const ws = qwen3Tensors(c).map((t) => ({ name: t.name, numel: t.shape.reduce((a, b) => a * b, 1) }));
    const p = planShards(ws, 3);
    expect(p.owned.flat().sort()).toEqual(ws.map((w) => w.name).sort());
    const total = ws.reduce((a, w) => a + w.numel, 0);
    expect(p.load.reduce((a, b) => a + b)).toBe(total);
    for (const l of p.load) expect(Math.abs(l - total / 3) / (total / 3)).toBeLessThan(0.02);
    expect(planShards(ws, 3).owned).toEqual(p.owned);
    expect(planShards(ws, 1).owned[0]).toEqual(ws.map((w) => w.name));
    expect(() => planShards([ws[0]!, ws[0]!], 2)).toThrow(/listed twice/);
  });

  it('assigns passes largest first to the least-loaded rank, keeping their order', () => {
    const pass = (n: number) => ({ lossTokens: 1, seqs: [Array.from({ length: n }, () => 0)] });
    const ps = [pass(5), pass(9), pass(2), pass(7)];
    const parts = assignPasses(ps, 2);
    expect(parts.map((p) => p.map((x) => x.seqs[0]!.length))).toEqual([[9, 2], [5, 7]]);
    expect(assignPasses(ps, 5)[4]).toEqual([]);
  });
});

describe('rank memory plan', () => {
  it('Qwen3-14B on 3 ranks: f32 gradients do not fit an H200 (141 GB), bf16 ones do', () => {
    const f32 = rankMemory(QWEN3_14B, { world: 3, passTokens: 16384, gradDtype: 'f32' });
    const bf16 = rankMemory(QWEN3_14B, { world: 3, passTokens: 16384, gradDtype: 'bf16' });
    console.log(`f32: ${describeRankMemory(f32)}\nbf16: ${describeRankMemory(bf16)}`);
    expect(f32.params).toBe(14_768_307_200);
    expect(f32.weights).toBe(2 * f32.params);
    expect(f32.grads).toBe(4 * f32.params);
    expect(bf16.grads).toBe(2 * f32.params);
    expect(bf16.gradScratch).toBe(4 * (151936 * 5120 + 5120));
    expect(Math.abs(f32.optimizer - (12 * f32.params) / 3) / f32.optimizer).toBeLessThan(0.02);
    expect(f32.activations).toBe(860524 * 16384);
    expect(f32.total).toBeGreaterThan(141e9);
    expect(bf16.total).toBeLessThan(141e9);
  });
});
