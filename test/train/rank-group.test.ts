// Sharded training across processes (lavapipe: each rank opens its own software device): a step
// over 2 ranks gives bit-identical weights and equal losses to the same step on 1 rank (its first
// step on-policy at temperature 0.7: each rank scores its pass at the pass's temperature); a sharded
// checkpoint resumes on 1 rank with the same result as never stopping; a rank process that dies
// fails the step with an error naming it.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RankGroup } from '../../src/train/rank-group.js';
import { RemoteRank } from '../../src/train/remote-rank.js';
import { getGpu } from '../../src/gpu/gpu.js';
import { Generator } from '../../src/model/generate.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { makeTinyModel } from '../../src/model/tiny.js';
import { packPasses, type TrainSample } from '../../src/train/batch.js';
import { Rng } from '../../src/io/rng.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A small vocabulary keeps these multi-process tests fast on 2 cores (the embedding is still the
 *  largest tensor, so the shard plan splits unevenly sized tensors). */
const VOCAB = 4096;
/** Both ranks on the default adapter (on a GPU machine: two devices on the same GPU). */
const SAME_ADAPTER = [{}, {}];
const loss = { delta: 8, clamp: 'mask' as const };
const optimizer = { lr: 1e-3, maxGradNorm: 1e9, weightDecay: 0.01 };

/** Two equal-sized passes of random rollouts (two sequences each, loss on their second halves);
 *  sampler logprobs near a random model's (-log V), so ratios stay below AIPO's delta. */
function passes(seed: number, vocab: number) {
  const rng = new Rng(seed);
  const samples: TrainSample[] = [13, 11, 13, 11].map((n, i) => {
    const ids = Int32Array.from({ length: n }, () => Math.floor(rng.float() * vocab));
    const lossMask = Uint8Array.from({ length: n }, (_, j) => (j >= n / 2 ? 1 : 0));
    const samplerLogprobs = Float32Array.from({ length: n }, (_, j) => (lossMask[j] ? -Math.log(vocab) - rng.float() : NaN));
    return { ids, lossMask, samplerLogprobs, advantage: i % 2 ? 1 : -0.5, temperature: 1 };
  });
  const ps = packPasses(samples, 24);
  return { ps, N: ps.reduce((a, p) => a + p.lossTokens, 0) };
}

/** Like passes(), but the loss tokens sampled at `temperature` by the embedded sampler on the
 *  model in `modelDir` (prompts of 6 and 5 tokens, 7 and 6 sampled ones), with the sampler's
 *  logprobs: on-policy passes that carry their temperature. */
async function sampledPasses(modelDir: string, seed: number, temperature: number) {
  const model = await Qwen3Model.load(await getGpu(), modelDir);
  const gen = new Generator(model, { slots: 4, maxTokens: 16, seed });
  const rng = new Rng(seed);
  const reqs = [6, 5, 6, 5].map((n, i) => ({ prompt: Array.from({ length: n }, () => Math.floor(rng.float() * VOCAB)), maxNewTokens: 13 - 2 * (i % 2) - n, sampling: { temperature } }));
  const outs = await gen.generate(reqs);
  gen.destroy();
  model.destroy();
  const samples: TrainSample[] = outs.map((o, i) => {
    const n = reqs[i]!.prompt.length;
    const ids = Int32Array.from([...reqs[i]!.prompt, ...o.tokens]);
    const lossMask = Uint8Array.from(ids, (_, j) => (j >= n ? 1 : 0));
    const samplerLogprobs = Float32Array.from(ids, (_, j) => (j >= n ? o.logprobs[j - n]! : NaN));
    return { ids, lossMask, samplerLogprobs, advantage: i % 2 ? 1 : -0.5, temperature };
  });
  const ps = packPasses(samples, 24);
  return { ps, N: ps.reduce((a, p) => a + p.lossTokens, 0) };
}

