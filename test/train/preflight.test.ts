// The checks a run makes before any device work: each problem is named, and a good config passes.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ScriptedSampler, lengthReply } from '../serve/helpers.js';
import { loadQwen3Tokenizer } from '../../src/io/tokenizer.js';
import { startSamplerServer } from '../../src/serve/server.js';
import { TrainConfig, loadTrainConfig } from '../../src/train/config.js';
import { preflight } from '../../src/train/preflight.js';

const root = mkdtempSync(join(tmpdir(), 'preflight-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const base = { model: { path: join(root, 'model'), createTiny: {} }, data: { train: 'data/train.jsonl' }, out: join(root, 'run'), steps: 1 };
const check = (over: Record<string, unknown>, devices = [0]) => {
  const lines: string[] = [];
  return preflight(TrainConfig.parse({ ...base, ...over }), { devices, deviceNote: 'test devices', log: (l) => lines.push(l) }).then(() => lines);
};

describe('preflight', () => {
  it('passes a good config and says what it checked', async () => {
    const lines = await check({ eval: { every: 1, data: 'data/eval.jsonl', rows: 5 } });
    expect(lines).toEqual([
      `model ${join(root, 'model')}: will be created (model.createTiny)`,
      'training data data/train.jsonl: 160 rows',
      'evaluation data data/eval.jsonl: 5 of 40 rows',
      'judge: rules',
      'devices: test devices',
      'sampler: embedded (rank 0)',
    ]);
  });

  it('data.rows keeps the first rows of the file, also through loadTrainConfig', async () => {
    const lines = await check({ data: { train: 'data/train.jsonl', rows: 16 } });
    expect(lines[1]).toBe('training data data/train.jsonl: the first 16 of 160 rows');
    const file = join(root, 'rows.json');
    writeFileSync(file, JSON.stringify({ ...base, data: { train: join(process.cwd(), 'data/train.jsonl'), rows: 16 } }));
    expect(loadTrainConfig(file).data.rows).toBe(16); // resolving the path keeps the field
  });

  it('names each problem', async () => {
    await expect(check({ model: { path: join(root, 'nothing') } })).rejects.toThrow(/nothing has no config.json/);
    await expect(check({ data: { train: join(root, 'missing.jsonl') } })).rejects.toThrow(/missing\.jsonl.*cannot read/);
    await expect(check({ eval: { every: 2, data: join(root, 'no-eval.jsonl') } })).rejects.toThrow(/no-eval\.jsonl/);
    // The LLM judge: endpoint and model from the config, the key only from the environment.
    const file = join(root, 'openai-judge.json');
    writeFileSync(file, JSON.stringify({ ...base, judge: { kind: 'openai', apiKey: 'k' } }));
    expect(() => loadTrainConfig(file)).toThrow(/the API key never goes into the config[\s\S]*→ at judge[\s\S]*required when kind is 'openai' \(the judge endpoint's base URL\)\n  → at judge\.baseURL/);
    const judge = { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'judge-m', apiKeyEnv: 'PREFLIGHT_TEST_JUDGE_KEY' };
    await expect(check({ judge })).rejects.toThrow(/needs its API key in the environment variable PREFLIGHT_TEST_JUDGE_KEY/);
    process.env.PREFLIGHT_TEST_JUDGE_KEY = 'k';
    try {
      expect(await check({ judge })).toContain('judge: openai:judge-m at http://127.0.0.1:9/v1');
    } finally {
      delete process.env.PREFLIGHT_TEST_JUDGE_KEY;
    }
    // Nothing listens on port 9 (discard) here: the sampler check names the URL.
    await expect(check({ sampler: { kind: 'openai', baseURL: 'http://127.0.0.1:9/v1', model: 'qwen3-14b' } })).rejects.toThrow(/sampler http:\/\/127\.0\.0\.1:9\/v1: cannot connect/);
  });

  it('sampler servers: each listed one, and for sync "vllm" the dev-mode routes, named with the fix', async () => {
    const tokenizer = await loadQwen3Tokenizer();
    const sampler = new ScriptedSampler(lengthReply);
    const withRoutes = await startSamplerServer({ sampler, tokenizer, modelName: 'm', port: 0, reload: async () => {} });
    const without = await startSamplerServer({ sampler, tokenizer, modelName: 'm', port: 0 }); // as vLLM without VLLM_SERVER_DEV_MODE
    try {
      const vllm = (baseURL: string | string[]) => check({ sampler: { kind: 'openai', baseURL, model: 'm', sync: 'vllm' } });
      expect(await vllm(withRoutes.url)).toContain(`sampler ${withRoutes.url}: serves m; dev-mode routes for sync vllm present`);
      const root = without.url.replace(/\/v1$/, '');
      await expect(vllm([withRoutes.url, without.url])).rejects.toThrow(`sampler ${root}: POST /collective_rpc answers 404, GET /is_paused answers 404: no dev-mode routes for sampler.sync "vllm": start vLLM >= 0.16 with the environment variable VLLM_SERVER_DEV_MODE=1`);
      // A server left paused (a run stopped mid-sync) is resumed, or every rollout would wait.
      await fetch(`${withRoutes.url.replace(/\/v1$/, '')}/pause?mode=wait`, { method: 'POST' });
      expect(await vllm(withRoutes.url)).toContain(`sampler ${withRoutes.url} was paused (a previous run stopped during a weight sync?): resumed`);
      // Every listed server must be up at the start.
      await expect(check({ sampler: { kind: 'openai', baseURL: [without.url, 'http://127.0.0.1:9/v1'], model: 'm' } })).rejects.toThrow(/sampler http:\/\/127\.0\.0\.1:9\/v1: cannot connect/);
      expect(await check({ sampler: { kind: 'openai', baseURL: [without.url, withRoutes.url], model: 'm' } })).toEqual(expect.arrayContaining([`sampler ${without.url}: serves m; weights through POST /update_weights {"path"}`]));
    } finally {
      await withRoutes.close();
      await without.close();
    }
  });
});
