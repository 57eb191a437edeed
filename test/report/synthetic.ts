// Synthetic run directories for the report's tests and for looking at the charts: metrics.jsonl
// lines shaped like src/train/metrics.ts StepMetrics (and evals.jsonl like its evaluation lines),
// with a reward that rises (or stays flat) under seeded noise.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeRng as rng } from '../../src/ops/ref/random.js';

export interface SyntheticOptions {
  steps?: number;
  /** Mean reward at the first and the last step (flat: the same). */
  from?: number;
  to?: number;
  /** Noise amplitude on the mean reward (points). */
  noise?: number;
  seed?: number;
  /** Evaluate every this many steps (0: no evals.jsonl). */
  evalEvery?: number;
}

export function syntheticLines(o: SyntheticOptions = {}): { metrics: object[]; evals: object[] } {
  const steps = o.steps ?? 40, from = o.from ?? -2, to = o.to ?? 2.5, noise = o.noise ?? 0.8;
  const r = rng(o.seed ?? 1);
  const n = () => (r() + r() + r() - 1.5) / 1.5; // roughly in [-1, 1], peaked at 0
  const metrics: object[] = [];
  const evals: object[] = [];
  for (let s = 1; s <= steps; s++) {
    const p = steps > 1 ? (s - 1) / (steps - 1) : 0;
    const trend = from + (to - from) * (1 - Math.exp(-3 * p)) / (1 - Math.exp(-3));
    const mean = trend + noise * n();
    const tool = 0.4 * mean + 0.2 * n(), layout = 0.25 * mean + 0.3 + 0.1 * n();
    const submitRate = Math.min(1, Math.max(0, 0.25 + 0.6 * (trend - from) / Math.max(1e-9, to - from || 1) + 0.1 * n()));
    metrics.push({
      step: s,
      rollouts: 16,
      dropped: 0,
      reward: { mean, min: mean - 2.5 - r() * 1.5, max: mean + 2 + r() * 1.5, tool, layout, content: mean - tool - layout },
      submitRate,
      endReasons: { submit: Math.round(16 * submitRate), max_turns: 16 - Math.round(16 * submitRate) },
      loss: 0.02 * n(),
      gradNorm: 0.8 * Math.exp(-p) + 0.15 * r(),
      clipScale: 1,
      lossTokens: 3000 + Math.round(500 * r()),
      tokens: 42000 + Math.round(4000 * r()),
      passes: 4,
      passesPerRank: [4],
      clippedFraction: Math.max(0, 0.004 + 0.004 * n()),
      meanRatio: 1 + 0.01 * n(),
      phaseSeconds: { backward: 9 + r(), reduce: 0.3, apply: 0.4, gather: 0.01 },
      seconds: { rollout: 38 + 8 * r(), train: 11 + 2 * r(), sync: 1.2 + 0.5 * r() },
    });
    if (o.evalEvery && (s === 1 || s % o.evalEvery === 0)) {
      const m = trend + 0.3 * n();
      evals.push({
        step: s,
        meanReward: m,
        submitRate: Math.min(1, submitRate + 0.05),
        editFailureRate: Math.max(0, 0.4 - 0.3 * p + 0.05 * n()),
        hallucination: Math.max(0, 0.5 - 0.3 * p),
        contentQuality: 0.5 * m,
        layoutPassRate: Math.min(1, 0.5 + 0.4 * p),
        components: { tool: 0.4 * m, layout: 0.25 * m + 0.3, content: 0.35 * m - 0.3 },
        rollouts: 32,
        unscored: 0,
        seconds: 120 + 10 * r(),
      });
    }
  }
  return { metrics, evals };
}

/** Writes a run directory with metrics.jsonl (and evals.jsonl when evalEvery > 0). */
export function writeSyntheticRun(dir: string, o: SyntheticOptions = {}): void {
  mkdirSync(dir, { recursive: true });
  const { metrics, evals } = syntheticLines(o);
  writeFileSync(join(dir, 'metrics.jsonl'), metrics.map((m) => JSON.stringify(m) + '\n').join(''));
  if (evals.length) writeFileSync(join(dir, 'evals.jsonl'), evals.map((m) => JSON.stringify(m) + '\n').join(''));
}
