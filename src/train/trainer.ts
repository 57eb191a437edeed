// The RL training loop on one device (src/train/config.ts for the knobs). Per step:
//   1. examples: the next `examplesPerStep` rows of a seeded shuffle of the training set;
//   2. rollouts: `groupSize` episodes per example, all at once, sampled from the current weights by
//      the embedded sampler (KV-cache generator behind a BatchedSampler on rank 0's model) or an
//      OpenAI-compatible sampler server (vLLM; src/rollout/client.ts), recorded token by token
//      with their sampler logprobs (src/rl/rollout.ts); rewarded by the rubrics + judge;
//   3. advantages: reward minus the group mean;
//   4. loss: AIPO over every sampled token of the step, in passes of at most microBatchTokens
//      tokens whose gradients accumulate (each pass normalised by the step's token count); with
//      several devices the passes are spread over the ranks (src/train/rank-group.ts);
//   5. update: AdamW with global-norm clipping, its state sharded over the ranks;
//      a sampler server then gets the new weights (HF directory + POST /update_weights);
//   6. log a metrics line; checkpoint every saveEvery steps (model as a HF directory, optimizer
//      state, trainer state) and point latest.json at it atomically.
// A run restarts from latest.json when it exists: same data order, same seeds, same weights.
// Off-policy distance (offPolicySteps): 1, the published recipe, samples step s+1's rollouts from
// the weights before step s's update (w_{s-1}), on a sampler server while step s trains; 0 samples
// each step from the weights it trains (on-policy). mu always comes from the sampler itself (its own
// numerics), so AIPO's ratio pi/mu corrects for both. **(choice)** A resumed run samples its first
// step from the checkpoint's weights (the rollouts under way at the crash are gone).
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic.js';
import { countProgress } from '../io/progress.js';
import { preflight } from './preflight.js';
import { recordRunConfig } from './run-record.js';
import { setVariants, variantsOf } from '../gpu/variants.js';
import { describeJudge } from '../reward/judge-config.js';
import { readMetrics } from '../report/read.js';
import { quarterMeans } from '../report/stats.js';
import { warmStartSamples } from './warm-start.js';
import { join } from 'node:path';
import { z } from 'zod';
import { Rng } from '../io/rng.js';
import type { Gpu } from '../gpu/gpu.js';
import { RankGroup } from './rank-group.js';
import { Generator } from '../model/generate.js';
import { makeTinyModel } from '../model/tiny.js';
import { groupAdvantages } from '../rl/aipo.js';
import { rolloutLogLine, runGroups, type Rollout, type RolloutContext } from '../rl/rollout.js';
import type { EpisodeResult, EpisodeRow } from '../env/resume/episode.js';
import { evaluateWith } from '../eval/evaluate.js';
import { mean } from '../eval/report.js';
import { OpenAISampler } from '../rollout/client.js';
import { BatchedSampler, type TurnSampler } from '../rollout/sampler.js';
import { packPasses, type TrainSample } from './batch.js';
import type { TrainConfig } from './config.js';

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

const Latest = z.object({ step: z.number().int().positive(), dir: z.string() });

export interface TrainOptions {
  /** Rank 0's device (this process). */
  gpu: Gpu;
  /** Device indices, one rank each (default [0]); rank 0 runs on `gpu`. */
  devices?: number[];
  /** Environment of each rank's process (default: src/parallel/devices.ts planDevices). */
  deviceEnv?: Record<string, string>[];
  /** How the devices were chosen (for the log; default: planned here). */
  deviceNote?: string;
  log?: (line: string) => void;
  /** Called after each step with its metrics (tests, progress bars). */
  onStep?: (m: StepMetrics) => void;
}

const pad = (n: number): string => String(n).padStart(6, '0');

/** Per-key means over records (a key missing from a record counts for the others only). */
export function meansByKey(records: readonly Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, mean(records.filter((r) => k in r).map((r) => r[k]!))]));
}

