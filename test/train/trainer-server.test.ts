// The trainer with its rollouts on a sampler server (sampler.kind 'openai'): the real openai
// client against our OpenAI-compatible server (src/serve) in vLLM's token-id API. Rollouts go over
// HTTP at temperature 0.7, their sampler logprobs agree with the trainer's own forward at that
// temperature (ratio 1), and after the
// update the server is sent the new weights, byte for byte those of the step's checkpoint, and its
// greedy probe agrees with the trainer's forward (before the first rollouts and after each
// reload). One step off-policy: step 2's rollouts are sampled during step 1, before the server gets
// step 1's weights.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import type { GenerateRequest } from '../../src/model/generate.js';
import { makeTinyModel } from '../../src/model/tiny.js';
import { loadChatFormat } from '../../src/rl/setup.js';
import { ModelHost } from '../../src/serve/model-host.js';
import { startSamplerServer } from '../../src/serve/server.js';
import { TrainConfig } from '../../src/train/config.js';
import { train } from '../../src/train/trainer.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('train with a sampler server', () => {
  it('samples over HTTP and sends the server each step\'s weights', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'train-server-'));
    dirs.push(root);
    const modelDir = join(root, 'model');
    await makeTinyModel(modelDir, { seed: 8, tied: true });
    const host = await ModelHost.load(gpu, modelDir, { slots: 2, maxTokens: 12288, seed: 'server' });
    const reloads: string[] = [];
    const events: string[] = [];
    let requests = 0;
    const { tokenizer } = await loadChatFormat(modelDir);
    const server = await startSamplerServer({
      // Greedy requests are the weight probe's (src/train/probe.ts); the rollouts sample at T = 0.7.
      sampler: { sample: (r: GenerateRequest) => (r.sampling?.temperature === 0 ? events.push('probe') : (requests++, events.push('sample')), host.sample(r)) },
      tokenizer,
      modelName: 'tiny',
      port: 0,
      maxTokens: 12288,
      vocabSize: host.model.config.vocab_size,
      reload: async (d) => {
        reloads.push(d);
        events.push('reload');
        await host.reload(d);
      },
    });
    try {
      const cfg = TrainConfig.parse({
        model: { path: modelDir },
        data: { train: 'data/train.jsonl' },
        out: join(root, 'run'),
        steps: 2,
        examplesPerStep: 1,
        groupSize: 2,
        seed: 9,
        sampling: { temperature: 0.7 },
        episode: { maxTurns: 1, maxTokensPerTurn: 4, maxEpisodeTokens: 8192 },
        optimizer: { lr: 1e-3 },
        loss: { delta: Math.exp(1e-3) }, // a ratio off 1 by more than the numerics is clipped (and counted)
        saveEvery: 1,
        offPolicySteps: 1,
        sampler: { kind: 'openai', baseURL: server.url, model: 'tiny' },
      });
      const lines: string[] = [];
      const r = await train(cfg, { gpu, log: (s) => lines.push(s) });
      const m = r.metrics[0]!;
      expect(requests).toBe(4); // one turn per rollout, 2 rollouts per step, over HTTP
      expect(events).toEqual(['probe', 'sample', 'sample', 'sample', 'sample', 'reload', 'probe', 'reload', 'probe']);
      expect(m.lossTokens).toBeGreaterThan(0);
      // Step 1 is on-policy: the server's logprobs (at T = 0.7) are the trainer's pi at the
      // rollouts' temperature, token for token (none above delta = 1 + 1e-3).
      expect(Math.abs(m.meanRatio - 1)).toBeLessThan(1e-3);
      expect(m.clippedFraction).toBe(0);
      expect(reloads).toEqual([join(cfg.out, 'sampler-weights'), join(cfg.out, 'sampler-weights')]);
      expect(lines.some((l) => l.startsWith(`sampler ${server.url} reloaded`))).toBe(true);
      expect(lines.filter((l) => l.startsWith(`sampler ${server.url}: greedy probe: 4 tokens`))).toHaveLength(3);
      // The weights sent are the step's: the same safetensors bytes as its checkpoint.
      const ckpt = join(cfg.out, 'checkpoints', 'step-000002', 'model');
      const files = (await readdir(ckpt)).filter((f) => f.endsWith('.safetensors'));
      expect(files.length).toBeGreaterThan(0);
      for (const f of files) expect(Buffer.compare(await readFile(join(ckpt, f)), await readFile(join(reloads[0]!, f))), f).toBe(0);
    } finally {
      await server.close();
      host.destroy();
    }
  }, 600_000);

  it('refuses a sampler config without a URL or model', () => {
    const parse = (sampler: unknown) => TrainConfig.parse({ model: { path: 'm' }, data: { train: 'd' }, out: 'o', steps: 1, sampler });
    expect(() => parse({ kind: 'openai', baseURL: 'not a url', model: 'x' })).toThrow(/baseURL/);
    expect(() => parse({ kind: 'openai', baseURL: 'http://h:1/v1' })).toThrow(/model/);
    expect(() => parse({ kind: 'openai', baseURL: [], model: 'x' })).toThrow(/baseURL/);
    expect(() => parse({ kind: 'openai', baseURL: ['http://h:1/v1', 'nope'], model: 'x' })).toThrow(/baseURL/);
    expect(() => parse({ kind: 'openai', baseURL: 'http://h:1/v1', model: 'x', sync: 'nccl' })).toThrow(/sync/);
    // One URL or a list; the defaults of the sync.
    expect(parse({ kind: 'openai', baseURL: ['http://h:1/v1', 'http://h:2/v1'], model: 'x' }).sampler).toMatchObject({ baseURL: ['http://h:1/v1', 'http://h:2/v1'], sync: 'reload', keepWeights: 2, probe: { tokens: 4, tolerance: 0.1 } });
  });
});
