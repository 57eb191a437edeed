// The training loop end to end on this machine's adapter (lavapipe in CI): a random tiny Qwen3,
// real data rows, the real tokenizer and chat template, the embedded sampler, the rules judge,
// AIPO, AdamW; metrics, rollout logs, checkpoints and resume after the latest checkpoint.
// Budgets are tiny (one turn of a few tokens) so that the test stays in seconds.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { TrainConfig, loadTrainConfig } from '../../src/train/config.js';
import { pruneCheckpoints } from '../../src/train/checkpoint.js';
import { stepRows } from '../../src/train/orchestrator.js';
import { train } from '../../src/train/trainer.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('train', () => {
  it('runs steps, logs, checkpoints, and resumes after the latest checkpoint', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'train-'));
    dirs.push(root);
    const cfg = TrainConfig.parse({
      model: { path: join(root, 'model'), createTiny: { seed: 3, tied: true } },
      data: { train: 'data/train.jsonl' },
      out: join(root, 'run'),
      steps: 1,
      examplesPerStep: 1,
      groupSize: 2,
      seed: 5,
      sampling: { temperature: 1 },
      episode: { maxTurns: 1, maxTokensPerTurn: 4, maxEpisodeTokens: 8192 },
      optimizer: { lr: 1e-3 },
      saveEvery: 1,
      eval: { every: 1, atStart: true, data: 'data/eval.jsonl', rows: 1, rolloutsPerRow: 2 },
      warmStart: { steps: 1, rowsPerStep: 1 },
      kernels: { variants: { optimizer: 'portable' } }, // applied on every rank before its model loads
    });
    const lines: string[] = [];
    const t0 = performance.now();
    const r1 = await train(cfg, { gpu, log: (s) => lines.push(s) });
    console.log(`1 step in ${((performance.now() - t0) / 1000).toFixed(1)} s:\n  ${lines.join('\n  ')}`);
    expect(r1.metrics.map((m) => m.step)).toEqual([1]);
    for (const m of r1.metrics) {
      expect(m.rollouts).toBe(2);
      expect(Number.isFinite(m.reward.mean) && Number.isFinite(m.loss) && Number.isFinite(m.gradNorm)).toBe(true);
      expect(m.lossTokens).toBeGreaterThan(0);
      expect(m.lossTokens).toBeLessThanOrEqual(2 * 4);
      expect(Math.abs(m.meanRatio - 1)).toBeLessThan(0.05); // on-policy: sampler and trainer agree
    }
    expect(lines.some((l) => l.startsWith('creating a random tiny Qwen3'))).toBe(true);
    expect(lines.find((l) => l.startsWith('warm start 1/1: NLL'))).toMatch(/over 15 reply tokens$/); // 14 + <|im_end|>
    expect(readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    expect(readFileSync(join(cfg.out, 'rollouts', 'step-000001.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    // Held-out evaluations: the base model (step 0) and after step 1, reports on disk.
    const evals = () => readFileSync(join(cfg.out, 'evals.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(evals().map((e) => [e.step, e.rollouts])).toEqual([[0, 2], [1, 2]]);
    expect(JSON.parse(readFileSync(join(cfg.out, 'evals', 'step-000001', 'eval.json'), 'utf8')).rows).toBe(1);
    expect(readdirSync(join(cfg.out, 'checkpoints')).sort()).toEqual(['step-000001']);
    expect(JSON.parse(readFileSync(join(cfg.out, 'latest.json'), 'utf8'))).toEqual({ step: 1, dir: join('checkpoints', 'step-000001') });
    expect(existsSync(join(cfg.out, 'checkpoints', 'step-000001', 'model', 'config.json'))).toBe(true);
    expect(existsSync(join(cfg.out, 'checkpoints', 'step-000001', 'model', 'tokenizer.json'))).toBe(true);

    // A crash after logging step 2 but before its checkpoint: the resumed run redoes step 2 and
    // metrics.jsonl keeps one line per step.
    appendFileSync(join(cfg.out, 'metrics.jsonl'), JSON.stringify({ step: 2, partial: true }) + '\n');
    // run-config.json: the parsed config with every default, and what the config does not say.
    const record = JSON.parse(readFileSync(join(cfg.out, 'run-config.json'), 'utf8'));
    expect(record).toMatchObject({ steps: 1, seed: 5, judge: { kind: 'rules', timeoutMs: 60_000, apiKeyEnv: 'JUDGE_API_KEY' }, loss: { delta: 8, clamp: 'mask' } });
    expect(record.run).toMatchObject({ devices: [0], adapter: gpu.describe(), variants: { gemm: gpu.isCpu ? 'cpu' : 'portable', optimizer: 'portable' } });
    // null outside a git checkout: the code's own, not the working directory's (the device check
    // runs a bundle from /tmp inside a checkout)
    if (existsSync(join(dirname(fileURLToPath(import.meta.url)), '../../.git'))) expect(record.run.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(TrainConfig.parse(record)).toEqual(cfg); // it loads as the same config again
    // A restarted run continues after step 1 only, here sharded over 2 ranks (a second process
    // with its own lavapipe device); its checkpoint holds one optimizer shard per rank.
    const more: string[] = [];
    const r2 = await train({ ...cfg, steps: 2 }, { gpu, devices: [0, 1], deviceEnv: [{}, {}], log: (s) => more.push(s) }); // both on the default adapter
    expect(more[0]).toMatch(/^resuming after step 1 from /);
    expect(more).toContain('rank 1/2 on ' + gpu.describe());
    expect(more.find((l) => l.startsWith('step 2/2: sampling'))).toMatch(/^step 2\/2: sampling 2 rollouts \(train-\d+ x 2\)/);
    expect(r2.metrics.map((m) => m.step)).toEqual([2]);
    expect(readdirSync(join(cfg.out, 'checkpoints', 'step-000002', 'optimizer')).sort()).toEqual(['rank-0-of-2', 'rank-1-of-2']);
    // Only the latest checkpoint keeps its optimizer state (keepOptimizerStates 1); models stay.
    expect(existsSync(join(cfg.out, 'checkpoints', 'step-000001', 'optimizer'))).toBe(false);
    expect(existsSync(join(cfg.out, 'checkpoints', 'step-000001', 'model', 'config.json'))).toBe(true);
    const metricLines = readFileSync(join(cfg.out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(metricLines.map((l) => l.step)).toEqual([1, 2]);
    expect(metricLines[1].partial).toBe(undefined);
    expect(evals().map((e) => e.step)).toEqual([0, 1, 2]);
    expect(more).toContain('config changed since this run started: steps, run.devices');
    expect(JSON.parse(readFileSync(join(cfg.out, 'latest.json'), 'utf8')).step).toBe(2);
    const r3 = await train({ ...cfg, steps: 2 }, { gpu, log: () => undefined });
    expect(r3.metrics).toEqual([]);
  }, 600_000); // cold lavapipe compiles every model kernel first (about 2 min on 2 cores)

  it('prunes old checkpoints and optimizer states as configured', () => {
    const root = mkdtempSync(join(tmpdir(), 'prune-'));
    dirs.push(root);
    const make = (n: number) => mkdirSync(join(root, `step-${String(n).padStart(6, '0')}`, 'optimizer'), { recursive: true });
    [1, 2, 3, 4].forEach(make);
    pruneCheckpoints(root, 3, 2);
    expect(readdirSync(root).sort()).toEqual(['step-000002', 'step-000003', 'step-000004']);
    expect(['step-000002', 'step-000003', 'step-000004'].map((d) => existsSync(join(root, d, 'optimizer')))).toEqual([false, true, true]);
    pruneCheckpoints(root, 0, 0); // keep everything that is left
    expect(readdirSync(root)).toHaveLength(3);
  });

  it('walks the data in seeded shuffles, epoch after epoch', () => {
    const seen = [1, 2, 3, 4].flatMap((s) => stepRows(6, 3, s, 'x'));
    expect(seen.slice(0, 6).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.slice(6, 12).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen.slice(0, 6)).not.toEqual(seen.slice(6, 12));
    expect(stepRows(6, 3, 2, 'x')).toEqual(seen.slice(3, 6));
  });

  it('config errors name the file and field; paths resolve against the config', () => {
    const c = loadTrainConfig('configs/tiny-cpu.json');
    expect(c.model.path.endsWith('.cache/tiny-qwen3-untied')).toBe(true);
    expect(c.data.train.endsWith('data/train.jsonl')).toBe(true);
    expect(loadTrainConfig('configs/tiny-cpu.json', { steps: 9, out: '/tmp/x' })).toMatchObject({ steps: 9, out: '/tmp/x' });
    expect(() => loadTrainConfig('configs/none.json')).toThrow(/configs\/none.json: cannot read the config/);
    expect(() => TrainConfig.parse({ model: { path: 'm' }, data: { train: 'd' }, out: 'o', steps: 0 })).toThrow();
  });
});
