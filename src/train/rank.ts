// One rank of a sharded training run: a device holding the whole bf16 model (every rank computes
// gradients for its own passes) and the AdamW state of the weights it owns
// (src/parallel/shard-plan.ts), i.e. ZeRO stage 1. A step, phase by phase (the coordinator,
// src/train/rank-group.ts, starts each phase on every rank once all finished the previous one):
//   1. backward: the rank's passes into its gradients (f32, or bf16: ModelOptions.gradDtype); the
//      gradients of weights it does not own are published;
//   2. reduce: for each owned weight, the sum of every rank's gradient (f32, in rank order),
//      written back to its gradient (rounded once where the accumulators are bf16);
//      returns the sum of squares of the owned sums (the coordinator adds them: global norm);
//   3. apply: AdamW on the owned weights with the global norm; their new bf16 values published;
//   4. gather: the other ranks' new weights read into this rank's model.
// The collectives are src/parallel/shard-sync.ts, called between the phases: the passes and the
// optimizer know nothing of ranks. With one rank there are none: 1 is runPasses, 2 only the sum
// of squares, 3 the update, 4 nothing, so the single-device trainer is this class too.
import { join } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { setVariants, type DeviceVariants } from '../gpu/variants.js';
import { Qwen3Model, type ModelOptions } from '../model/qwen3.js';
import { loadQwen3Config } from '../model/config.js';
import { prepareKernels } from '../ops/autotune/tuner.js';
import type { TrainPass } from './batch.js';
import { AdamW, type OptimizerConfig, type StepInfo } from './optimizer.js';
import { runPasses, type LossConfig, type PassStats } from './passes.js';
import { byteProgress } from '../io/progress.js';
import { ShardSync } from '../parallel/shard-sync.js';
import type { z } from 'zod';

export interface RankInit {
  rank: number;
  world: number;
  modelDir: string;
  /** Optimizer state to resume from (one directory or one per rank of the saving run). */
  optimizerDirs: string[] | null;
  optimizer: z.input<typeof OptimizerConfig>;
  /** Weight names owned by each rank (planShards().owned). */
  owned: string[][];
  /** Shared exchange directory (world > 1). */
  exchangeDir: string | null;
  modelOptions?: ModelOptions;
  /** The run config's kernel variants (kernels.variants), applied to this rank's device first. */
  variants?: Partial<DeviceVariants>;
  /** Then the kernel tuner for the other families (src/ops/autotune), at this model's shapes. */
  tune?: KernelTuning;
}

/** The kernel tuner's settings of a run: the config's kernels.autotune, --retune, tokens per pass. */
export interface KernelTuning {
  autotune: boolean;
  retune: boolean;
  tokens: number;
}

/** What every rank answers (in-process or over IPC: src/train/remote-rank.ts). */
export interface RankApi {
  describe(): Promise<string>;
  backward(passes: TrainPass[], N: number, loss: LossConfig): Promise<PassStats>;
  reduce(): Promise<number>;
  apply(norm: number, lr?: number): Promise<StepInfo>;
  gather(): Promise<void>;
  /** AdamW.resetMoments on this rank's shard. */
  resetOptimizer(): Promise<void>;
  /** Optimizer shard to `optimizerDir`; the model too when `modelDir` is given. */
  save(optimizerDir: string, modelDir: string | null, copyFrom: string): Promise<void>;
  close(): Promise<void>;
}

export class Rank implements RankApi {
  /** The collectives around each phase; null on a single device. */
  private readonly sync: ShardSync | null;

  private constructor(
    readonly gpu: Gpu,
    readonly init: RankInit,
    readonly model: Qwen3Model,
    readonly optimizer: AdamW,
    private readonly log: (line: string) => void,
  ) {
    this.sync = init.exchangeDir ? new ShardSync(gpu, init.rank, init.world, init.owned, init.exchangeDir) : null;
    if (init.world > 1 && !this.sync) throw new Error(`rank ${init.rank} of ${init.world}: no exchange directory`);
  }

  /** `log`: progress lines of long work (checkpoints). */
  static async create(gpu: Gpu, init: RankInit, log: (line: string) => void = () => {}): Promise<Rank> {
    if (init.owned.length !== init.world) throw new Error(`rank ${init.rank}: ownership lists ${init.owned.length} ranks, world is ${init.world}`);
    if (init.variants) setVariants(gpu, init.variants);
    if (init.tune) {
      const log1 = init.world > 1 ? (l: string) => log(`rank ${init.rank}: ${l}`) : log;
      await prepareKernels(gpu, { ...init.tune, model: () => loadQwen3Config(join(init.modelDir, 'config.json')), log: log1 });
    }
    const model = await Qwen3Model.load(gpu, init.modelDir, init.modelOptions);
    try {
      const names = [...model.weights.byName.keys()];
      const planned = init.owned.flat();
      if (planned.length !== names.length || !names.every((n) => planned.includes(n))) {
        throw new Error(`rank ${init.rank}: the shard plan names ${planned.length} weights, the model at ${init.modelDir} has ${names.length}`);
      }
      const mine = new Map(init.owned[init.rank]!.map((n) => [n, model.weights.byName.get(n)!]));
      const optimizer = new AdamW(gpu, mine, init.optimizer);
      if (init.optimizerDirs) await optimizer.load(init.optimizerDirs);
      return new Rank(gpu, init, model, optimizer, log);
    } catch (e) {
      model.destroy();
      throw e;
    }
  }

  async describe(): Promise<string> {
    return `rank ${this.init.rank}/${this.init.world} on ${this.gpu.describe()}`;
  }

  private ownedGrads(): Map<string, Tensor> {
    const g = this.model.grads;
    return new Map(this.init.owned[this.init.rank]!.map((n) => [n, g.get(n)!]));
  }

  async backward(passes: TrainPass[], N: number, loss: LossConfig): Promise<PassStats> {
    const stats = await runPasses(this.model, passes, N, loss);
    if (this.sync) await this.sync.publishGrads(this.model.grads);
    else await this.gpu.sync();
    return stats;
  }

  async reduce(): Promise<number> {
    const grads = this.ownedGrads();
    if (this.sync) await this.sync.reduce(grads);
    return this.optimizer.sumSquares(grads);
  }

  async apply(norm: number, lr?: number): Promise<StepInfo> {
    const info = this.optimizer.apply(this.ownedGrads(), norm, lr);
    if (this.sync) await this.sync.publishWeights(this.model.weights.byName);
    else await this.gpu.sync();
    return info;
  }

  async gather(): Promise<void> {
    if (!this.sync) return;
    await this.sync.gather(this.model.weights.byName);
    await this.gpu.sync();
  }

  async resetOptimizer(): Promise<void> {
    this.optimizer.resetMoments();
    await this.gpu.sync();
  }

  async save(optimizerDir: string, modelDir: string | null, copyFrom: string): Promise<void> {
    const who = `rank ${this.init.rank}`;
    await this.optimizer.save(optimizerDir, byteProgress(`${who}: optimizer state -> ${optimizerDir}`, this.log));
    if (modelDir) await this.model.save(modelDir, { copyFrom, overwrite: true, onProgress: byteProgress(`${who}: model -> ${modelDir}`, this.log) });
  }

  async close(): Promise<void> {
    this.optimizer.destroy();
    this.model.destroy();
  }
}

/** Where rank `rank` of `world` keeps its optimizer state inside a checkpoint's optimizer/. */
export function optimizerShardDir(optimizerDir: string, rank: number, world: number): string {
  return world === 1 ? optimizerDir : join(optimizerDir, `rank-${rank}-of-${world}`);
}
