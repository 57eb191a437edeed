// Packing rollouts into training passes: per-position targets of the loss tokens, and the
// temperature (one per pass: samples of different temperatures never share a pass).
import { describe, expect, it } from 'vitest';
import type { Qwen3Model } from '../../src/model/qwen3.js';
import { packPasses, type TrainPass, type TrainSample } from '../../src/train/batch.js';
import { runPasses } from '../../src/train/passes.js';

function sample(n: number, temperature: number, advantage = 1): TrainSample {
  const ids = Int32Array.from({ length: n }, (_, j) => 10 + j);
  const lossMask = Uint8Array.from(ids, (_, j) => (j >= 2 ? 1 : 0));
  return { ids, lossMask, samplerLogprobs: Float32Array.from(ids, (_, j) => (j >= 2 ? -j : NaN)), advantage, temperature };
}

describe('packPasses', () => {
  it('shifts the loss tokens to the positions that score them', () => {
    const [p] = packPasses([sample(4, 0.7, 2)], 100);
    expect(Array.from(p!.mask)).toEqual([0, 1, 1, 0]);
    expect(Array.from(p!.samplerLogprobs)).toEqual([0, -2, -3, 0]);
    expect(Array.from(p!.advantages)).toEqual([0, 2, 2, 0]);
    expect(p!.lossTokens).toBe(2);
    expect(p!.temperature).toBe(0.7);
  });

  it('starts a new pass when the temperature changes (one temperature per pass)', () => {
    const ps = packPasses([sample(4, 0.7), sample(4, 0.7), sample(4, 1.3), sample(4, 0.7), sample(4, 0.7), sample(4, 0.7)], 8);
    expect(ps.map((p) => [p.seqs.length, p.temperature])).toEqual([[2, 0.7], [1, 1.3], [2, 0.7], [1, 0.7]]);
  });

  it('refuses a sample without a usable temperature', () => {
    for (const t of [0, -1, NaN, Infinity, undefined]) {
      expect(() => packPasses([{ ...sample(4, 1), temperature: t as number }], 8)).toThrow(/training needs a finite temperature > 0/);
    }
  });

  it('runPasses refuses a pass that lost its temperature (it would score at 1)', async () => {
    const model = { zeroGrads() {} } as unknown as Qwen3Model;
    const [p] = packPasses([sample(4, 0.7)], 8);
    const { temperature: _, ...lost } = p!;
    await expect(runPasses(model, [lost as TrainPass], 2, { delta: 8, clamp: 'mask' })).rejects.toThrow(/a pass has temperature undefined/);
  });
});
