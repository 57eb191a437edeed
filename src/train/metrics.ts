// The metrics sinks of a run: where a step's and an evaluation's numbers go. The files (metrics.jsonl,
// rollouts/step-N.jsonl, evals.jsonl) and the log lines are two sinks of one interface, in that
// order (a line is on disk before it is announced).
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { mean, type EvalReport } from '../eval/report.js';
import { readMetrics } from '../report/read.js';
import { quarterMeans } from '../report/stats.js';
import { rolloutLogLine, type Rollout } from '../rl/rollout.js';
import type { TrainConfig } from './config.js';
import type { Update } from './learner.js';

export interface StepMetrics {
  step: number;
  rollouts: number;
  dropped: number;
  /** Mean, min and max of the rollouts' rewards, and the mean of each of the environment's named
   *  components (resume: tool, layout, content). */
  reward: { mean: number; min: number; max: number } & Record<string, number>;
  /** Means of the environment's per-rollout metrics (resume: submitRate, reviewRate, editsOk, ...;
   *  reverse-text: exactRate, lengthMatchRate). */
  metrics: Record<string, number>;
  endReasons: Record<string, number>;
  loss: number;
  gradNorm: number;
  clipScale: number;
  lossTokens: number;
  tokens: number;
  passes: number;
  /** Passes run by each rank. */
  passesPerRank: number[];
  clippedFraction: number;
  meanRatio: number;
  /** Waiting for rollouts (this step's, and the next step's when the embedded sampler takes them
   *  first), the update, waiting for a sampler server's next-step rollouts and weight reload. */
  seconds: { rollout: number; train: number; sync: number };
  /** The update's phases over the ranks (src/train/rank-group.ts); absent when there was no update. */
  phaseSeconds?: { backward: number; reduce: number; apply: number; gather: number };
}

/** One line of evals.jsonl: the held-out evaluation after `step` (0: before training). */
export type EvalLine = { step: number } & Pick<
  EvalReport,
  'meanReward' | 'submitRate' | 'editFailureRate' | 'hallucination' | 'contentQuality' | 'layoutPassRate' | 'components' | 'rollouts' | 'unscored'
> & { seconds: number };

export interface MetricsSink {
  step(m: StepMetrics, rollouts: readonly Rollout[]): void;
  eval(e: EvalLine): void;
  /** After the run's last step. */
  end(): void;
}

/** Per-key means over records (a key missing from a record counts for the others only). */
export function meansByKey(records: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, mean(records.filter((r) => k in r).map((r) => r[k]!))]));
}

/** A step's metrics from its rollouts and update. */
export function stepMetrics(step: number, rollouts: readonly Rollout[], u: Update, seconds: StepMetrics['seconds']): StepMetrics {
  const st = u.stats;
  const N = u.lossTokens;
  const totals = rollouts.map((r) => r.episode.reward.total).filter((x): x is number => x !== undefined);
  const scored = rollouts.filter((r) => r.episode.reward.total !== undefined);
  const endReasons: Record<string, number> = {};
  for (const r of rollouts) endReasons[r.episode.endReason] = (endReasons[r.episode.endReason] ?? 0) + 1;
  return {
    step,
    rollouts: rollouts.length,
    dropped: rollouts.length - scored.length,
    reward: { mean: mean(totals), min: Math.min(...totals), max: Math.max(...totals), ...meansByKey(scored.map((r) => r.episode.reward.components)) },
    metrics: meansByKey(rollouts.map((r) => r.episode.reward.metrics)),
    endReasons,
    loss: st?.loss ?? 0,
    gradNorm: st?.gradNorm ?? 0,
    clipScale: st?.clipScale ?? 1,
    lossTokens: N,
    tokens: st?.tokens ?? 0,
    passes: u.passes,
    passesPerRank: st?.passesPerRank ?? [],
    clippedFraction: st ? st.clippedTokens / N : 0,
    meanRatio: st ? st.ratioSum / N : 1,
    phaseSeconds: st?.phaseSeconds,
    seconds,
  };
}

/** Keeps the lines of `path` (metrics.jsonl) for steps <= `lastStep`; unreadable lines go too. */
export async function trimMetrics(path: string, lastStep: number, log: (s: string) => void = () => {}): Promise<void> {
  if (!existsSync(path)) return;
  const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const keep = lines.filter((l) => {
    try {
      const step = (JSON.parse(l) as { step?: unknown }).step;
      return typeof step === 'number' && step <= lastStep;
    } catch {
      return false;
    }
  });
  if (keep.length === lines.length) return;
  await writeFileAtomic(path, keep.map((l) => l + '\n').join(''));
  log(`${path}: dropped ${lines.length - keep.length} line(s) of steps after ${lastStep} (they are redone)`);
}

