// The evaluation report from scripted episodes (no model): every metric of the published table,
// per weakness, histogram, and judge failures kept out of the reward means; plus `evaluate` end to
// end with a random tiny model (rollouts, files).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelHost } from '../../src/serve/model-host.js';
import { startSamplerServer } from '../../src/serve/server.js';
import { loadChatFormat } from '../../src/rl/setup.js';
import type { GenerateRequest } from '../../src/model/generate.js';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, reportMarkdown } from '../../src/eval/report.js';
import { evaluate } from '../../src/eval/evaluate.js';
import { getGpu } from '../../src/gpu/gpu.js';
import { makeTinyModel } from '../../src/model/tiny.js';
import { formatToolCall } from '../../src/io/toolcall.js';
import { runResumeEpisode as runEpisode, type EpisodeResult } from '../../src/env/resume/episode.js';
import { BEST, fixedJudge, makeRow } from '../env/fixtures.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const play = (script: string[], judge = fixedJudge(BEST), row = makeRow()): Promise<EpisodeResult> =>
  runEpisode({ row, judge, policy: async (i) => script[i.turn - 1] ?? 'done' });
const sr = (old: string, nw: string) => formatToolCall('str_replace', { old, new: nw });

describe('buildReport', () => {
  it('computes the published metrics from episodes', async () => {
    const row = makeRow();
    const eps = [
      await play([formatToolCall('submit')]), // no edit, submitted
      await play([sr('no such text', 'x'), sr('Responsible for', 'Owned'), formatToolCall('submit')]), // 1 failed + 1 ok edit, submitted
      await play(['I am not sure.']), // no call: ends, not submitted
      await play([sr('Responsible for', 'Led')], fixedJudge(new Error('judge down'))), // judge fails: no reward
    ];
    const r = buildReport(eps, { model: 'm', judge: 'fixed', date: 'd' });
    expect(r.rollouts).toBe(4);
    expect(r.rows).toBe(1);
    expect(r.unscored).toBe(1);
    expect(r.submitRate).toBe(0.5);
    expect(r.editFailureRate).toBeCloseTo(1 / 3, 12); // 1 failed of 3 str_replace calls
    expect(r.editsPerRollout).toEqual({ ok: 0.5, failed: 0.25 });
    const scored = eps.slice(0, 3);
    expect(r.meanReward).toBeCloseTo(scored.reduce((a, e) => a + e.reward.total!, 0) / 3, 12);
    expect(r.hallucination).toBeCloseTo(scored.reduce((a, e) => a + e.reward.content!.hallucination, 0) / 3, 12);
    expect(r.contentQuality).toBeCloseTo(r.components.content, 12);
    expect(r.layoutPassRate).toBe(eps.filter((e) => e.reward.layout.pass).length / 4);
    expect(r.histogram.counts.reduce((a, b) => a + b, 0)).toBe(3);
    for (const e of scored) expect(r.histogram.counts[Math.floor((e.reward.total! - r.histogram.from) / r.histogram.width!)]).toBeGreaterThan(0);
    expect(r.perWeakness[row.weakness.type]).toMatchObject({ rollouts: 4, meanReward: r.meanReward });
    const md = reportMarkdown(r);
    expect(md).toContain('| submit rate | 50% |');
    expect(md).toContain('| edit failure rate (failed / all str_replace) | 33% |');
    expect(md).toContain('1 rollout(s) without a reward');
  });
});

