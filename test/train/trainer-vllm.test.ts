// sampler.sync "vllm" against our own server, which answers vLLM's dev-mode routes with vLLM's
// shapes (src/serve/control-routes.ts), so the exact request sequence a stock vLLM gets is run over
// real HTTP here: preflight finds the routes, each push goes to a fresh directory and runs
// pause -> collective_rpc reload_weights -> reset_prefix_cache -> resume, the greedy probe then
// agrees with the trainer's forward and the served weights change; a server that ignores reloads
// is caught by the probe; and with two servers, one killed in the middle of a step, the step
// completes on the other and the log names the dead one.
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gpu, getGpu } from '../../src/gpu/gpu.js';
import type { GenerateRequest, GenerateResult } from '../../src/model/generate.js';
import { makeTinyModel } from '../../src/model/tiny.js';
import { OpenAISampler } from '../../src/rollout/client.js';
import { loadChatFormat } from '../../src/rl/setup.js';
import { ModelHost } from '../../src/serve/model-host.js';
import { type SamplerServer, startSamplerServer } from '../../src/serve/server.js';
import { TrainConfig } from '../../src/train/config.js';
import { PROBE_PROMPT } from '../../src/train/probe.js';
import { train } from '../../src/train/trainer.js';

let gpu: Gpu;
let root: string;
let modelDir: string;
const hosts: ModelHost[] = [];
const servers: SamplerServer[] = [];
beforeAll(async () => {
  gpu = await getGpu();
  root = await mkdtemp(join(tmpdir(), 'train-vllm-'));
  modelDir = join(root, 'model');
  await makeTinyModel(modelDir, { seed: 8, tied: true });
});
afterAll(async () => {
  for (const s of servers) await s.close().catch(() => undefined);
  for (const h of hosts) h.destroy();
  await rm(root, { recursive: true, force: true });
});

interface Served {
  server: SamplerServer;
  host: ModelHost;
  /** Method and path of every request but generations. */
  routes: string[];
  /** The greedy probes' answers (temperature 0), in order. */
  probes: GenerateResult[];
  reloads: string[];
}

/** Our server over its own copy of the tiny model; `onSample` may take over a request. */
async function serve(o: { reload?: 'load' | 'ignore'; onSample?: (r: GenerateRequest, s: Served) => Promise<GenerateResult> | undefined } = {}): Promise<Served> {
  const host = await ModelHost.load(gpu, modelDir, { slots: 2, maxTokens: 4096, seed: 'server' });
  hosts.push(host);
  const { tokenizer } = await loadChatFormat(modelDir);
  const s: Served = { server: undefined as unknown as SamplerServer, host, routes: [], probes: [], reloads: [] };
  s.server = await startSamplerServer({
    sampler: {
      sample: async (r) => {
        const taken = o.onSample?.(r, s);
        if (taken) return taken;
        const out = await host.sample(r);
        if (r.sampling?.temperature === 0) s.probes.push(out);
        return out;
      },
    },
    tokenizer,
    modelName: 'tiny',
    port: 0,
    maxTokens: 4096,
    vocabSize: host.model.config.vocab_size,
    onRequest: (m, p) => p.startsWith('/v1/') || s.routes.push(`${m} ${p}`),
    reload: async (d) => {
      s.reloads.push(d);
      if (o.reload !== 'ignore') await host.reload(d);
    },
  });
  servers.push(s.server);
  return s;
}

const config = (out: string, baseURL: string | string[], over: Record<string, unknown> = {}) =>
  TrainConfig.parse({
    model: { path: modelDir },
    data: { train: 'data/train.jsonl' },
    out: join(root, out),
    steps: 1,
    examplesPerStep: 1,
    groupSize: 2,
    seed: 9,
    episode: { maxTurns: 1, maxTokensPerTurn: 4, maxEpisodeTokens: 2048 },
    optimizer: { lr: 1e-3 },
    saveEvery: 100,
    sampler: { kind: 'openai', baseURL, model: 'tiny', sync: 'vllm', probe: { tokens: 4, tolerance: 2e-2 } },
    ...over,
  });

const SEQUENCE = ['POST /pause', 'POST /collective_rpc', 'POST /reset_prefix_cache', 'POST /resume'];
const PREFLIGHT = ['GET /version', 'POST /collective_rpc', 'GET /is_paused'];

