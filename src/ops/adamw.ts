// AdamW on f32 master weights (torch.optim.AdamW semantics, as src/ops/ref/adamw.ts), in place on
// master/m/v, optionally writing the bf16 compute copy from the updated master in the same pass.
// Tensors larger than one storage binding (Qwen3-14B's f32 lm_head master is 3.1 GB) are updated in
// element chunks whose byte offsets are aligned for every dtype involved.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { variantFor } from '../gpu/variants.js';

// The hyperparameters are the reference's: one definition for both.
import type { AdamWHyper } from './ref/adamw.js';
export type { AdamWHyper };

export interface AdamWParam {
  master: Tensor;
  m: Tensor;
  v: Tensor;
  grad: Tensor;
  weightOut: Tensor | null;
}

export interface ChunkOpts {
  /** Cap on one binding's bytes (defaults to the device's); tests pass small values to exercise chunking. */
  maxBindingBytes?: number;
  /** Kernel form: 'cpu' (kernels/adamw-cpu.wgsl, where every chunk is whole groups of 4 elements)
   *  or 'portable'; default: the device's optimizer variant (src/gpu/variants.ts). */
  variant?: 'portable' | 'cpu';
}

/** Element groups (of 4) per invocation of the CPU forms. */
const CPU_PER = 16;
function cpuDef(gpu: Gpu, entry: string): KernelDef {
  return { name: `adamw_${entry}_cpu`, file: 'adamw-cpu.wgsl', entry, consts: { LANES: gpu.cpuLanes, PER: CPU_PER }, params: PARAMS };
}

const PARAMS = {
  n: 'u32', lr: 'f32', beta1: 'f32', beta2: 'f32', omb1: 'f32', omb2: 'f32', eps: 'f32', wd: 'f32', bc1: 'f32', bc2: 'f32', gscale: 'f32',
} as const;

function def(entry: string): KernelDef {
  return { name: `adamw_${entry}`, file: 'adamw.wgsl', entry, params: PARAMS };
}
const DEFS = {
  f32: def('step_f32'),
  f32_out: def('step_f32_out'),
  bf16: def('step_bf16'),
  bf16_out: def('step_bf16_out'),
};

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Elements per chunk of elementChunks: f32 within `maxBytes`, starts aligned for f32 and bf16. */
export function elementsPerChunk(maxBytes: number, align: number): number {
  const g4 = align / gcd(4, align);
  const g2 = align / gcd(2, align);
  const gran = (g4 * g2) / gcd(g4, g2);
  const per = Math.floor(Math.floor(maxBytes / 4) / gran) * gran;
  if (per < 1) throw new Error(`elementChunks: a binding of ${maxBytes} bytes cannot hold ${gran} aligned f32 elements`);
  return per;
}

/** Split n elements into chunks that fit one binding as f32 (the widest dtype here) and whose start
 *  offsets are aligned both as f32 (4 bytes/element) and as bf16 (2 bytes/element). */
export function elementChunks(gpu: Gpu, n: number, maxBytes = gpu.maxBinding): { e0: number; n: number }[] {
  const per = elementsPerChunk(maxBytes, gpu.limits.minStorageBufferOffsetAlignment);
  const out: { e0: number; n: number }[] = [];
  for (let e0 = 0; e0 < n; e0 += per) out.push({ e0, n: Math.min(per, n - e0) });
  return out;
}

/** Byte range of elements [e0, e0+n) of a tensor, padded to whole u32 words (bf16 tails). */
export function elementRange(t: Tensor, e0: number, n: number): GPUBufferBinding {
  const bytes = t.dtype === 'bf16' || t.dtype === 'f16' ? 2 : 4;
  const offset = e0 * bytes;
  return t.range(offset, Math.min(Math.ceil((n * bytes) / 4) * 4, t.byteSize - offset));
}

/** One AdamW step t >= 1 on one parameter; grad is multiplied by gradScale first (clipping). */
export function adamwStep(gpu: Gpu, p: AdamWParam, hyper: AdamWHyper, step: number, gradScale: number, opts: ChunkOpts = {}): void {
  const { master, m, v, grad, weightOut } = p;
  const what = `adamwStep(${master.describe()})`;
  if (!Number.isInteger(step) || step < 1) throw new Error(`${what}: step must be an integer >= 1, got ${step}`);
  if (!Number.isFinite(gradScale)) throw new Error(`${what}: gradScale ${gradScale} is not finite`);
  for (const [name, t] of [['master', master], ['m', m], ['v', v]] as const) {
    if (t.dtype !== 'f32') throw new Error(`${what}: ${name} ${t.describe()} must be f32`);
    if (t.numel !== master.numel) throw new Error(`${what}: ${name} ${t.describe()} has ${t.numel} elements, master has ${master.numel}`);
  }
  if (grad.dtype !== 'f32' && grad.dtype !== 'bf16') throw new Error(`${what}: grad ${grad.describe()} must be f32 or bf16`);
  if (grad.numel !== master.numel) throw new Error(`${what}: grad ${grad.describe()} has ${grad.numel} elements, master has ${master.numel}`);
  if (weightOut && (weightOut.dtype !== 'bf16' || weightOut.numel !== master.numel)) {
    throw new Error(`${what}: weightOut ${weightOut.describe()} must be bf16 with ${master.numel} elements`);
  }
  for (const [k, x] of Object.entries(hyper)) if (!Number.isFinite(x)) throw new Error(`${what}: hyperparameter ${k} = ${x}`);
  const kernel = DEFS[`${grad.dtype === 'bf16' ? 'bf16' : 'f32'}${weightOut ? '_out' : ''}` as keyof typeof DEFS];
  const params = {
    lr: hyper.lr,
    beta1: hyper.beta1,
    beta2: hyper.beta2,
    omb1: 1 - hyper.beta1,
    omb2: 1 - hyper.beta2,
    eps: hyper.eps,
    wd: hyper.weightDecay,
    bc1: 1 - Math.pow(hyper.beta1, step),
    bc2: 1 - Math.pow(hyper.beta2, step),
    gscale: gradScale,
  };
  const chunks = elementChunks(gpu, master.numel, opts.maxBindingBytes);
  const cpu = (opts.variant ?? variantFor(gpu, 'optimizer')) === 'cpu' && chunks.every((c) => c.n % 4 === 0);
  const entry = kernel.entry!;
  for (const c of chunks) {
    const bindings = [elementRange(master, c.e0, c.n), elementRange(m, c.e0, c.n), elementRange(v, c.e0, c.n), elementRange(grad, c.e0, c.n)];
    if (weightOut) bindings.push(elementRange(weightOut, c.e0, c.n));
    if (cpu) gpu.dispatch(cpuDef(gpu, entry), { params: { n: c.n, ...params }, bindings, workgroups: Math.ceil(c.n / (4 * gpu.cpuLanes * CPU_PER)) });
    else gpu.dispatch(kernel, { params: { n: c.n, ...params }, bindings, workgroups: Math.ceil(c.n / 512) });
  }
}
