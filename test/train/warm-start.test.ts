// The supervised warm start: samples are the row's rendered opening prompt followed by exactly the
// reply's tokens and <|im_end|>, the only loss tokens; the NLL objective lowers their NLL, and a
// weighted mixture of replies teaches its weights as the first reply token's distribution.
import { describe, expect, it } from 'vitest';
import { ResumeEnvironment } from '../../src/env/resume/episode.js';
import { RulesJudge } from '../../src/reward/rules-judge.js';
import { getGpu } from '../../src/gpu/gpu.js';
import { QWEN3_SPECIAL_IDS, bundledQwen3TokenizerDir } from '../../src/io/tokenizer.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { loadChatFormat } from '../../src/rl/setup.js';
import { AdamW } from '../../src/train/optimizer.js';
import { packPasses } from '../../src/train/batch.js';
import { runPasses } from '../../src/train/passes.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { loadTrainConfig } from '../../src/train/config.js';
import { parseToolCalls } from '../../src/io/toolcall.js';
import { forkWeights, warmStartSamples } from '../../src/train/warm-start.js';
import { bf16Weights, seqOf, tinyQwen3 } from '../model/qwen3-helpers.js';

const REPLY = '<tool_call>\n{"name": "submit", "arguments": {}}\n</tool_call>';

