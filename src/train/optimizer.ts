// AdamW over a model's weights on one device (the sharded form across devices builds on this):
// f32 master copies and moments per weight, clip-by-global-norm (one readback per step: the norm is
// also what a run logs), the bf16 compute weights rewritten from the masters in the same pass
// (kernels/adamw.wgsl). Its state (masters, moments, step) saves to and loads from a directory
// (safetensors + state.json, written under a temporary name and renamed), so a crashed run resumes
// with bit-identical updates.
// **(choice)** No weight decay on norm weights (names ending in "norm.weight"), as is usual for
// RMSNorm gains; every other weight decays. Override with `noDecay`.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic } from '../io/atomic.js';
import { z } from 'zod';
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { viewAs } from '../io/dtype.js';
import { ShardedSafetensors, type TensorSource, writeShardedSafetensors } from '../io/safetensors/index.js';
import { deviceBytes } from '../model/save.js';
import { adamwStep, type AdamWHyper } from '../ops/adamw.js';
import { cast } from '../ops/cast.js';
import { clipScale, globalGradNorm } from '../ops/grad-norm.js';

export const OptimizerConfig = z.object({
  lr: z.number().positive(),
  beta1: z.number().min(0).lt(1).default(0.9),
  beta2: z.number().min(0).lt(1).default(0.999),
  eps: z.number().positive().default(1e-8),
  weightDecay: z.number().min(0).default(0),
  maxGradNorm: z.number().positive().default(1),
});
export type OptimizerConfig = z.infer<typeof OptimizerConfig>;

const StateFile = z.object({ format: z.literal('rlvr-adamw-v1'), step: z.number().int().nonnegative(), names: z.array(z.string()) });

interface Slot {
  weight: Tensor;
  master: Tensor;
  m: Tensor;
  v: Tensor;
}

export interface StepInfo {
  step: number;
  gradNorm: number;
  clipScale: number;
}

export class AdamW {
  private slots = new Map<string, Slot>();
  private t = 0;
  readonly config: OptimizerConfig;

  /** Masters start as the weights' bf16 values; moments at zero. */
  constructor(
    readonly gpu: Gpu,
    weights: ReadonlyMap<string, Tensor>,
    config: z.input<typeof OptimizerConfig>,
    private readonly noDecay: (name: string) => boolean = (n) => n.endsWith('norm.weight'),
  ) {
    this.config = OptimizerConfig.parse(config);
    for (const [name, w] of weights) {
      if (w.dtype !== 'bf16') throw new Error(`AdamW: weight ${w.describe()} must be bf16`);
      const slot = {
        weight: w,
        master: gpu.empty(w.shape, 'f32', `master.${name}`),
        m: gpu.empty(w.shape, 'f32', `adam_m.${name}`),
        v: gpu.empty(w.shape, 'f32', `adam_v.${name}`),
      };
      cast(gpu, w, slot.master);
      this.slots.set(name, slot);
    }
  }

  /** Steps taken so far. */
  get step(): number {
    return this.t;
  }

  /** Forgets the gradient history: moments to zero and the step count (bias correction) to 0; the
   *  weights and their f32 masters stay. Between training phases (the supervised warm start, then
   *  RL): the NLL gradients' second moments would otherwise shrink the first RL updates for
   *  ~1/(1 - beta2) steps. */
  resetMoments(): void {
    for (const s of this.slots.values()) {
      this.gpu.zero(s.m);
      this.gpu.zero(s.v);
    }
    this.t = 0;
  }

  /** The f32 master copy of a weight (tests, checkpoints). */
  master(name: string): Tensor {
    const s = this.slots.get(name);
    if (!s) throw new Error(`AdamW: no weight ${name}`);
    return s.master;
  }

  /** One update from `grads` (same names as the weights; f32 or bf16). Throws, changing nothing,
   *  when a gradient is missing or the gradient norm is not finite. */
  async update(grads: ReadonlyMap<string, Tensor>, lr = this.config.lr): Promise<StepInfo> {
    const norm = Math.sqrt(await this.sumSquares(grads));
    return this.apply(grads, norm, lr);
  }

  /** Sum of squares of `grads` (this optimizer's weights exactly), one GPU reduction and one
   *  readback: a sharded step adds these over the ranks for the global norm. */
  async sumSquares(grads: ReadonlyMap<string, Tensor>): Promise<number> {
    this.checkGrads(grads);
    if (grads.size === 0) return 0;
    const n = await globalGradNorm(this.gpu, [...grads.values()]);
    return n * n;
  }

