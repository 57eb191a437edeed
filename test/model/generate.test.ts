// KV-cache generation on the GPU: greedy decoding with batching equals the argmax of full forward
// passes token by token; stop tokens, length limits and seeded sampling.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { Generator, fullForwardLastLogits } from '../../src/model/generate.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { SamplingParams, argmaxLogits } from '../../src/ops/sampling.js';
import { sampleRef } from '../../src/ops/ref/sample.js';
import { Rng } from '../../src/io/rng.js';
import { bf16Weights, seqOf, tinyQwen3 } from './qwen3-helpers.js';

describe('Generator (KV cache)', () => {
  it('greedy decoding equals argmax of full forward passes, token by token (batched, 4 prompts over 3 slots)', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 21));
    const prompts = [seqOf(5, 31, 512), seqOf(1, 32, 512), seqOf(12, 33, 512), seqOf(3, 34, 512)];
    const steps = 6;
    const gen = new Generator(model, { slots: 3, maxTokens: 24 });
    const out = await gen.generate(prompts.map((prompt) => ({ prompt, maxNewTokens: steps, sampling: { temperature: 0 } })));
    // Full forwards of every prefix, all prompts at once per step (packed).
    let nearTies = 0;
    for (let s = 0; s < steps; s++) {
      const logits = await fullForwardLastLogits(model, prompts.map((p, i) => [...p, ...out[i]!.tokens.slice(0, s)]));
      logits.forEach((l, i) => {
        const best = argmaxLogits(l);
        const sorted = Float32Array.from(l).sort();
        if (sorted[sorted.length - 1]! - sorted[sorted.length - 2]! < 1e-2) nearTies++;
        expect(out[i]!.tokens[s], `prompt ${i} step ${s}`).toBe(best);
        expect(out[i]!.modelLogprobs[s]).toBeCloseTo(l[best]! - Math.log(l.reduce((a, x) => a + Math.exp(x - l[best]!), 0)) - l[best]!, 1);
      });
    }
    console.log(`greedy: ${prompts.length * steps} tokens compared, ${nearTies} near-ties (top-2 gap < 1e-2)`);
    for (const r of out) {
      expect(r.finishReason).toBe('length');
      expect(r.logprobs.every((x) => x === 0)).toBe(true); // greedy: mu = 1
    }
    gen.destroy();
    model.destroy();
  });

  it('stops at a stop token (included) and samples reproducibly from a seed', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 22));
    const prompt = seqOf(4, 41, 512);
    const gen = new Generator(model, { slots: 2, maxTokens: 32, seed: 1 });
    const greedy = (await gen.generate([{ prompt, maxNewTokens: 8, sampling: { temperature: 0 } }]))[0]!;
    const stop = greedy.tokens[3]!;
    const stopped = (await gen.generate([{ prompt, maxNewTokens: 8, sampling: { temperature: 0 }, stopTokens: [stop] }]))[0]!;
    expect(stopped.finishReason).toBe('stop');
    expect(stopped.tokens).toEqual(greedy.tokens.slice(0, greedy.tokens.indexOf(stop) + 1));
    const req = { prompt, maxNewTokens: 10, sampling: { temperature: 1.3, topP: 0.9, topK: 50 }, seed: 'abc' };
    const a = await gen.generate([req, { ...req, seed: 'other' }]);
    const b = await gen.generate([req]); // alone, in another slot layout
    expect(b[0]!.tokens).toEqual(a[0]!.tokens);
    expect(a[1]!.tokens).not.toEqual(a[0]!.tokens);
    for (const lp of a[0]!.logprobs) expect(lp).toBeLessThanOrEqual(0);
    // Each draw is the reference sampler's on full-forward logits of the same prefix (seed: the
    // request's stream, step: tokens sampled before), up to near-ties of f32 vs f64.
    const seed = new Rng('abc').u32();
    const params = SamplingParams.parse(req.sampling);
    let compared = 0;
    for (let s = 0; s < a[0]!.tokens.length; s++) {
      const [logits] = await fullForwardLastLogits(model, [[...prompt, ...a[0]!.tokens.slice(0, s)]]);
      const want = sampleRef(logits!, params, seed, s);
      if (Math.min(want.drawMargin, want.topPMargin) < 2e-3) continue;
      expect(a[0]!.tokens[s], `step ${s}`).toBe(want.token);
      expect(a[0]!.logprobs[s]).toBeCloseTo(want.logprob, 2);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(a[0]!.tokens.length / 2); // 7 of 10 here
    gen.destroy();
    model.destroy();
  });

  it('prefills in groups of at most maxPrefillTokens prompt tokens, with the same results', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 23));
    const prompts = [seqOf(7, 51, 512), seqOf(9, 52, 512), seqOf(20, 53, 512), seqOf(2, 54, 512)];
    const reqs = prompts.map((prompt, i) => ({ prompt, maxNewTokens: 5, sampling: { temperature: 1, topK: 40 }, seed: i }));
    const whole = new Generator(model, { slots: 4, maxTokens: 32 });
    const capped = new Generator(model, { slots: 4, maxTokens: 32, maxPrefillTokens: 16 });
    const a = await whole.generate(reqs);
    const b = await capped.generate(reqs);
    expect(whole.prefills).toBe(1);
    expect(capped.prefills).toBe(3); // [7, 9], [20] (alone, over the cap), [2]
    expect(b.map((r) => r.tokens)).toEqual(a.map((r) => r.tokens));
    expect(b.map((r) => r.logprobs)).toEqual(a.map((r) => r.logprobs));
    whole.destroy();
    capped.destroy();
    model.destroy();
  });

  it('requests admitted together with the same prompt share one prefill, with the same results as each alone', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 24));
    const [a, b, c] = [seqOf(11, 61, 512), seqOf(6, 62, 512), seqOf(11, 63, 512)]; // a and c: same length, other tokens
    const prompts = [a, a, b, c, a, b, a];
    const reqs = prompts.map((prompt, i) => ({ prompt, maxNewTokens: 6, sampling: { temperature: 1, topK: 40 }, seed: i }));
    const shared = new Generator(model, { slots: 7, maxTokens: 32 });
    const got = await shared.generate(reqs);
    expect(shared.prefills).toBe(1);
    expect(shared.prefillTokens).toBe(11 + 6 + 11); // a, b, c once each
    // Two slots: the groups split over admission rounds ([a, a], [b, c], [a, b], [a]).
    const two = new Generator(model, { slots: 2, maxTokens: 32 });
    const split = await two.generate(reqs);
    const alone = new Generator(model, { slots: 1, maxTokens: 32 });
    for (const [i, r] of reqs.entries()) {
      const [want] = await alone.generate([r]);
      for (const out of [got[i]!, split[i]!]) {
        expect(out.tokens, `request ${i}`).toEqual(want!.tokens);
        expect(out.logprobs, `request ${i}`).toEqual(want!.logprobs);
        expect(out.modelLogprobs, `request ${i}`).toEqual(want!.modelLogprobs);
      }
    }
    expect(new Set(got.filter((_, i) => prompts[i] === a).map((r) => r.tokens.join(','))).size).toBeGreaterThan(1); // own draws
    for (const g of [shared, two, alone]) g.destroy();
    model.destroy();
  });
});
