// The memory plan's scratch estimate (src/model/scratch-plan.ts, what src/parallel/memory.ts adds to
// a rank) against what the device's arena actually held (src/gpu/arena.ts) on a tiny model: a
// training pass (forward, backward, gradient norm) and generation (prefill + decode steps).
// Tolerance: every purpose the arena saw is planned, at no less than its largest buffer; the
// plan's total is >= the arena's peak and at most 1.1x it (measured on lavapipe: 1.02x training,
// 1.01x generation). The slack is the plan's bounds where sizes depend on the device or the data:
// attention block tables for any block size (the plan assumes one block per row), the embedding's
// token groups with every id distinct.
import { describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '../../src/gpu/gpu.js';
import { Generator } from '../../src/model/generate.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { scratchPlan, type ScratchShape } from '../../src/model/scratch-plan.js';
import { tinyConfig } from '../../src/model/tiny.js';
import { globalGradNorm } from '../../src/ops/grad-norm.js';
import { sgmatState } from '../../src/ops/matmul-sgmat.js';
import { bf16Weights, seqOf } from './qwen3-helpers.js';

// A short RoPE table (256 positions) keeps it from dwarfing the rest of the scratch at this size.
const cfg = tinyConfig({ layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, vocab: 512, maxPositionEmbeddings: 256 });
const TOLERANCE = 1.1;

function compare(gpu: Gpu, shape: Omit<ScratchShape, 'maxBinding' | 'align' | 'tensorCores'>, what: string): void {
  const plan = scratchPlan(cfg, { ...shape, maxBinding: gpu.maxBinding, align: gpu.limits.minStorageBufferOffsetAlignment, tensorCores: sgmatState(gpu) === 'ok' });
  const seen = gpu.scratch.report();
  const peak = gpu.scratch.peak;
  console.log(
    `${what}: arena peak ${peak} B, plan ${plan.total} B (${(plan.total / peak).toFixed(2)}x)\n  ` +
      seen.map((u) => `${u.purpose}: ${u.largest} B seen, ${plan.byPurpose[u.purpose] ?? 'not planned'} planned`).join('\n  '),
  );
  expect(seen.length).toBeGreaterThan(0);
  for (const u of seen) {
    expect(plan.byPurpose[u.purpose], `${what}: ${u.purpose} is planned`).toBeDefined();
    expect(plan.byPurpose[u.purpose]!, `${what}: ${u.purpose}`).toBeGreaterThanOrEqual(u.largest);
  }
  expect(plan.total).toBeGreaterThanOrEqual(peak);
  expect(plan.total).toBeLessThanOrEqual(TOLERANCE * peak);
}

describe('scratch plan vs the arena', () => {
  it('a training pass: forward, backward with bf16 gradients, gradient norm', async () => {
    const gpu = await getGpu();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 7), { gradDtype: 'bf16' });
    gpu.scratch.trim();
    gpu.scratch.resetPeak();
    const batch = packSequences([seqOf(37, 1, cfg.vocab_size), seqOf(21, 2, cfg.vocab_size), seqOf(6, 3, cfg.vocab_size)]);
    // Score about half the positions, as an RL batch scores the sampled tokens only.
    const targets = Int32Array.from(batch.targets, (y, t) => (t % 2 === 0 ? y : -1));
    const scored = targets.filter((y) => y >= 0).length;
    const b = { ...batch, targets };
    await model.forward(b);
    model.backward(b, Float64Array.from(b.tokens, (_, t) => (t % 3) - 1));
    await globalGradNorm(gpu, [...model.grads.values()]);
    await gpu.sync();
    compare(gpu, { tokens: b.tokens.length, scoredRows: scored, seqs: 3, backward: true }, 'training pass');
    const purposes = gpu.scratch.report().map((u) => u.purpose);
    for (const p of ['lm_head.logits', 'lm_head.dlogits', 'lm_head.dh32', 'attention.D', 'rmsnorm.dw-partials', 'embedding.token-groups', 'grad-norm.partials']) expect(purposes).toContain(p);
    model.destroy();
  });

  it('generation: prefill of two prompts and decode steps', async () => {
    const gpu = await getGpu();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 8));
    gpu.scratch.trim();
    gpu.scratch.resetPeak();
    const gen = new Generator(model, { slots: 2, maxTokens: 32 });
    const prompts = [seqOf(9, 4, cfg.vocab_size), seqOf(5, 5, cfg.vocab_size)];
    const out = await gen.generate(prompts.map((prompt, i) => ({ prompt, maxNewTokens: 4, seed: i })));
    expect(out.every((r) => r.tokens.length >= 1)).toBe(true);
    await gpu.sync();
    compare(gpu, { tokens: 14, scoredRows: 0, seqs: 2, backward: false }, 'generation');
    gen.destroy();
    model.destroy();
  });
});
