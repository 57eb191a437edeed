// The run config: every default written once and filled in for a section left out, bad input named
// with its field path, the judge's settings in the config and its key never, kernel variants.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TrainConfig, loadTrainConfig } from '../../src/train/config.js';
import { changedFields, runRecord, type RunFacts } from '../../src/train/run-record.js';

const root = mkdtempSync(join(tmpdir(), 'config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const minimal = { model: { path: 'm' }, out: 'o', steps: 1 };
const write = (name: string, body: unknown): string => {
  const file = join(root, name);
  writeFileSync(file, JSON.stringify(body));
  return file;
};

describe('run config', () => {
  it('fills every default of a section left out, and of a section given in part', () => {
    const c = TrainConfig.parse(minimal);
    expect(c.sampling).toEqual({ temperature: 0.7, topP: 1, topK: 0 });
    expect(c.episode).toEqual({ maxTurns: 10, maxTokensPerTurn: 2048, maxEpisodeTokens: 16384, enableThinking: false });
    expect(c.loss).toEqual({ delta: 8, clamp: 'mask' });
    expect(c.warmStart).toEqual({ steps: 0, rowsPerStep: 2, lr: 1e-2, resetOptimizer: false });
    expect(c.eval).toEqual({ every: 0, atStart: false, data: '../data/eval.jsonl', rows: 40, rolloutsPerRow: 16, rowsAtOnce: 3, temperature: 0.7 });
    expect(c.data).toEqual({ train: '../data/train.jsonl' });
    expect(c.env).toEqual({ kind: 'resume' });
    // Left out: the published recipe; given: the optimizer's own defaults for what it leaves out.
    expect(c.optimizer).toEqual({ lr: 5e-6, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, maxGradNorm: 1 });
    expect(TrainConfig.parse({ ...minimal, optimizer: { lr: 1e-3 } }).optimizer.weightDecay).toBe(0);
    expect(c.judge).toEqual({ kind: 'rules', onFailure: 'fail', apiKeyEnv: 'JUDGE_API_KEY', timeoutMs: 60_000, maxAttempts: 5, baseDelayMs: 1_000, maxDelayMs: 30_000, maxRetryAfterMs: 120_000, concurrency: 8 });
    expect(c.kernels).toEqual({ autotune: true }); // the kernel tuner on, no variant forced
    const part = TrainConfig.parse({ ...minimal, sampling: { temperature: 1 }, episode: { maxTurns: 2 }, eval: { every: 5 } });
    expect(part.sampling).toEqual({ temperature: 1, topP: 1, topK: 0 });
    expect(part.episode.maxTokensPerTurn).toBe(2048);
    expect(part.eval.rows).toBe(40);
  });

  it('names bad input by file and field path', () => {
    const file = write('bad.json', { ...minimal, sampling: { temperature: -1 }, kernels: { variants: { gemm: 'fast' }, tile: 8 } });
    const msg = (() => {
      try {
        loadTrainConfig(file);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(msg).toMatch(/bad\.json: invalid config:/);
    for (const m of ['Too small: expected number to be >0\n  → at sampling.temperature', 'Invalid option: expected one of "portable"|"cpu"|"subgroup-matrix"\n  → at kernels.variants.gemm', 'Unrecognized key: "tile"\n  → at kernels']) expect(msg).toContain(m);
  });

  it('the LLM judge: endpoint and model in the config, cache path relative to it, the key refused', () => {
    const judge = { kind: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'judge', cachePath: 'verdicts.jsonl', extraBody: { reasoning_effort: 'low' } };
    const c = loadTrainConfig(write('judge.json', { ...minimal, judge }));
    expect(c.judge).toMatchObject({ ...judge, cachePath: join(root, 'verdicts.jsonl'), timeoutMs: 60_000 });
    expect(() => loadTrainConfig(write('key.json', { ...minimal, judge: { ...judge, apiKey: 'secret' } }))).toThrow(/the API key never goes into the config/);
    // Every shipped config parses; the 14B one names its judge.
    for (const f of ['tiny-cpu', 'reverse-text', 'qwen3-14b']) expect(loadTrainConfig(`configs/${f}.json`).steps).toBeGreaterThan(0);
    expect(loadTrainConfig('configs/qwen3-14b.json').judge).toMatchObject({ kind: 'openai', model: 'gemini-3-flash-preview' });
  });

  it("run-config.json's record: no sampler key, the run's facts, changes named by path", () => {
    const c = TrainConfig.parse({ ...minimal, sampler: { kind: 'openai', baseURL: 'http://h:1/v1', model: 's', apiKey: 'secret' } });
    const facts: RunFacts = { devices: [0, 1], adapter: 'test adapter', variants: { gemm: 'cpu', attention: 'cpu', lmHead: 'cpu', optimizer: 'cpu', memory: 'cpu', sample: 'cpu' } };
    const r = runRecord(c, facts);
    expect(JSON.stringify(r)).not.toContain('secret');
    expect(r.run).toMatchObject({ devices: [0, 1], adapter: 'test adapter' });
    expect(TrainConfig.parse(r).sampler).toMatchObject({ kind: 'openai', baseURL: 'http://h:1/v1' });
    const before = JSON.parse(JSON.stringify(r)) as Record<string, unknown>;
    const after = runRecord({ ...c, steps: 2, judge: { ...c.judge, concurrency: 2 } }, { ...facts, devices: [0] });
    expect(changedFields(before, JSON.parse(JSON.stringify(after)))).toEqual(['steps', 'judge.concurrency', 'run.devices']);
  });
});