  /** The update with a given global gradient norm (clip factor from it; throws, changing nothing,
   *  when it is not finite). */
  apply(grads: ReadonlyMap<string, Tensor>, norm: number, lr = this.config.lr): StepInfo {
    this.checkGrads(grads);
    const scale = clipScale(norm, this.config.maxGradNorm); // throws on a non-finite norm
    this.t += 1;
    const c = this.config;
    for (const [name, s] of this.slots) {
      const hyper: AdamWHyper = { lr, beta1: c.beta1, beta2: c.beta2, eps: c.eps, weightDecay: this.noDecay(name) ? 0 : c.weightDecay };
      adamwStep(this.gpu, { master: s.master, m: s.m, v: s.v, grad: grads.get(name)!, weightOut: s.weight }, hyper, this.t, scale);
    }
    return { step: this.t, gradNorm: norm, clipScale: scale };
  }

  private checkGrads(grads: ReadonlyMap<string, Tensor>): void {
    for (const name of this.slots.keys()) if (!grads.has(name)) throw new Error(`AdamW: no gradient for ${name}`);
    for (const name of grads.keys()) if (!this.slots.has(name)) throw new Error(`AdamW: gradient ${name} has no weight`);
  }

  /** Writes masters, moments and the step count to `dir` (replacing it whole, atomically). */
  async save(dir: string, onProgress?: (done: number, total: number) => void): Promise<void> {
    const sources: TensorSource[] = [];
    const total = [...this.slots.values()].reduce((a, s) => a + 12 * s.master.numel, 0);
    let done = 0;
    for (const [name, s] of this.slots) {
      for (const [kind, t] of [['master', s.master], ['m', s.m], ['v', s.v]] as const) {
        const gpu = this.gpu;
        sources.push({
          name: `${kind}/${name}`,
          dtype: 'F32',
          shape: t.shape,
          data: async function* () {
            yield* deviceBytes(gpu, t, 4 * t.numel, 64 << 20);
            done += 4 * t.numel;
            onProgress?.(done, total);
          },
        });
      }
    }
    await writeDirAtomic(
      dir,
      async (tmp) => {
        await writeShardedSafetensors(tmp, sources, { maxShardBytes: 4e9 });
        await writeFile(join(tmp, 'state.json'), JSON.stringify({ format: 'rlvr-adamw-v1', step: this.t, names: [...this.slots.keys()] }, null, 1) + '\n');
      },
      { overwrite: true },
    );
  }

  /** Restores what save() wrote, from one directory or from the shards of a sharded run (one
   *  directory per rank, src/train/rank-group.ts): every weight of this optimizer must be in one of them, all at
   *  the same step. The bf16 weights are rewritten from the restored masters. */
  async load(dirs: string | readonly string[]): Promise<void> {
    const list = typeof dirs === 'string' ? [dirs] : dirs;
    if (list.length === 0) throw new Error('AdamW.load: no state directory given');
    const where = new Map<string, string>();
    let step: number | null = null;
    for (const dir of list) {
      let state: z.infer<typeof StateFile>;
      try {
        state = StateFile.parse(JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')));
      } catch (e) {
        throw new Error(`AdamW.load: ${join(dir, 'state.json')}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      }
      if (step !== null && state.step !== step) throw new Error(`AdamW.load: ${dir} is at step ${state.step}, ${list[0]} at step ${step}: shards of different checkpoints`);
      step = state.step;
      for (const n of state.names) where.set(n, dir);
    }
    const missing = [...this.slots.keys()].filter((n) => !where.has(n));
    if (missing.length) throw new Error(`AdamW.load: ${list.join(', ')} hold(s) no state for ${missing.length} of this optimizer's ${this.slots.size} weights (first: ${missing[0]})`);
    const open = new Map<string, ShardedSafetensors>();
    try {
      for (const [name, s] of this.slots) {
        const dir = where.get(name)!;
        if (!open.has(dir)) open.set(dir, await ShardedSafetensors.open(dir));
        const ck = open.get(dir)!;
        for (const [kind, t] of [['master', s.master], ['m', s.m], ['v', s.v]] as const) {
          const key = `${kind}/${name}`;
          const info = await ck.info(key);
          if (info.dtype !== 'F32' || info.shape.join(',') !== t.shape.join(',')) throw new Error(`AdamW.load: ${dir}: ${key} is ${info.dtype} [${info.shape.join(', ')}], expected F32 [${t.shape.join(', ')}]`);
          const bytes = await ck.read(key);
          this.gpu.write(t, viewAs(Float32Array, bytes));
        }
        cast(this.gpu, s.master, s.weight);
      }
    } finally {
      for (const ck of open.values()) await ck.close();
    }
    this.t = step!;
    await this.gpu.sync();
  }

  destroy(): void {
    this.gpu.flush();
    for (const s of this.slots.values()) for (const t of [s.master, s.m, s.v]) t.destroy();
    this.slots.clear();
  }
}
