// The trainer role (prime-rl's trainer): the weights and optimizer over the rank group. It sees
// training samples only, never the environment: the supervised warm start, the AIPO update of a
// step (passes of at most microBatchTokens tokens, gradients accumulated, each pass normalised by
// the step's token count, spread over the ranks: src/train/rank-group.ts; AdamW with global-norm
// clipping, its state sharded over the ranks), checkpoints, and starting from one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import { makeTinyModel } from '../model/tiny.js';
import type { Qwen3Model } from '../model/qwen3.js';
import { packPasses, type TrainSample } from './batch.js';
import { checkpointDir, markLatest, pruneCheckpoints, type ResumePoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import { RankGroup, type GroupStep } from './rank-group.js';
import type { KernelTuning } from './rank.js';

/** What a step's update did. */
export interface Update {
  /** Loss tokens of the step (N, every pass's normaliser). */
  lossTokens: number;
  passes: number;
  /** Null when nothing was updated (no loss tokens, or a control run: `update: false`). */
  stats: GroupStep | null;
}

export interface LearnerOptions {
  /** Rank 0's device (this process). */
  gpu: Gpu;
  /** Device indices, one rank each; rank 0 runs on `gpu`. */
  devices: number[];
  deviceEnv?: Record<string, string>[];
  log: (line: string) => void;
  /** --retune: every rank times its kernel variants again. */
  retune?: boolean;
}

/** What each rank's kernel tuner needs from the run (src/ops/autotune): on or off, --retune, and
 *  the tokens of a training pass. */
export function kernelTuning(cfg: TrainConfig, retune = false): KernelTuning {
  return { autotune: cfg.kernels.autotune, retune, tokens: cfg.microBatchTokens };
}

/** Creates the configured random tiny model when the model directory has none (a missing model
 *  without createTiny is the preflight's error). */
export async function ensureModel(cfg: TrainConfig, log: (line: string) => void): Promise<void> {
  if (!existsSync(join(cfg.model.path, 'config.json')) && cfg.model.createTiny) {
    log(`creating a random tiny Qwen3 at ${cfg.model.path}`);
    await makeTinyModel(cfg.model.path, cfg.model.createTiny);
  }
}

export class Learner {
  private constructor(
    private readonly cfg: TrainConfig,
    private readonly group: RankGroup,
    private readonly log: (line: string) => void,
  ) {}

  /** Loads every rank from `from` (the base model, or a checkpoint's model and optimizer state). */
  static async start(cfg: TrainConfig, from: ResumePoint, o: LearnerOptions): Promise<Learner> {
    const group = await RankGroup.start({
      devices: o.devices,
      deviceEnv: o.deviceEnv,
      gpu: o.gpu,
      modelDir: from.modelDir,
      optimizerDir: from.optimizerDir,
      optimizer: cfg.optimizer,
      modelOptions: { gradDtype: cfg.model.gradDtype, recompute: cfg.model.recompute },
      rankTimeoutMs: cfg.rankTimeoutMs,
      variants: cfg.kernels.variants,
      tune: kernelTuning(cfg, o.retune),
      log: o.log,
    });
    return new Learner(cfg, group, o.log);
  }

  /** Rank 0's model: the weights after the latest update (the embedded sampler samples from it). */
  get model(): Qwen3Model {
    return this.group.model;
  }

  /** The supervised warm start: warmStart.steps NLL steps on `samples(k)` (k = 1, 2, ...). */
  async warmStart(samples: (k: number) => TrainSample[]): Promise<void> {
    const w = this.cfg.warmStart;
    for (let k = 1; k <= w.steps; k++) {
      const passes = packPasses(samples(k), this.cfg.microBatchTokens);
      const N = passes.reduce((a, p) => a + p.lossTokens, 0);
      const st = await this.group.step(passes, N, { ...this.cfg.loss, nll: true }, w.lr);
      if (k === 1 || k === w.steps || k % 5 === 0) this.log(`warm start ${k}/${w.steps}: NLL ${st.loss.toFixed(3)} over ${N} reply tokens`);
    }
    if (w.resetOptimizer) await this.group.resetOptimizer(); // RL with its own AdamW moments (AdamW.resetMoments says why)
  }

  /** One RL step: loss, gradients and the update over the ranks. */
  async update(samples: readonly TrainSample[]): Promise<Update> {
    const passes = packPasses(samples, this.cfg.microBatchTokens);
    const N = passes.reduce((a, p) => a + p.lossTokens, 0);
    const stats = N > 0 && this.cfg.update ? await this.group.step(passes, N, this.cfg.loss) : null;
    return { lossTokens: N, passes: passes.length, stats };
  }

  /** Checkpoint of `step` (model as a HF directory, optimizer state per rank), then latest.json,
   *  then pruning. */
  async save(step: number): Promise<void> {
    const { cfg } = this;
    const dir = checkpointDir(step);
    await this.group.save(join(cfg.out, dir), cfg.model.path);
    await markLatest(cfg.out, step, dir);
    this.log(`checkpoint ${join(cfg.out, dir)}`);
    pruneCheckpoints(join(cfg.out, 'checkpoints'), cfg.keepCheckpoints, cfg.keepOptimizerStates, this.log);
  }

  async close(): Promise<void> {
    await this.group.close();
  }
}
