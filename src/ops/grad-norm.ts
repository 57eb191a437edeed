// Global gradient norm sqrt(sum of squares over every gradient) on the GPU with one readback, and
// the clip-by-global-norm factor (torch.nn.utils.clip_grad_norm_: max_norm / (norm + 1e-6), capped
// at 1), as src/ops/ref/adamw.ts. The factor is applied inside adamwStep (gradScale).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { elementChunks, elementRange, type ChunkOpts } from './adamw.js';
import { variantFor } from '../gpu/variants.js';

const P = { n: 'u32', base: 'u32' } as const;
const SUMSQ_F32: KernelDef = { name: 'sumsq_f32', file: 'reduce-sumsq.wgsl', entry: 'sumsq_f32', params: P };
const SUMSQ_BF16: KernelDef = { name: 'sumsq_bf16', file: 'reduce-sumsq.wgsl', entry: 'sumsq_bf16', params: P };
const SUM: KernelDef = { name: 'sum_partials', file: 'reduce-sumsq.wgsl', entry: 'sum_partials', params: P };
/** CPU forms (kernels/reduce-sumsq-cpu.wgsl): chunks of whole vec4 words (f32: 4, bf16: 8 elements). */
function cpuDef(gpu: Gpu, bf16: boolean): KernelDef {
  const entry = bf16 ? 'sumsq_bf16' : 'sumsq_f32';
  return { name: `${entry}_cpu`, file: 'reduce-sumsq-cpu.wgsl', entry, consts: { LANES: gpu.cpuLanes }, params: P };
}

/** Workgroups per tensor chunk: enough to fill a large GPU, few enough that the partials stay small.
 *  (512 gave 917 GB/s on a 5120x17408 f32 tensor on the H200, copy ceiling 3864: too few in flight.) */
const MAX_WG = 2048;
const ELEMS_PER_WG = 4096;

/** The partial sums' arena purpose (src/gpu/arena.ts). */
export const GRAD_NORM_PARTIALS = 'grad-norm.partials';

/** Workgroups (partial sums) of one tensor of n elements, given its binding-sized chunks. */
const chunkWorkgroups = (n: number): number => Math.min(MAX_WG, Math.ceil(n / ELEMS_PER_WG));

/** Bytes of the partial sums for tensors of `numels` elements, each cut into chunks of at most
 *  `perChunk` elements (adamw.ts elementChunks): for the memory plan. */
export function sumSquaresPartialBytes(numels: readonly number[], perChunk: number): number {
  let wg = 0;
  for (const n of numels) for (let e0 = 0; e0 < n; e0 += perChunk) wg += chunkWorkgroups(Math.min(perChunk, n - e0));
  return 4 * Math.max(1, wg);
}

/** Records the sum of squares of all `grads` into out[0] (f32 [1]); no readback. */
export function sumSquares(gpu: Gpu, grads: Tensor[], out: Tensor, opts: ChunkOpts = {}): void {
  if (out.dtype !== 'f32' || out.numel < 1) throw new Error(`sumSquares: out ${out.describe()} must be f32 with >= 1 element`);
  const plan: { t: Tensor; e0: number; n: number; wg: number; base: number }[] = [];
  let total = 0;
  for (const [i, t] of grads.entries()) {
    if (t.dtype !== 'f32' && t.dtype !== 'bf16') throw new Error(`globalGradNorm: grads[${i}] ${t.describe()} must be f32 or bf16`);
    for (const c of elementChunks(gpu, t.numel, opts.maxBindingBytes)) {
      const wg = chunkWorkgroups(c.n);
      plan.push({ t, e0: c.e0, n: c.n, wg, base: total });
      total += wg;
    }
  }
  if (total === 0) {
    gpu.zero(out);
    return;
  }
  const partials = gpu.scratch.acquire(GRAD_NORM_PARTIALS, [total], 'f32');
  const cpu = (opts.variant ?? variantFor(gpu, 'optimizer')) === 'cpu' && gpu.features.subgroups;
  for (const c of plan) {
    const bf16 = c.t.dtype === 'bf16';
    const whole = c.n % (bf16 ? 8 : 4) === 0;
    gpu.dispatch(cpu && whole ? cpuDef(gpu, bf16) : bf16 ? SUMSQ_BF16 : SUMSQ_F32, {
      params: { n: c.n, base: c.base },
      bindings: [elementRange(c.t, c.e0, c.n), partials],
      workgroups: [c.wg, 1, 1],
    });
  }
  gpu.dispatch(SUM, { params: { n: total, base: 0 }, bindings: [partials, out], workgroups: [1, 1, 1] });
}

/** sqrt(sum of squares) over every gradient tensor (f32 or bf16), computed on the GPU. */
export async function globalGradNorm(gpu: Gpu, grads: Tensor[], opts: ChunkOpts = {}): Promise<number> {
  const out = gpu.empty([1], 'f32', 'gradnorm-sumsq');
  try {
    sumSquares(gpu, grads, out, opts);
    const [ss] = await gpu.readF32(out);
    return Math.sqrt(ss!);
  } finally {
    out.destroy();
  }
}

/** Factor to multiply every gradient by: min(1, maxNorm / (norm + 1e-6)). */
export function clipScale(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) throw new Error(`clipScale: maxNorm must be > 0, got ${maxNorm}`);
  if (!Number.isFinite(norm)) throw new Error(`clipScale: gradient norm is ${norm} (non-finite gradients)`);
  return Math.min(1, maxNorm / (norm + 1e-6));
}
