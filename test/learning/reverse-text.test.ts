// Learning, through the real path: configs/reverse-text.json as shipped (a tiny random Qwen3 with
// the real tokenizer and chat template, a short supervised warm start, then RL: the embedded
// sampler, graded rewards, group advantages, AIPO at the sampling temperature, AdamW, one step
// off-policy), only the model and run directories moved to a temp dir. The mean reward of the last
// steps must exceed that of the first steps by a clear margin. It fails when learning is broken:
// with the advantage's sign flipped the reward falls instead (tried: see the README).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { loadTrainConfig } from '../../src/train/config.js';
import { train } from '../../src/train/trainer.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('learning', () => {
  it('raises the reverse-text reward (configs/reverse-text.json)', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'learn-'));
    dirs.push(root);
    const shipped = loadTrainConfig('configs/reverse-text.json', { out: join(root, 'run') });
    const cfg = { ...shipped, model: { ...shipped.model, path: join(root, 'model') } };
    const lines: string[] = [];
    const t0 = performance.now();
    const { metrics } = await train(cfg, { gpu, log: (s) => lines.push(s) });
    const rewards = metrics.map((m) => m.reward.mean);
    const k = Math.max(1, Math.floor(rewards.length / 4));
    const first = mean(rewards.slice(0, k)), last = mean(rewards.slice(-k));
    console.log(`${rewards.length} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s; reward ${rewards.map((r) => r.toFixed(2)).join(' ')}; first quarter ${first.toFixed(3)}, last quarter ${last.toFixed(3)}`);
    expect(rewards).toHaveLength(cfg.steps);
    expect(last - first).toBeGreaterThan(MARGIN);
  }, 300_000);
});

/** The asserted rise of the mean reward (a [0, 1] scale), last quarter over first quarter. */
const MARGIN = 0.07;
