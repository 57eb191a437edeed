// The RL training run: a loop over roles with narrow interfaces, as in prime-rl (src/train/config.ts
// for the knobs). Per step:
//   1. the orchestrator (orchestrator.ts) returns the step's rollouts, rewarded, and their samples
//      with group advantages; with offPolicySteps 1 it has the next step's rollouts under way;
//   2. the trainer (learner.ts) runs the AIPO update over the rank group;
//   3. weight sync (weight-sync.ts) gives the sampler the new weights: nothing for the embedded
//      sampler (rank 0's own model), a reload for a sampler server;
//   4. the metrics sinks (metrics.ts) write metrics.jsonl, rollouts/ and the log line; then an
//      evaluation (evals.jsonl) and a checkpoint (checkpoint.ts) when due.
// A run restarts after the checkpoint in latest.json when it exists: same data order, same seeds,
// same weights.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import { setVariants, variantsOf } from '../gpu/variants.js';
import { loadQwen3Config } from '../model/config.js';
import { prepareKernels } from '../ops/autotune/tuner.js';
import { resumePoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { ensureModel, kernelTuning, Learner } from './learner.js';
import { FileSink, LogSink, Sinks, stepMetrics, type StepMetrics } from './metrics.js';
import { Orchestrator } from './orchestrator.js';
import { preflight } from './preflight.js';
import { recordRunConfig } from './run-record.js';
import { openSampler } from './weight-sync.js';

export type { StepMetrics } from './metrics.js';

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
  /** Time the kernel variants again, ignoring the cached choice (--retune). */
  retune?: boolean;
}

export async function train(cfg: TrainConfig, opts: TrainOptions): Promise<{ lastStep: number; metrics: StepMetrics[] }> {
  const { gpu, devices = [0] } = opts;
  const log = opts.log ?? ((s: string) => console.log(s));
  mkdirSync(cfg.out, { recursive: true });
  await ensureModel(cfg, log);
  const from = resumePoint(cfg.out, cfg.model.path, log);
  if (from.startStep > cfg.steps) {
    log(`nothing to do: ${from.startStep - 1} of ${cfg.steps} steps already done`);
    return { lastStep: from.startStep - 1, metrics: [] };
  }
  // Everything checked before any device work (minutes at 14B) or any file written, and kept.
  const pre = await preflight(cfg, { devices, deviceNote: opts.deviceNote, log });
  const sinks = new Sinks([await FileSink.open(cfg.out, from.startStep, log), new LogSink(cfg, devices.length, log)]);
  // The config's kernel variants on rank 0's device, then the tuner's for the rest (each rank does
  // both on its own device, src/train/rank.ts; rank 0's is done here, for the record below).
  if (cfg.kernels.variants) setVariants(gpu, cfg.kernels.variants);
  await prepareKernels(gpu, { ...kernelTuning(cfg, opts.retune), model: () => loadQwen3Config(join(cfg.model.path, 'config.json')), log });
  await recordRunConfig(join(cfg.out, 'run-config.json'), cfg, { devices, adapter: gpu.describe(), variants: variantsOf(gpu) }, log);
  const learner = await Learner.start(cfg, from, { gpu, devices, deviceEnv: opts.deviceEnv, log, retune: opts.retune });
  const side = openSampler(cfg, learner.model, log);
  const orch = new Orchestrator(cfg, { ...pre, ...pre.chat!, sampler: side.sampler, samplesDuringUpdate: side.ownWeights, log }); // the model exists by now
  const all: StepMetrics[] = [];
  try {
    // A resumed run's weights are not the sampler's initial ones; a fresh run's first rollouts
    // come from the server's own copy, which must be the base model (not a previous run's).
    const step0 = `step-${String(from.startStep - 1).padStart(6, '0')}`;
    if (from.startStep > 1) await side.sync.push(`resume-${step0}`);
    else if (cfg.warmStart.steps === 0) await side.sync.verify();
    // The supervised warm start: a fresh run only (a crash before the first checkpoint redoes it).
    if (from.startStep === 1 && cfg.warmStart.steps > 0) {
      await learner.warmStart((k) => orch.warmStartSamples(k));
      await side.sync.push('warm-start');
    }
    if (cfg.eval.atStart && from.startStep === 1) sinks.eval(await orch.evaluate(0));
    for (let step = from.startStep; step <= cfg.steps; step++) {
      const t0 = performance.now();
      const rollouts = await orch.rollouts(step);
      const t1 = performance.now();
      const update = await learner.update(orch.samples(step, rollouts));
      const t2 = performance.now();
      await orch.settle(); // the sampler keeps the old weights until the next step's rollouts are done
      if (update.stats) await side.sync.push(`step-${String(step).padStart(6, '0')}`);
      const m = stepMetrics(step, rollouts, update, { rollout: (t1 - t0) / 1000, train: (t2 - t1) / 1000, sync: (performance.now() - t2) / 1000 });
      all.push(m);
      sinks.step(m, rollouts);
      opts.onStep?.(m);
      // The sampler holds this step's weights now (embedded: the same model; a server: reloaded).
      if (cfg.eval.every > 0 && step % cfg.eval.every === 0) sinks.eval(await orch.evaluate(step));
      if (step % cfg.saveEvery === 0 || step === cfg.steps) await learner.save(step);
    }
  } finally {
    side.close();
    await learner.close();
  }
  sinks.end();
  return { lastStep: cfg.steps, metrics: all };
}