describe('warm start', () => {
  it('builds prompt + reply samples with the reply as the only loss tokens', async () => {
    const { tokenizer, template } = await loadChatFormat(bundledQwen3TokenizerDir());
    const env = new ResumeEnvironment(new RulesJudge(), { train: 'data/train.jsonl' });
    const rows = env.rows('train').slice(0, 2);
    const samples = warmStartSamples(env, rows, tokenizer, template, false);
    const reply = [...tokenizer.encode(REPLY), QWEN3_SPECIAL_IDS.imEnd];
    expect(samples).toHaveLength(2);
    for (const s of samples) {
      expect(s.advantage).toBe(1); // the demonstration's NLL weight
      const n = s.ids.length;
      expect(Array.from(s.ids.slice(n - reply.length))).toEqual(reply);
      expect(Array.from(s.lossMask).reduce((a, b) => a + b, 0)).toBe(reply.length);
      expect(s.temperature).toBe(1); // the NLL of the model's own softmax
      expect(Array.from(s.lossMask.slice(n - reply.length)).every((m) => m === 1)).toBe(true);
      // The prompt ends with the generation prompt (thinking off: an empty think block).
      expect(tokenizer.decode(Array.from(s.ids.slice(0, n - reply.length)))).toMatch(/<\|im_start\|>assistant\n<think>\n\n<\/think>\n\n$/);
    }
    expect(Array.from(samples[0]!.ids)).not.toEqual(Array.from(samples[1]!.ids)); // each row's own prompt
  });

  it("the default config's mixture: a review call, a submit call (valid hermes calls) and a reply without one", () => {
    const replies = loadTrainConfig('configs/tiny-cpu.json').warmStart.replies!;
    const parsed = replies.map((r) => parseToolCalls(r.text));
    expect(parsed.map((p) => p.calls.map((c) => c.name))).toEqual([['review'], ['submit'], []]);
    expect(parsed.every((p) => p.errors.length === 0)).toBe(true);
    expect(replies.reduce((a, r) => a + r.weight, 0)).toBeCloseTo(1, 9);
  });

  it('forkWeights weights the tokens where replies sharing a prefix part, and only those', () => {
    // Replies: [1,2,3], [1,2,4,5], [6]: forks at position 0 (1 vs 6) and at position 2 (3 vs 4).
    const w = forkWeights([[1, 2, 3], [1, 2, 4, 5], [6]], [0.5, 0.25, 1]);
    expect(w).toEqual([
      [0.5, 1, 0.5],
      [0.25, 1, 0.25, 1],
      [1],
    ]);
    expect(forkWeights([[7, 8]], [0.3])).toEqual([[1, 1]]); // one reply: nothing to choose
  });

  it('a weighted mixture gives each row one sample per reply, weighted', async () => {
    const { tokenizer, template } = await loadChatFormat(bundledQwen3TokenizerDir());
    const env = new ResumeEnvironment(new RulesJudge(), { train: 'data/train.jsonl' });
    const rows = env.rows('train').slice(0, 3);
    const mix = [{ text: REPLY, weight: 0.25 }, { text: 'No changes are needed.', weight: 0.75 }];
    const samples = warmStartSamples(env, rows, tokenizer, template, false, mix);
    expect(samples).toHaveLength(6);
    samples.forEach((s, i) => {
      const reply = [...tokenizer.encode(mix[i % 2]!.text), QWEN3_SPECIAL_IDS.imEnd];
      expect(Array.from(s.ids.slice(s.ids.length - reply.length))).toEqual(reply);
      expect(Array.from(s.lossMask).reduce((a, b) => a + b, 0)).toBe(reply.length);
      expect(s.advantage).toBe(1);
      // Only the first reply token is a fork (`<tool_call>` vs `No`): it carries w / max w.
      const w = Array.from(s.tokenWeights!.slice(s.ids.length - reply.length));
      expect(w[0]).toBeCloseTo(mix[i % 2]!.weight / 0.75, 6);
      expect(w.slice(1).every((x) => x === 1)).toBe(true);
      expect(Array.from(s.tokenWeights!.slice(0, s.ids.length - reply.length)).every((x) => x === 1)).toBe(true);
    });
    // Both replies of a row follow the same prompt.
    const promptOf = (i: number) => Array.from(samples[i]!.ids.slice(0, samples[i]!.lossMask.indexOf(1)));
    expect(promptOf(0)).toEqual(promptOf(1));
  });

  it('the NLL objective lowers the NLL of the loss tokens', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 41));
    const opt = new AdamW(gpu, model.weights.byName, { lr: 1e-2, maxGradNorm: 1e9 });
    const sample = (seed: number) => {
      const ids = Int32Array.from(seqOf(24, seed, 512));
      const lossMask = Uint8Array.from(ids, (_, j) => (j >= 16 ? 1 : 0));
      return { ids, lossMask, samplerLogprobs: Float32Array.from(ids, () => 0), advantage: 1, temperature: 1 };
    };
    const passes = packPasses([sample(1), sample(2)], 1024);
    const N = passes.reduce((a, p) => a + p.lossTokens, 0);
    const nll: number[] = [];
    for (let k = 0; k < 6; k++) {
      const st = await runPasses(model, passes, N, { delta: 8, clamp: 'mask', nll: true });
      nll.push(st.loss);
      await opt.update(model.grads);
    }
    console.log(`warm-start NLL: ${nll.map((x) => x.toFixed(3)).join(' -> ')}`);
    expect(nll[0]).toBeGreaterThan(Math.log(512) * 0.8); // a random model: about log V per token
    expect(nll[5]).toBeLessThan(nll[0]! * 0.7);
    opt.destroy();
    model.destroy();
  });

  it('weighted NLL over two replies teaches their weights as the first token distribution', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 43));
    const opt = new AdamW(gpu, model.weights.byName, { lr: 1e-2, maxGradNorm: 1e9 });
    const prompt = seqOf(13, 5, 512); // odd length
    const [a, b, tail] = [101, 202, [7, 8, 9]];
    const w = forkWeights([[a, ...tail], [b, ...tail]], [0.3, 0.1]);
    const sample = (first: number) => {
      const ids = Int32Array.from([...prompt, first, ...tail]);
      const lossMask = Uint8Array.from(ids, (_, j) => (j >= prompt.length ? 1 : 0));
      const tokenWeights = Float32Array.from(ids, (_, j) => (j >= prompt.length ? w[first === a ? 0 : 1]![j - prompt.length]! : 1));
      return { ids, lossMask, samplerLogprobs: Float32Array.from(ids, () => 0), advantage: 1, tokenWeights, temperature: 1 };
    };
    const ids0 = prompt.length + 1 + tail.length;
    const passes = packPasses([sample(a), sample(b)], 1024); // weights 3:1 at the fork, not normalised
    // The fork's weights reach the pass; the tokens after it keep weight 1.
    expect(passes[0]!.advantages[prompt.length - 1]).toBeCloseTo(1, 6);
    expect(passes[0]!.advantages[prompt.length]).toBe(1);
    expect(passes[0]!.advantages[ids0 + prompt.length - 1]).toBeCloseTo(1 / 3, 6);
    const N = passes.reduce((x, p) => x + p.lossTokens, 0);
    for (let k = 0; k < 60; k++) {
      await runPasses(model, passes, N, { delta: 8, clamp: 'mask', nll: true });
      await opt.update(model.grads);
    }
    // log p(first | prompt) for both candidates, read at the prompt's last position.
    const lp = async (first: number): Promise<number> => {
      const packed = packSequences([[...prompt, first]]);
      const targets = Int32Array.from(packed.targets, (y, t) => (t === prompt.length - 1 ? y : -1));
      const fwd = await model.forward({ ...packed, targets, temperature: 1 });
      return fwd.logprobs[prompt.length - 1]!;
    };
    const [pa, pb] = [Math.exp(await lp(a)), Math.exp(await lp(b))];
    console.log(`weighted warm start: p(a) ${pa.toFixed(3)}, p(b) ${pb.toFixed(3)} (target 0.75, 0.25)`);
    expect(pa + pb).toBeGreaterThan(0.9); // the mixture took (nearly) all the mass
    expect(pa / (pa + pb)).toBeGreaterThan(0.7); // 3:1 within bf16 training noise
    expect(pa / (pa + pb)).toBeLessThan(0.8);
    opt.destroy();
    model.destroy();
  });
});