describe('evaluate', () => {
  it('runs rollouts of the held-out rows with a model and writes the report', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'eval-'));
    dirs.push(root);
    await makeTinyModel(join(root, 'model'), { tied: true, seed: 2 });
    const lines: string[] = [];
    const { report, rollouts } = await evaluate(gpu, {
      modelDir: join(root, 'model'),
      data: 'data/eval.jsonl',
      limit: 1,
      rolloutsPerRow: 2,
      maxTurns: 1,
      maxTokensPerTurn: 4,
      out: join(root, 'out'),
      log: (s) => lines.push(s),
    });
    expect(rollouts).toHaveLength(2);
    expect(report.rollouts).toBe(2);
    expect(report.rows).toBe(1);
    expect(lines[0]).toBe('eval: 1 row x 2 rollouts = 2, 1 row at a time; up to 4 tokens per rollout (1 turn x 4, at most 16384 per episode); thinking off');
    // The embedded sampler's own count of sampled tokens: every assistant token of the rollouts.
    const sampled = rollouts.reduce((n, r) => n + r.tokens.lossMask.reduce((a, b) => a + b, 0), 0);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^eval: 2/2 rollouts done \\(1/1 rows\\), ${sampled} tokens sampled \\([\\d.]+ tokens/s\\), \\d+ s so far; all done$`));
    for (const f of ['eval.json', 'eval.md', 'rollouts.jsonl']) expect(existsSync(join(root, 'out', f)), f).toBe(true);
    expect(JSON.parse(readFileSync(join(root, 'out', 'eval.json'), 'utf8')).rollouts).toBe(2);
  }, 600_000);

  it('resumed after its first chunk, equals an uninterrupted evaluation (each chunk draws from its own seeds)', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'eval-'));
    dirs.push(root);
    await makeTinyModel(join(root, 'model'), { tied: true, seed: 4 });
    const o = { modelDir: join(root, 'model'), data: 'data/eval.jsonl', limit: 2, rolloutsPerRow: 2, rowsAtOnce: 1, maxTurns: 1, maxTokensPerTurn: 6, resume: true, log: () => undefined };
    await evaluate(gpu, { ...o, out: join(root, 'a') });
    const b = join(root, 'b');
    await evaluate(gpu, { ...o, out: b });
    // As if stopped after chunk 1: the second chunk's record is gone (rollouts.jsonl is rebuilt from the records).
    const chunks = join(b, 'eval-chunks.jsonl');
    writeFileSync(chunks, readFileSync(chunks, 'utf8').split('\n')[0] + '\n');
    const lines: string[] = [];
    const resumed = await evaluate(gpu, { ...o, out: b, log: (s) => lines.push(s) });
    expect(lines).toContain(`eval: resuming the evaluation in ${b}: 1 of 2 rows already done`);
    expect(resumed.rollouts).toHaveLength(2);
    const text = (d: string, f: string) => readFileSync(join(root, d, f), 'utf8');
    expect(new Set(text('a', 'rollouts.jsonl').trim().split('\n')).size).toBe(4); // the draws differ, so the check means something
    expect(text('b', 'rollouts.jsonl')).toBe(text('a', 'rollouts.jsonl'));
    expect({ ...JSON.parse(text('b', 'eval.json')), date: '' }).toEqual({ ...JSON.parse(text('a', 'eval.json')), date: '' });
  }, 600_000);

  it('samples on a sampler server instead (no model loaded here), through the openai client', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'eval-'));
    dirs.push(root);
    const modelDir = join(root, 'model');
    await makeTinyModel(modelDir, { tied: true, seed: 2 });
    const host = await ModelHost.load(gpu, modelDir, { slots: 2, maxTokens: 12288 });
    let requests = 0;
    const server = await startSamplerServer({
      sampler: { sample: (r: GenerateRequest) => (requests++, host.sample(r)) },
      tokenizer: (await loadChatFormat(modelDir)).tokenizer,
      modelName: 'tiny',
      port: 0,
      vocabSize: host.model.config.vocab_size,
    });
    try {
      const { report, rollouts } = await evaluate(null, {
        modelDir,
        data: 'data/eval.jsonl',
        limit: 1,
        rolloutsPerRow: 2,
        maxTurns: 1,
        maxTokensPerTurn: 4,
        sampler: { baseURL: server.url, model: 'tiny' },
        log: () => undefined,
      });
      expect(requests).toBe(2);
      expect(rollouts.map((r) => r.tokens.ids.length)).toEqual(rollouts.map((r) => r.tokens.lossMask.length));
      expect(rollouts.every((r) => r.tokens.lossMask.reduce((a, b) => a + b, 0) >= 1)).toBe(true);
      expect(report.model).toBe(`tiny at ${server.url}`);
      await expect(evaluate(null, { modelDir, data: 'data/eval.jsonl', limit: 1 })).rejects.toThrow(/no GPU and no sampler server/);
    } finally {
      await server.close();
      host.destroy();
    }
  }, 600_000);
});
