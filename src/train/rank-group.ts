// The coordinator's view of a sharded training run: rank 0 in this process (its model also serves
// the embedded sampler), ranks 1..n-1 in their own processes (src/train/rank-worker.ts), each on its
// own device (src/parallel/devices.ts). A step runs the phases of src/train/rank.ts on every rank,
// each phase starting once every rank finished the previous one; a failure on any rank fails the
// step with that rank's error after the others have stopped (the run then resumes from its last
// checkpoint: latest.json only moves after a complete save).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import type { DeviceVariants } from '../gpu/variants.js';
import { loadQwen3Config, qwen3Tensors } from '../model/config.js';
import type { ModelOptions, Qwen3Model } from '../model/qwen3.js';
import type { TrainPass } from './batch.js';
import type { OptimizerConfig, StepInfo } from './optimizer.js';
import { addPassStats, noPassStats, type LossConfig, type PassStats } from './passes.js';
import { clearExchange, makeExchangeDir, removeExchangeDir, removeStaleExchangeDirs } from '../parallel/exchange.js';
import { planDevices } from '../parallel/devices.js';
import { Rank, optimizerShardDir, type KernelTuning, type RankApi } from './rank.js';
import { RemoteRank } from './remote-rank.js';
import { assignPasses, planShards, type ShardPlan } from '../parallel/shard-plan.js';
import type { z } from 'zod';

export interface GroupOptions {
  /** Device indices, one rank each; rank 0 runs on `gpu` in this process. */
  devices: number[];
  gpu: Gpu;
  modelDir: string;
  /** Optimizer state directory of a checkpoint to resume from (single or sharded layout). */
  optimizerDir: string | null;
  optimizer: z.input<typeof OptimizerConfig>;
  modelOptions?: ModelOptions;
  /** Kernel variants for every rank's device (the run config's kernels.variants). */
  variants?: Partial<DeviceVariants>;
  /** Each rank's kernel tuner (none: the device's variants as they are). */
  tune?: KernelTuning;
  log?: (line: string) => void;
  /** A rank process that does not answer a call within this long fails the step (default 30 min). */
  rankTimeoutMs?: number;
  /** Device plan (default: planDevices(devices)); tests pass their own. */
  deviceEnv?: Record<string, string>[];
}

export interface GroupStep extends PassStats, StepInfo {
  /** Passes per rank. */
  passesPerRank: number[];
  /** Wall-clock seconds of each phase (the slowest rank's). */
  phaseSeconds: { backward: number; reduce: number; apply: number; gather: number };
}

/** The state directories a checkpoint's optimizer/ holds: itself (one device) or its rank shards. */
export function optimizerStateDirs(dir: string): string[] {
  if (existsSync(join(dir, 'state.json'))) return [dir];
  const shards = existsSync(dir) ? readdirSync(dir).filter((d) => /^rank-\d+-of-\d+$/.test(d)).sort() : [];
  if (shards.length === 0) throw new Error(`${dir}: no optimizer state (neither state.json nor rank-*-of-* shards)`);
  return shards.map((d) => join(dir, d));
}

/** Waits for every rank, then throws the first failure (naming its rank). */
async function all<T>(what: string, ps: Promise<T>[]): Promise<T[]> {
  const rs = await Promise.allSettled(ps);
  const bad = rs.findIndex((r) => r.status === 'rejected');
  if (bad >= 0) {
    const e = (rs[bad] as PromiseRejectedResult).reason;
    const msg = e instanceof Error ? e.message : String(e);
    throw new Error(`${what} failed on rank ${bad}: ${msg.startsWith(`rank ${bad}`) ? msg.replace(/^rank \d+:?\s*/, '') : msg}`);
  }
  return rs.map((r) => (r as PromiseFulfilledResult<T>).value);
}

export class RankGroup {
  private constructor(
    readonly ranks: RankApi[],
    readonly local: Rank,
    readonly plan: ShardPlan,
    readonly descriptions: string[],
    /** Shared host-memory directory of the collectives (world > 1). */
    readonly exchangeDir: string | null,
  ) {}

  get world(): number {
    return this.ranks.length;
  }

  /** Rank 0's model: the weights every rank holds after each step. */
  get model(): Qwen3Model {
    return this.local.model;
  }