/** `a 0.25, b 1.00` for the log line, leaving out `skip`. */
const describeMeans = (m: Record<string, number>, skip: string[]): string =>
  Object.entries(m)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k} ${v.toFixed(2)}`)
    .join(', ');

/** Row indices of step `step` (1-based): consecutive slices of seeded shuffles of the set. */
export function stepRows(n: number, perStep: number, step: number, seed: string | number): number[] {
  const out: number[] = [];
  for (let k = (step - 1) * perStep; k < step * perStep; k++) {
    const epoch = Math.floor(k / n);
    const order = new Rng(`${seed}/epoch${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
    out.push(order[k % n]!);
  }
  return out;
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

/** After a new checkpoint is in latest.json: removes all but the newest `keep` checkpoints (0: keep
 *  all) and the optimizer state of all but the newest `keepOptimizer` (a Qwen3-14B checkpoint is
 *  29.5 GB of model and 3 x 59 GB of optimizer state; only the latest state is needed to resume). */
export function pruneCheckpoints(dir: string, keep: number, keepOptimizer: number, log: (s: string) => void = () => {}): void {
  const steps = readdirSync(dir).filter((d) => /^step-\d+$/.test(d)).sort(); // zero-padded: sorts by step
  steps.forEach((d, i) => {
    const age = steps.length - 1 - i; // 0 = newest
    if (keep > 0 && age >= keep) {
      rmSync(join(dir, d), { recursive: true, force: true });
      log(`removed checkpoint ${join(dir, d)} (keepCheckpoints ${keep})`);
    } else if (keepOptimizer > 0 && age >= keepOptimizer && existsSync(join(dir, d, 'optimizer'))) {
      rmSync(join(dir, d, 'optimizer'), { recursive: true, force: true });
      log(`removed the optimizer state of ${join(dir, d)} (keepOptimizerStates ${keepOptimizer})`);
    }
  });
}

