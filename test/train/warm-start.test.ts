// The supervised warm start: samples are the row's rendered opening prompt followed by exactly the
// reply's tokens and <|im_end|>, the only loss tokens; the NLL objective lowers their NLL.
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
import { warmStartSamples } from '../../src/train/warm-start.js';
import { bf16Weights, seqOf, tinyQwen3 } from '../model/qwen3-helpers.js';

const REPLY = '<tool_call>\n{"name": "submit", "arguments": {}}\n</tool_call>';

describe('warm start', () => {
  it('builds prompt + reply samples with the reply as the only loss tokens', async () => {
    const { tokenizer, template } = await loadChatFormat(bundledQwen3TokenizerDir());
    const env = new ResumeEnvironment(new RulesJudge(), { train: 'data/train.jsonl' }, REPLY);
    const rows = env.rows('train').slice(0, 2);
    const samples = warmStartSamples(env, rows, tokenizer, template, false);
    const reply = [...tokenizer.encode(REPLY), QWEN3_SPECIAL_IDS.imEnd];
    expect(samples).toHaveLength(2);
    for (const s of samples) {
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

  it('the NLL objective lowers the NLL of the loss tokens', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 41));
    const opt = new AdamW(gpu, model.weights.byName, { lr: 1e-2, maxGradNorm: 1e9 });
    const sample = (seed: number) => {
      const ids = Int32Array.from(seqOf(24, seed, 512));
      const lossMask = Uint8Array.from(ids, (_, j) => (j >= 16 ? 1 : 0));
      return { ids, lossMask, samplerLogprobs: Float32Array.from(ids, () => 0), advantage: 0, temperature: 1 };
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
});