const pad = (n: number): string => String(n).padStart(6, '0');

/** metrics.jsonl, rollouts/step-N.jsonl and evals.jsonl under the run directory. */
export class FileSink implements MetricsSink {
  constructor(private readonly out: string) {}

  /** Steps after the checkpoint are redone: their lines (a crash after logging, before saving) go,
   *  so metrics.jsonl has one line per step. */
  static async open(out: string, startStep: number, log: (s: string) => void): Promise<FileSink> {
    await trimMetrics(join(out, 'metrics.jsonl'), startStep - 1, log);
    await trimMetrics(join(out, 'evals.jsonl'), startStep - 1, log);
    return new FileSink(out);
  }

  step(m: StepMetrics, rollouts: readonly Rollout[]): void {
    appendFileSync(join(this.out, 'metrics.jsonl'), JSON.stringify(m) + '\n');
    mkdirSync(join(this.out, 'rollouts'), { recursive: true });
    writeFileSync(join(this.out, 'rollouts', `step-${pad(m.step)}.jsonl`), rollouts.map(rolloutLogLine).join('\n') + '\n');
  }

  eval(e: EvalLine): void {
    appendFileSync(join(this.out, 'evals.jsonl'), JSON.stringify(e) + '\n');
  }

  end(): void {}
}

/** `a 0.25, b 1.00` for the log line, leaving out `skip`. */
const describeMeans = (m: Record<string, number>, skip: string[]): string =>
  Object.entries(m)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');

/** The log lines: one per step and evaluation, and the run's learning claim at the end. */
export class LogSink implements MetricsSink {
  /** `world`: the ranks (their phase times are logged when several). */
  constructor(
    private readonly cfg: TrainConfig,
    private readonly world: number,
    private readonly log: (s: string) => void,
  ) {}

  step(m: StepMetrics): void {
    const remote = this.cfg.sampler.kind === 'openai';
    this.log(
      `step ${m.step}/${this.cfg.steps}: reward ${m.reward.mean.toFixed(2)} (${describeMeans(m.reward, ['mean', 'min', 'max'])}), ${describeMeans(m.metrics, [])}, loss ${m.loss.toExponential(2)}, |g| ${m.gradNorm.toExponential(2)}, ${m.lossTokens} loss tokens in ${m.passes} pass(es), ` +
        `ratio ${m.meanRatio.toFixed(3)}, ${m.seconds.rollout.toFixed(1)} s rollouts + ${m.seconds.train.toFixed(1)} s train` + (remote ? ` + ${m.seconds.sync.toFixed(1)} s sampler sync` : '') +
        (this.world > 1 && m.phaseSeconds ? ` (${Object.entries(m.phaseSeconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} s)` : ''),
    );
  }

  eval(e: EvalLine): void {
    this.log(`eval after step ${e.step}: reward ${e.meanReward.toFixed(2)}, submit ${(100 * e.submitRate).toFixed(0)}%, edit failures ${(100 * e.editFailureRate).toFixed(0)}%, ${e.rollouts} rollouts in ${e.seconds.toFixed(1)} s`);
  }

  /** The learning claim in one line (the whole run, resumed parts included), and where the charts are. */
  end(): void {
    const { cfg } = this;
    const q = quarterMeans(readMetrics(join(cfg.out, 'metrics.jsonl')).rows);
    this.log(
      `mean reward over ${q.steps} steps: first quarter (steps ${q.first.fromStep}-${q.first.toStep}) ${q.first.mean.toFixed(3)}, ` +
        `last quarter (steps ${q.last.fromStep}-${q.last.toStep}) ${q.last.mean.toFixed(3)}, change ${q.change >= 0 ? '+' : ''}${q.change.toFixed(3)}${cfg.update ? '' : ' (control run: no RL update)'}; charts: npm run report -- --run ${cfg.out}`,
    );
  }
}

/** Several sinks as one, each called in turn. */
export class Sinks implements MetricsSink {
  constructor(private readonly sinks: readonly MetricsSink[]) {}
  step(m: StepMetrics, rollouts: readonly Rollout[]): void {
    for (const s of this.sinks) s.step(m, rollouts);
  }
  eval(e: EvalLine): void {
    for (const s of this.sinks) s.eval(e);
  }
  end(): void {
    for (const s of this.sinks) s.end();
  }
}