export async function train(cfg: TrainConfig, opts: TrainOptions): Promise<{ lastStep: number; metrics: StepMetrics[] }> {
  const { gpu } = opts;
  const log = opts.log ?? ((s: string) => console.log(s));
  mkdirSync(cfg.out, { recursive: true });
  // A missing model without createTiny is the preflight's error (below).
  if (!existsSync(join(cfg.model.path, 'config.json')) && cfg.model.createTiny) {
    log(`creating a random tiny Qwen3 at ${cfg.model.path}`);
    await makeTinyModel(cfg.model.path, cfg.model.createTiny);
  }

  // Resume from the last checkpoint, if any.
  const latestPath = join(cfg.out, 'latest.json');
  let startStep = 1;
  let modelDir = cfg.model.path;
  let optDir: string | null = null;
  if (existsSync(latestPath)) {
    const latest = Latest.parse(JSON.parse(readFileSync(latestPath, 'utf8')));
    startStep = latest.step + 1;
    modelDir = join(cfg.out, latest.dir, 'model');
    optDir = join(cfg.out, latest.dir, 'optimizer');
    log(`resuming after step ${latest.step} from ${join(cfg.out, latest.dir)}`);
  }
  if (startStep > cfg.steps) {
    log(`nothing to do: ${startStep - 1} of ${cfg.steps} steps already done`);
    return { lastStep: startStep - 1, metrics: [] };
  }
  // Everything checked before any device work (minutes at 14B) or any file written, and kept.
  const pre = await preflight(cfg, { devices: opts.devices ?? [0], deviceNote: opts.deviceNote, log });
  // Steps after the checkpoint are redone: their metrics lines (a crash after logging, before
  // saving) go, so metrics.jsonl has one line per step.
  await trimMetrics(join(cfg.out, 'metrics.jsonl'), startStep - 1, log);
  await trimMetrics(join(cfg.out, 'evals.jsonl'), startStep - 1, log);
  // The config's kernel variants on rank 0's device (each rank applies them to its own, src/train/rank.ts).
  if (cfg.kernels.variants) setVariants(gpu, cfg.kernels.variants);
  await recordRunConfig(join(cfg.out, 'run-config.json'), cfg, { devices: opts.devices ?? [0], adapter: gpu.describe(), variants: variantsOf(gpu) }, log);
  const { env, rows, evalRows } = pre;
  const { tokenizer, template } = pre.chat!; // the model exists by now
  const sc = cfg.sampler;
  const remote = sc.kind === 'openai' ? new OpenAISampler({ baseURL: sc.baseURL, model: sc.model, apiKey: sc.apiKey, timeoutMs: sc.timeoutMs, reloadRoute: sc.reloadRoute, reloadField: sc.reloadField }) : null;
  const group = await RankGroup.start({
    devices: opts.devices ?? [0],
    deviceEnv: opts.deviceEnv,
    gpu,
    modelDir,
    optimizerDir: optDir,
    optimizer: cfg.optimizer,
    modelOptions: { gradDtype: cfg.model.gradDtype },
    rankTimeoutMs: cfg.rankTimeoutMs,
    variants: cfg.kernels.variants,
    log,
  });
  const model = group.model;
  const rolloutsPerStep = cfg.examplesPerStep * cfg.groupSize;
  const ep = cfg.episode;
  // A slot holds a whole episode's context: prompt plus every turn and reply.
  const generator = sc.kind === 'embedded' ? new Generator(model, { slots: cfg.samplerSlots ?? rolloutsPerStep, maxTokens: ep.maxEpisodeTokens + 4096, seed: `${cfg.seed}` }) : null;
  const sampler: TurnSampler = generator ? new BatchedSampler(generator) : remote!;
  const syncSampler = async (): Promise<void> => {
    if (!remote || sc.kind !== 'openai') return;
    const dir = sc.weightsDir ?? join(cfg.out, 'sampler-weights');
    const t = performance.now();
    await model.save(dir, { copyFrom: cfg.model.path, overwrite: true });
    await remote.reloadWeights(dir);
    log(`sampler ${sc.baseURL} reloaded ${dir} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  };
  // A resumed run's weights are not the sampler's initial ones.
  if (remote && startStep > 1) await syncSampler();
  const rolloutCtx: RolloutContext = {
    env,
    sampler,
    tokenizer,
    template,
    sampling: cfg.sampling,
    maxTurns: ep.maxTurns,
    maxTokensPerTurn: ep.maxTokensPerTurn,
    maxEpisodeTokens: ep.maxEpisodeTokens,
    enableThinking: ep.enableThinking,
  };
  const runEval = async (at: number): Promise<void> => {
    const e = cfg.eval;
    const t = performance.now();
    const { report } = await evaluateWith({ ...rolloutCtx, sampling: { temperature: e.temperature } } as RolloutContext<EpisodeResult>, evalRows as EpisodeRow[], {
      rolloutsPerRow: e.rolloutsPerRow,
      rowsAtOnce: e.rowsAtOnce,
      seed: `${cfg.seed}/eval`,
      out: join(cfg.out, 'evals', `step-${pad(at)}`),
      log,
      meta: { model: `${cfg.out} after step ${at}`, judge: describeJudge(cfg.judge) },
    });
    const { meanReward, submitRate, editFailureRate, hallucination, contentQuality, layoutPassRate, components, rollouts, unscored } = report;
    const line = { step: at, meanReward, submitRate, editFailureRate, hallucination, contentQuality, layoutPassRate, components, rollouts, unscored, seconds: (performance.now() - t) / 1000 };
    appendFileSync(join(cfg.out, 'evals.jsonl'), JSON.stringify(line) + '\n');
    log(`eval after step ${at}: reward ${meanReward.toFixed(2)}, submit ${(100 * submitRate).toFixed(0)}%, edit failures ${(100 * editFailureRate).toFixed(0)}%, ${rollouts} rollouts in ${line.seconds.toFixed(1)} s`);
  };
  const pickRows = (perStep: number, step: number, seed: string | number): { id: string }[] => stepRows(rows.length, perStep, step, seed).map((i) => rows[i]!);
  /** The supervised warm start (a fresh run only; a crash before the first checkpoint redoes it). */
  const warmStart = async (): Promise<void> => {
    const w = cfg.warmStart;
    for (let k = 1; k <= w.steps; k++) {
      const ex = pickRows(w.rowsPerStep, k, `${cfg.seed}/warm`);
      const passes = packPasses(warmStartSamples(env, ex, tokenizer, template, ep.enableThinking, w.replies), cfg.microBatchTokens);
      const N = passes.reduce((a, p) => a + p.lossTokens, 0);
      const st = await group.step(passes, N, { ...cfg.loss, nll: true }, w.lr);
      if (k === 1 || k === w.steps || k % 5 === 0) log(`warm start ${k}/${w.steps}: NLL ${st.loss.toFixed(3)} over ${N} reply tokens`);
    }
    if (w.resetOptimizer) await group.resetOptimizer(); // RL with its own AdamW moments (AdamW.resetMoments says why)
    await syncSampler();
  };
  const all: StepMetrics[] = [];
  const stepExamples = (step: number): { id: string }[] => pickRows(cfg.examplesPerStep, step, cfg.seed);
  const sampleStep = (step: number): Promise<Rollout[]> => {
    const ex = stepExamples(step);
    log(`step ${step}/${cfg.steps}: sampling ${rolloutsPerStep} rollouts (${ex.map((r) => r.id).join(', ')} x ${cfg.groupSize})`);
    const p = runGroups(ex, cfg.groupSize, rolloutCtx, `${cfg.seed}/step${step}`, countProgress(`step ${step}/${cfg.steps}`, 'rollouts', log));
    p.catch(() => undefined); // awaited later; a failure surfaces there, not as an unhandled rejection
    return p;
  };
  // Rollouts of the coming step, already sampled or under way (one step off-policy).
  let ahead: Promise<Rollout[]> | null = null;
  try {
    if (startStep === 1 && cfg.warmStart.steps > 0) await warmStart();
    if (cfg.eval.atStart && startStep === 1) await runEval(0);
    for (let step = startStep; step <= cfg.steps; step++) {
      const t0 = performance.now();
      const exampleRows = stepExamples(step);
      const rollouts: Rollout[] = await (ahead ?? sampleStep(step));
      ahead = null;
      const t1 = performance.now();
      // One step off-policy (the published recipe): the next step's rollouts come from the weights
      // before this step's update. A sampler server samples them while this step trains; the
      // embedded sampler shares rank 0's weights, so it samples them first.
      if (cfg.offPolicySteps === 1 && step < cfg.steps) {
        ahead = sampleStep(step + 1);
        if (!remote) await ahead;
      }
      const t2 = performance.now();
      // Rewards; a judge failure is never a reward.
      const failed = rollouts.filter((r) => r.episode.reward.total === undefined);
      if (failed.length > 0 && cfg.judge.onFailure === 'fail') {
        throw new Error(`step ${step}: ${failed.length} rollout(s) have no reward (${failed[0]!.episode.reward.error}); judge.onFailure is 'fail'`);
      }
      const samples: TrainSample[] = [];
      for (let e = 0; e < exampleRows.length; e++) {
        const group = rollouts.slice(e * cfg.groupSize, (e + 1) * cfg.groupSize).filter((r) => r.episode.reward.total !== undefined);
        if (group.length < 2) continue; // no baseline left for this example
        const adv = groupAdvantages(group.map((r) => r.episode.reward.total!), group.length);
        group.forEach((r, i) => samples.push({ ids: r.tokens.ids, samplerLogprobs: r.tokens.logprobs, lossMask: r.tokens.lossMask, advantage: adv[i]!, temperature: r.temperature }));
      }
      // Loss, gradients and the update, over the ranks.
      const passes = packPasses(samples, cfg.microBatchTokens);
      const N = passes.reduce((a, p) => a + p.lossTokens, 0);
      const st = N > 0 && cfg.update ? await group.step(passes, N, cfg.loss) : null;
      const t3 = performance.now();
      if (ahead) await ahead; // the sampler keeps the old weights until the next step's rollouts are done
      if (st) await syncSampler();
      const t4 = performance.now();
      const totals = rollouts.map((r) => r.episode.reward.total).filter((x): x is number => x !== undefined);
      const scored = rollouts.filter((r) => r.episode.reward.total !== undefined);
      const endReasons: Record<string, number> = {};
      for (const r of rollouts) endReasons[r.episode.endReason] = (endReasons[r.episode.endReason] ?? 0) + 1;
      const m: StepMetrics = {
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
        passes: passes.length,
        passesPerRank: st?.passesPerRank ?? [],
        clippedFraction: st ? st.clippedTokens / N : 0,
        meanRatio: st ? st.ratioSum / N : 1,
        phaseSeconds: st?.phaseSeconds,
        seconds: { rollout: (t2 - t0) / 1000, train: (t3 - t2) / 1000, sync: (t4 - t3) / 1000 },
      };
      all.push(m);
      appendFileSync(join(cfg.out, 'metrics.jsonl'), JSON.stringify(m) + '\n');
      mkdirSync(join(cfg.out, 'rollouts'), { recursive: true });
      writeFileSync(
        join(cfg.out, 'rollouts', `step-${pad(step)}.jsonl`),
        rollouts.map(rolloutLogLine).join('\n') + '\n',
      );
      log(
        `step ${step}/${cfg.steps}: reward ${m.reward.mean.toFixed(2)} (${describeMeans(m.reward, ['mean', 'min', 'max'])}), ${describeMeans(m.metrics, [])}, loss ${m.loss.toExponential(2)}, |g| ${m.gradNorm.toExponential(2)}, ${N} loss tokens in ${passes.length} pass(es), ` +
          `ratio ${m.meanRatio.toFixed(3)}, ${m.seconds.rollout.toFixed(1)} s rollouts + ${m.seconds.train.toFixed(1)} s train` + (remote ? ` + ${m.seconds.sync.toFixed(1)} s sampler sync` : '') +
          (group.world > 1 && m.phaseSeconds ? ` (${Object.entries(m.phaseSeconds).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ')} s)` : ''),
      );
      opts.onStep?.(m);
      // The sampler holds this step's weights now (embedded: the same model; a server: reloaded).
      if (cfg.eval.every > 0 && step % cfg.eval.every === 0) await runEval(step);
      if (step % cfg.saveEvery === 0 || step === cfg.steps) {
        const dir = join('checkpoints', `step-${pad(step)}`);
        await group.save(join(cfg.out, dir), cfg.model.path);
        await writeFileAtomic(latestPath, JSON.stringify({ step, dir }) + '\n');
        log(`checkpoint ${join(cfg.out, dir)}`);
        pruneCheckpoints(join(cfg.out, 'checkpoints'), cfg.keepCheckpoints, cfg.keepOptimizerStates, log);
      }
    }
  } finally {
    generator?.destroy();
    await group.close();
  }
  // The learning claim in one line (the whole run, resumed parts included), and where the charts are.
  const q = quarterMeans(readMetrics(join(cfg.out, 'metrics.jsonl')).rows);
  log(
    `mean reward over ${q.steps} steps: first quarter (steps ${q.first.fromStep}-${q.first.toStep}) ${q.first.mean.toFixed(3)}, ` +
      `last quarter (steps ${q.last.fromStep}-${q.last.toStep}) ${q.last.mean.toFixed(3)}, change ${q.change >= 0 ? '+' : ''}${q.change.toFixed(3)}${cfg.update ? '' : ' (control run: no RL update)'}; charts: npm run report -- --run ${cfg.out}`,
  );
  return { lastStep: cfg.steps, metrics: all };
}
