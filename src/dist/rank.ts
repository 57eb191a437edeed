// One rank of a sharded training run: a device holding the whole bf16 model (every rank computes
// gradients for its own passes) and the AdamW state of the weights it owns (src/dist/shard-plan.ts),
// i.e. ZeRO stage 1 with collectives through host memory (src/dist/exchange.ts). A step, phase by
// phase (the coordinator, src/dist/group.ts, starts each phase on every rank once all finished the
// previous one):
//   1. backward: the rank's passes into its gradients (f32, or bf16: ModelOptions.gradDtype); the
//      gradients of weights it does not own are published;
//   2. reduce: for each owned weight, the sum of every rank's gradient, added on the GPU in f32 in
//      rank order (so the sum does not depend on which rank owns the weight: collectives.ts),
//      written back to its gradient (rounded once where the accumulators are bf16);
//      returns the sum of squares of the owned sums (the coordinator adds them: global norm);
//   3. apply: AdamW on the owned weights with the global norm; their new bf16 values published;
//   4. gather: the other ranks' new weights read into this rank's model.
// With one rank, 1 is runPasses, 2 only the sum of squares, 3 the update, 4 nothing: the
// single-device trainer is this class too.
import { join } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { setVariants, type DeviceVariants } from '../gpu/variants.js';
import { Qwen3Model, type ModelOptions } from '../model/qwen3.js';
import type { TrainPass } from '../train/batch.js';
import { AdamW, type OptimizerConfig, type StepInfo } from '../train/optimizer.js';
import { runPasses, type LossConfig, type PassStats } from '../train/passes.js';
import { byteProgress } from '../io/progress.js';
import { publish, readInto, sumInto } from './collectives.js';
import { Exchange } from './exchange.js';
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
}

/** What every rank answers (in-process or over IPC: src/dist/remote-rank.ts). */
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
  private readonly ownedSet: Set<string>;
  private readonly owner = new Map<string, number>();
  private readonly exchange: Exchange | null;

  private constructor(
    readonly gpu: Gpu,
    readonly init: RankInit,
    readonly model: Qwen3Model,
    readonly optimizer: AdamW,
    private readonly log: (line: string) => void,
  ) {
    init.owned.forEach((names, r) => names.forEach((n) => this.owner.set(n, r)));
    this.ownedSet = new Set(init.owned[init.rank]);
    this.exchange = init.exchangeDir ? new Exchange(init.exchangeDir) : null;
    if (init.world > 1 && !this.exchange) throw new Error(`rank ${init.rank} of ${init.world}: no exchange directory`);
  }

  /** `log`: progress lines of long work (checkpoints). */
  static async create(gpu: Gpu, init: RankInit, log: (line: string) => void = () => {}): Promise<Rank> {
    if (init.owned.length !== init.world) throw new Error(`rank ${init.rank}: ownership lists ${init.owned.length} ranks, world is ${init.world}`);
    if (init.variants) setVariants(gpu, init.variants);
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
    if (this.exchange) {
      for (const [name, g] of this.model.grads) if (!this.ownedSet.has(name)) await publish(this.gpu, this.exchange, 'grad', this.init.rank, name, g);
    } else {
      await this.gpu.sync();
    }
    return stats;
  }

  async reduce(): Promise<number> {
    const grads = this.ownedGrads();
    const { rank, world } = this.init;
    if (this.exchange) {
      for (const [name, g] of grads) {
        await sumInto(this.gpu, this.exchange, name, g, rank, world);
        for (let r = 0; r < world; r++) if (r !== rank) await this.exchange.remove('grad', r, name); // host memory back now
      }
    }
    return this.optimizer.sumSquares(grads);
  }

  async apply(norm: number, lr?: number): Promise<StepInfo> {
    const info = this.optimizer.apply(this.ownedGrads(), norm, lr);
    if (this.exchange) {
      for (const name of this.init.owned[this.init.rank]!) await publish(this.gpu, this.exchange, 'weight', this.init.rank, name, this.model.weights.byName.get(name)!);
    } else {
      await this.gpu.sync();
    }
    return info;
  }

  async gather(): Promise<void> {
    if (!this.exchange) return;
    for (const [name, w] of this.model.weights.byName) if (!this.ownedSet.has(name)) await readInto(this.gpu, this.exchange, 'weight', this.owner.get(name)!, name, w);
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