async function weightBits(group: RankGroup): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const [n, w] of group.model.weights.byName) out.set(n, await group.local.gpu.readBytes(w.buffer, w.byteOffset, w.byteSize));
  return out;
}

/** A tiny random Qwen3 directory (removed after the file's tests). */
async function tinyModelDir(seed: number, tied: boolean): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'dist-'));
  dirs.push(root);
  await makeTinyModel(join(root, 'model'), { seed, tied, vocab: VOCAB });
  return join(root, 'model');
}

describe('RankGroup', () => {
  it('2 ranks == 1 rank bit for bit; a sharded checkpoint resumes on 1 rank', async () => {
    const gpu = await getGpu();
    const modelDir = await tinyModelDir(4, false);
    // Step 1 on-policy at temperature 0.7 (one pass per rank: the temperature travels with the
    // pass), with AIPO's delta at 1 + 1e-3, so a pass scored at another temperature than its
    // tokens were sampled at would have ratios clipped; step 2 random rollouts at temperature 1.
    const s1 = await sampledPasses(modelDir, 1, 0.7), s2 = passes(2, VOCAB);
    expect(s1.ps).toHaveLength(2);
    expect(s1.ps.map((p) => p.temperature)).toEqual([0.7, 0.7]);
    const onPolicy = { delta: Math.exp(1e-3), clamp: 'mask' as const };

    // One rank, two steps.
    const one = await RankGroup.start({ devices: [0], gpu, modelDir, optimizerDir: null, optimizer });
    const a1 = await one.step(s1.ps, s1.N, onPolicy);
    expect(a1.clippedTokens).toBe(0);
    expect(Math.abs(a1.ratioSum / s1.N - 1)).toBeLessThan(1e-3);
    const a2 = await one.step(s2.ps, s2.N, loss);
    const wantBits = await weightBits(one);
    await one.close();

    // Two ranks: step 1, checkpoint, step 2.
    const t0 = performance.now();
    const two = await RankGroup.start({ devices: [0, 1], deviceEnv: SAME_ADAPTER, gpu, modelDir, optimizerDir: null, optimizer, log: (s) => console.log(s) });
    console.log(`2 ranks started in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    expect(two.plan.owned[0]!.length).toBeGreaterThan(0);
    expect(two.plan.owned[1]!.length).toBeGreaterThan(0);
    expect(a1.gradNorm).toBeGreaterThan(0); // a step that moves the weights
    const b1 = await two.step(s1.ps, s1.N, onPolicy);
    expect(b1.passesPerRank).toEqual([1, 1]);
    expect(b1.clippedTokens).toBe(0);
    expect(readdirSync(two.exchangeDir!)).toEqual([]); // consumed gradients and gathered weights freed
    await two.save(join(dirname(modelDir), 'ckpt'), modelDir);
    const b2 = await two.step(s2.ps, s2.N, loss);
    const gotBits = await weightBits(two);
    await two.close();
    expect(existsSync(two.exchangeDir!)).toBe(false);

    // Same losses (each pass computed on the weights its rank holds: rank 1's came from the gather)
    // and the same update bit for bit (f32 gradient sums in rank order == accumulation on one device).
    expect(b1.loss).toBe(a1.loss);
    expect(b2.loss).toBe(a2.loss);
    expect(b1.ratioSum).toBe(a1.ratioSum);
    expect(b2.gradNorm).toBeCloseTo(a2.gradNorm, 5);
    let differing = 0;
    for (const [n, bits] of wantBits) if (Buffer.compare(Buffer.from(bits), Buffer.from(gotBits.get(n)!)) !== 0) differing++;
    expect(differing).toBe(0);

    // Resume the sharded checkpoint on one rank: step 2 again gives the same weights.
    const resumed = await RankGroup.start({ devices: [0], gpu, modelDir: join(dirname(modelDir), 'ckpt', 'model'), optimizerDir: join(dirname(modelDir), 'ckpt', 'optimizer'), optimizer });
    expect(resumed.local.optimizer.step).toBe(1);
    const c2 = await resumed.step(s2.ps, s2.N, loss);
    expect(c2.step).toBe(2);
    expect(c2.loss).toBe(a2.loss);
    const resumedBits = await weightBits(resumed);
    await resumed.close();
    for (const [n, bits] of wantBits) expect(Buffer.compare(Buffer.from(bits), Buffer.from(resumedBits.get(n)!)), n).toBe(0);
  }, 600_000);

  it('bf16 gradient accumulators: the exchanged sums match f32 gradients within bf16 rounding', async () => {
    const gpu = await getGpu();
    const modelDir = await tinyModelDir(6, false);
    const s = passes(7, VOCAB);
    const ref = await RankGroup.start({ devices: [0], gpu, modelDir, optimizerDir: null, optimizer });
    const a = await ref.step(s.ps, s.N, loss);
    const two = await RankGroup.start({ devices: [0, 1], deviceEnv: SAME_ADAPTER, gpu, modelDir, optimizerDir: null, optimizer, modelOptions: { gradDtype: 'bf16' } });
    try {
      const b = await two.step(s.ps, s.N, loss);
      expect(a.gradNorm).toBeGreaterThan(0);
      expect(b.loss).toBe(a.loss);
      expect(Math.abs(b.gradNorm - a.gradNorm) / a.gradNorm).toBeLessThan(2 ** -7);
      // Rank 0's own weights hold the reduced sums of both ranks' bf16 gradients.
      for (const name of two.plan.owned[0]!) {
        const got = await gpu.readF32(two.model.grads.get(name)!);
        const want = await gpu.readF32(ref.model.grads.get(name)!);
        let num = 0, den = 0;
        for (let i = 0; i < want.length; i++) {
          num += (got[i]! - want[i]!) ** 2;
          den += want[i]! ** 2;
        }
        expect(Math.sqrt(num / den), name).toBeLessThan(2 ** -7);
      }
      // Every weight (rank 1's arrive through the gather) moved as on one rank: AdamW steps of lr.
      for (const [name, w] of ref.model.weights.byName) {
        const want = await gpu.readF32(w);
        const got = await gpu.readF32(two.model.weights.byName.get(name)!);
        let worst = 0;
        for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) - 2 ** -7 * Math.abs(want[i]!));
        expect(worst, name).toBeLessThanOrEqual(2 * optimizer.lr);
      }
    } finally {
      await ref.close();
      await two.close();
    }
  }, 600_000);

  it('a rank process that dies fails the step, naming the rank', async () => {
    const gpu = await getGpu();
    const modelDir = await tinyModelDir(5, true);
    const group = await RankGroup.start({ devices: [0, 1], deviceEnv: SAME_ADAPTER, gpu, modelDir, optimizerDir: null, optimizer });
    try {
      (group.ranks[1] as RemoteRank).kill('SIGKILL');
      const s = passes(3, VOCAB);
      await expect(group.step(s.ps, s.N, loss)).rejects.toThrow(/backward failed on rank 1: .*process exited \(signal SIGKILL\)/);
    } finally {
      await group.close();
    }
  }, 600_000);

  it('a rank that stops answering fails the step after the timeout, naming the rank and phase', async () => {
    const gpu = await getGpu();
    const modelDir = await tinyModelDir(5, true);
    const group = await RankGroup.start({ devices: [0, 1], deviceEnv: SAME_ADAPTER, gpu, modelDir, optimizerDir: null, optimizer, rankTimeoutMs: 3000 });
    try {
      (group.ranks[1] as RemoteRank).kill('SIGSTOP'); // alive but silent, like a hung device
      const s = passes(3, VOCAB);
      await expect(group.step(s.ps, s.N, loss)).rejects.toThrow(/backward failed on rank 1: backward did not answer within 3 s; its process is killed/);
    } finally {
      await group.close();
    }
  }, 600_000);
});
