// One RL update on the real engine, end to end on the tiny model: sequences as a sampler produced
// them (tokens from the KV-cache generator with their sampler logprobs), AIPO gradient per token,
// backward with recompute, AdamW. With a positive advantage on one rollout and a negative one on
// the other, a few updates raise the first's likelihood and lower the second's; the first update
// is on-policy (trainer and sampler logprobs agree: mean ratio ~1).
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { Generator } from '../../src/model/generate.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { aipoLoss } from '../../src/rl/aipo.js';
import { AdamW } from '../../src/train/optimizer.js';
import { bf16Weights, seqOf, tinyQwen3 } from '../model/qwen3-helpers.js';

describe('RL update on the engine', () => {
  it("AIPO + AdamW moves sampled rollouts' likelihood in the direction of their advantage", async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 41));
    const prompt = seqOf(6, 3, 512);
    const gen = new Generator(model, { slots: 2, maxTokens: 32 });
    const outs = await gen.generate([0, 1].map((i) => ({ prompt, maxNewTokens: 12, sampling: { temperature: 1 }, seed: `rollout-${i}` })));
    gen.destroy();
    // Packed batch: prompt + completion per rollout; loss tokens are the sampled ones.
    const seqs = outs.map((o) => [...prompt, ...o.tokens]);
    const batch = packSequences(seqs);
    const T = batch.tokens.length;
    const mask = new Uint8Array(T), mu = new Float64Array(T), adv = new Float64Array(T);
    seqs.forEach((s, i) => {
      const start = batch.cuSeqlens[i]!;
      // Position p predicts token p+1: the sampled tokens are targets of positions prompt-1 .. len-2.
      outs[i]!.tokens.forEach((_, j) => {
        const p = start + prompt.length - 1 + j;
        mask[p] = 1;
        mu[p] = outs[i]!.logprobs[j]!;
        adv[p] = i === 0 ? 1 : -1;
      });
    });
    const opt = new AdamW(gpu, model.weights.byName, { lr: 2e-3, maxGradNorm: 1 });
    const seqLogprob = (lp: Float32Array, i: number): number => {
      let s = 0;
      for (let p = batch.cuSeqlens[i]!; p < batch.cuSeqlens[i + 1]!; p++) if (mask[p]) s += lp[p]!;
      return s;
    };
    const before = await model.forward(batch);
    const first = aipoLoss({ logprobs: before.logprobs, samplerLogprobs: mu, advantages: adv, mask });
    // Same weights, temperature 1, no truncation: mu is pi up to bf16/f32 noise of two code paths.
    expect(Math.abs(first.meanRatio - 1)).toBeLessThan(0.05);
    for (let step = 0; step < 4; step++) {
      const r = await model.forward(batch);
      const loss = aipoLoss({ logprobs: r.logprobs, samplerLogprobs: mu, advantages: adv, mask });
      model.zeroGrads();
      model.backward(batch, loss.dlogprob);
      await opt.update(model.grads);
    }
    const after = await model.forward(batch);
    const d = [0, 1].map((i) => seqLogprob(after.logprobs, i) - seqLogprob(before.logprobs, i));
    console.log(`rollout log-likelihood change: advantage +1: ${d[0]!.toFixed(3)}, advantage -1: ${d[1]!.toFixed(3)}`);
    expect(d[0]).toBeGreaterThan(0.5);
    expect(d[1]).toBeLessThan(-0.5);
    opt.destroy();
    model.destroy();
  });
});