describe('train with sampler.sync "vllm"', () => {
  it('pushes each step to a fresh directory through pause, reload_weights, reset_prefix_cache, resume', async () => {
    const s = await serve();
    // The base model's greedy probe, as served before any push.
    const base = await new OpenAISampler({ baseURL: s.server.url, model: 'tiny', maxRetries: 0 }).sample({ prompt: PROBE_PROMPT, maxNewTokens: 4, sampling: { temperature: 0 } });
    s.probes.length = 0;
    // A supervised warm start moves the weights for sure (a random model's rollouts all score the
    // same here: zero advantages, no RL change); then 2 RL steps: 3 pushes.
    const cfg = config('run-vllm', s.server.url, { steps: 2, offPolicySteps: 0, warmStart: { steps: 1, rowsPerStep: 1 } });
    const lines: string[] = [];
    const r = await train(cfg, { gpu, log: (l) => lines.push(l) });
    expect(r.metrics).toHaveLength(2);
    expect(s.routes).toEqual([...PREFLIGHT, ...SEQUENCE, ...SEQUENCE, ...SEQUENCE]);
    // A fresh directory per push, named by time and label; the newest 2 kept.
    const weights = join(cfg.out, 'sampler-weights');
    const names = s.reloads.map((d) => d.slice(weights.length + 1));
    expect(names).toEqual([expect.stringMatching(/^w-\d{13}-warm-start$/), expect.stringMatching(/^w-\d{13}-step-000001$/), expect.stringMatching(/^w-\d{13}-step-000002$/)]);
    expect(readdirSync(weights).sort()).toEqual(names.slice(1).sort());
    expect(readdirSync(s.reloads[2]!)).toContain('config.json');
    // After each push the probe agrees with the trainer's forward (logged), and what the server
    // serves is no longer the base model.
    expect(s.probes).toHaveLength(3);
    expect(lines.filter((l) => l.startsWith(`sampler ${s.server.url}: greedy probe: 4 tokens`))).toHaveLength(3);
    const moved = Math.max(...s.probes[0]!.modelLogprobs.map((x, i) => Math.abs(x - base.modelLogprobs[i]!)));
    expect(s.probes[0]!.tokens.join() !== base.tokens.join() || moved > 1e-2, `probe after the warm start vs the base model: tokens ${s.probes[0]!.tokens} vs ${base.tokens}, max |dlogprob| ${moved}`).toBe(true);
    // Each RL step moves them again (AdamW's moments from the warm start; ~0.04 nats here).
    for (const k of [1, 2]) {
      const d = Math.max(...s.probes[k]!.modelLogprobs.map((x, i) => Math.abs(x - s.probes[k - 1]!.modelLogprobs[i]!)));
      expect(d, `probe ${k} vs ${k - 1}`).toBeGreaterThan(1e-3);
    }
    expect(lines.some((l) => l.startsWith(`sampler weights ${s.reloads[0]}: written in`))).toBe(true);
  }, 600_000);

  it('stops the run when a server does not serve the pushed weights', async () => {
    const s = await serve({ reload: 'ignore' });
    const cfg = config('run-stale', s.server.url, { warmStart: { steps: 1, rowsPerStep: 1 } });
    await expect(train(cfg, { gpu, log: () => undefined })).rejects.toThrow(/after reload_weights .*w-\d{13}-warm-start: its greedy tokens' logprobs differ from the trainer's own forward by .* > sampler.probe.tolerance 0.02 .*it does not serve the weights the trainer has/);
    expect(s.routes).toEqual([...PREFLIGHT, ...SEQUENCE]);
  }, 600_000);

  it('two servers, one killed mid-step: the step completes on the other, the log names the dead one', async () => {
    let killed = false;
    const a = await serve({
      onSample: (r, self) => {
        if (killed || r.sampling?.temperature === 0) return undefined;
        killed = true; // the first rollout: the server goes away with it in flight
        void self.server.close();
        return new Promise<GenerateResult>(() => {});
      },
    });
    const b = await serve();
    const cfg = config('run-two', [a.server.url, b.server.url]);
    const lines: string[] = [];
    const r = await train(cfg, { gpu, log: (l) => lines.push(l) });
    expect(killed).toBe(true);
    expect(r.metrics).toHaveLength(1);
    expect(r.metrics[0]!.lossTokens).toBeGreaterThan(0);
    const out = lines.filter((l) => l.includes('taken out'));
    expect(out).toHaveLength(1);
    expect(out[0]).toContain(`sampler ${a.server.url} taken out: `);
    expect(out[0]).toContain(`1 of 2 server(s) left (${b.server.url})`);
    expect(a.routes).toEqual(PREFLIGHT); // never synced: gone by then
    expect(b.routes).toEqual([...PREFLIGHT, ...SEQUENCE]);
    expect(b.probes).toHaveLength(2); // before the first rollouts and after the push
  }, 600_000);
});