  static async start(o: GroupOptions): Promise<RankGroup> {
    const log = o.log ?? (() => {});
    const world = o.devices.length;
    const env = o.deviceEnv ?? planDevices(o.devices).env;
    const config = await loadQwen3Config(join(o.modelDir, 'config.json'));
    const tensors = qwen3Tensors(config).map((t) => ({ name: t.name, numel: t.shape.reduce((a, b) => a * b, 1) }));
    const plan = planShards(tensors, world);
    // Exchange room at its fullest: all ranks' gradients of the tensors they do not own ((world - 1)
    // copies of the gradients in all) plus every weight once.
    const gradBytes = o.modelOptions?.gradDtype === 'bf16' ? 2 : 4;
    if (world > 1) removeStaleExchangeDirs(undefined, log);
    const exchangeDir = world > 1 ? makeExchangeDir(tensors.reduce((a, t) => a + t.numel, 0) * (gradBytes * (world - 1) + 2)) : null;
    const optimizerDirs = o.optimizerDir ? optimizerStateDirs(o.optimizerDir) : null;
    const init = (rank: number) => ({ rank, world, modelDir: o.modelDir, optimizerDirs, optimizer: o.optimizer, owned: plan.owned, exchangeDir, modelOptions: o.modelOptions, variants: o.variants, tune: o.tune });
    if (world > 1) log(`sharded over ${world} ranks: ${plan.load.map((n, r) => `rank ${r} owns ${plan.owned[r]!.length} tensors (${n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : `${(n / 1e3).toFixed(1)}k`} params)`).join(', ')}; exchange in ${exchangeDir}`);
    const started = await Promise.allSettled([
      Rank.create(o.gpu, init(0), log).then((r) => ({ rank: r as RankApi, description: `rank 0/${world} on ${o.gpu.describe()}` })),
      ...Array.from({ length: world - 1 }, (_, i) => RemoteRank.spawn(init(i + 1), env[i + 1] ?? {}, o.rankTimeoutMs)),
    ]);
    const failed = started.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) {
      for (const s of started) if (s.status === 'fulfilled') await s.value.rank.close();
      if (exchangeDir) removeExchangeDir(exchangeDir);
      const e = (started[failed] as PromiseRejectedResult).reason;
      throw new Error(`starting rank ${failed} (device ${o.devices[failed]}) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    const ok = started.map((s) => (s as PromiseFulfilledResult<{ rank: RankApi; description: string }>).value);
    for (const s of ok) log(s.description);
    return new RankGroup(ok.map((s) => s.rank), ok[0]!.rank as Rank, plan, ok.map((s) => s.description), exchangeDir);
  }

  /** One optimizer step over `passes` (normalised by the step's N loss tokens). */
  async step(passes: readonly TrainPass[], N: number, loss: LossConfig, lr?: number): Promise<GroupStep> {
    const parts = assignPasses(passes, this.world);
    const t = [performance.now()];
    const stats = await all('backward', this.ranks.map((r, i) => r.backward(parts[i]!, N, loss)));
    t.push(performance.now());
    const sumsq = await all('gradient reduce', this.ranks.map((r) => r.reduce()));
    t.push(performance.now());
    const norm = Math.sqrt(sumsq.reduce((a, b) => a + b, 0));
    const infos = await all('optimizer update', this.ranks.map((r) => r.apply(norm, lr)));
    t.push(performance.now());
    await all('weight gather', this.ranks.map((r) => r.gather()));
    if (this.exchangeDir) clearExchange(this.exchangeDir, 'weight'); // host memory back until the next step
    t.push(performance.now());
    const sec = (i: number): number => (t[i + 1]! - t[i]!) / 1000;
    return {
      ...stats.reduce(addPassStats, noPassStats()),
      ...infos[0]!,
      passesPerRank: parts.map((p) => p.length),
      phaseSeconds: { backward: sec(0), reduce: sec(1), apply: sec(2), gather: sec(3) },
    };
  }

  /** A fresh gradient history on every rank (AdamW.resetMoments). */
  async resetOptimizer(): Promise<void> {
    await all('optimizer reset', this.ranks.map((r) => r.resetOptimizer()));
  }

  /** Model (rank 0) to `dir`/model, each rank's optimizer state under `dir`/optimizer. */
  async save(dir: string, copyFrom: string): Promise<void> {
    const opt = join(dir, 'optimizer');
    // A leftover of an interrupted save of this step (never the checkpoint latest.json names),
    // perhaps with another rank count: its files must not mix with these.
    rmSync(opt, { recursive: true, force: true });
    await all('checkpoint save', this.ranks.map((r, i) => r.save(optimizerShardDir(opt, i, this.world), i === 0 ? join(dir, 'model') : null, copyFrom)));
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.ranks.map((r) => r.close()));
    if (this.exchangeDir) removeExchangeDir(this.exchangeDir);
  }
}
