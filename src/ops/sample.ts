// Next-token sampling on the GPU (kernels/sample.wgsl; algorithm and semantics in
// src/ops/ref/sample.ts): f32 logits [B, V] stay on the device and 16 bytes per row come back
// (token, log mu, model logprob, status) instead of V floats (39 MB per decode step at B = 64,
// V = 151936, which dominated a decode step on the H200 when sampling ran on the host).
// On a CPU adapter (the device's sample variant 'cpu', src/gpu/variants.ts) kernels/sample-cpu.wgsl
// runs instead: a workgroup of one SIMD vector per row, the portable kernel's sums in the portable
// order, so the same tokens and logprobs bit for bit.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { variantFor } from '../gpu/variants.js';
import type { Sampled, SamplingParams } from './sampling.js';

const KERNEL: KernelDef = { name: 'sample', file: 'sample.wgsl', entry: 'sample', params: { V: 'u32', lo_bits: 'u32', row0: 'u32' } };

export interface SampleRow {
  params: SamplingParams;
  /** The sequence's RNG seed (u32) and how many tokens it has sampled before: a draw depends on
   *  nothing else, so batching does not change results. */
  seed: number;
  step: number;
}

export interface SampleOpts {
  /** Tests: a small binding cap, so rows are bound in chunks. */
  maxBindingBytes?: number;
  /** 'cpu': kernels/sample-cpu.wgsl (one SIMD vector per row); 'portable': kernels/sample.wgsl
   *  (256 threads per row). Default: the device's sample variant. */
  variant?: 'portable' | 'cpu';
}

/** Whether the CPU-shaped kernel runs: asked for (or the device's choice), and the device has
 *  subgroups (its draw skips groups of tokens by a subgroup vote). */
export function cpuSample(gpu: Gpu, opts: SampleOpts = {}): boolean {
  return (opts.variant ?? variantFor(gpu, 'sample')) === 'cpu' && gpu.features.subgroups;
}

/** The CPU-shaped kernel: LANES invocations (which must divide 64), vec4 loads when every row
 *  starts on a vec4 (V % 4 == 0). */
function cpuKernel(gpu: Gpu, V: number): KernelDef {
  const lanes = 64 % gpu.cpuLanes === 0 ? gpu.cpuLanes : 8;
  const vec = V % 4 === 0;
  return {
    name: 'sample_cpu',
    file: 'sample-cpu.wgsl',
    entry: 'sample',
    consts: {
      LANES: lanes,
      L_T: vec ? 'vec4<f32>' : 'f32',
      LD4: vec ? 'logits[e >> 2u]' : 'vec4<f32>(logits[e], logits[e + 1u], logits[e + 2u], logits[e + 3u])',
      LD1: vec ? 'logits[e >> 2u][e & 3u]' : 'logits[e]',
    },
    params: KERNEL.params,
  };
}

const NOISE: KernelDef = { name: 'sample_noise', file: 'sample.wgsl', entry: 'noise', params: KERNEL.params };

const ROW_WORDS = 5;
const OUT_WORDS = 4;

/** Bits needed for token indices 0..V-1 (the index half of the ranking key). */
function indexBits(V: number): number {
  return V <= 1 ? 0 : 32 - Math.clz32(V - 1);
}

/** The per-row parameter words the kernel reads (1/T and top-p as f32 bits). */
export function encodeRows(rows: readonly SampleRow[]): Uint32Array {
  const words = new Uint32Array(rows.length * ROW_WORDS);
  const f = new Float32Array(words.buffer);
  rows.forEach((r, i) => {
    const o = i * ROW_WORDS;
    f[o] = r.params.temperature === 0 ? 0 : 1 / r.params.temperature;
    words[o + 1] = r.params.topK;
    f[o + 2] = r.params.topP;
    words[o + 3] = r.seed >>> 0;
    words[o + 4] = r.step >>> 0;
  });
  return words;
}

/** Records the sampling of every row of `logits` [B, V] f32 into out [B, 4] u32 (no readback). */
export function recordSample(gpu: Gpu, logits: Tensor, rows: Tensor, out: Tensor, opts: SampleOpts = {}): void {
  const [B, V] = logits.shape as [number, number];
  if (logits.dtype !== 'f32' || logits.shape.length !== 2) throw new Error(`sample: logits ${logits.describe()} must be f32 [B, V]`);
  if (rows.dtype !== 'u32' || rows.numel !== B * ROW_WORDS) throw new Error(`sample: rows ${rows.describe()} must be u32 [${B * ROW_WORDS}]`);
  if (out.dtype !== 'u32' || out.numel !== B * OUT_WORDS) throw new Error(`sample: out ${out.describe()} must be u32 [${B}, ${OUT_WORDS}]`);
  const def = cpuSample(gpu, opts) ? cpuKernel(gpu, V) : KERNEL;
  for (const c of gpu.rowChunks(B, V * 4, opts.maxBindingBytes)) {
    gpu.dispatch(def, {
      params: { V, lo_bits: indexBits(V), row0: c.row0 },
      bindings: [logits.range(c.offset, c.size), rows, out],
      workgroups: [c.rows, 1, 1],
    });
  }
}

/** Samples one token per row of `logits` [B, V] on the GPU. Throws naming the row on NaN or
 *  non-finite logits. */
export async function sampleRows(gpu: Gpu, logits: Tensor, rows: readonly SampleRow[], opts: SampleOpts = {}): Promise<Sampled[]> {
  const B = logits.shape[0]!;
  if (rows.length !== B) throw new Error(`sample: ${rows.length} row parameters for ${logits.describe()}`);
  if (B === 0) return [];
  const rowsT = gpu.upload(encodeRows(rows), [B * ROW_WORDS], 'u32', 'sample.rows');
  const out = gpu.empty([B, OUT_WORDS], 'u32', 'sample.out');
  try {
    recordSample(gpu, logits, rowsT, out, opts);
    const words = (await gpu.read(out)) as Uint32Array;
    const f = new Float32Array(words.buffer, words.byteOffset, words.length);
    return rows.map((_, b) => {
      const o = b * OUT_WORDS;
      const status = words[o + 3]!;
      if (status === 1) throw new Error(`sample: row ${b}: logits[${words[o]}] is NaN`);
      if (status === 2) throw new Error(`sample: row ${b}: the largest logit is not finite`);
      return { token: words[o]!, logprob: f[o + 1]!, modelLogprob: f[o + 2]! };
    });
  } finally {
    rowsT.destroy();
    out.destroy();
  }
}

/** The Gumbel noise the draw adds to tokens 0..V-1 for one row's (seed, step): a probe for tests
 *  of the kernel's noise against src/ops/ref/sample.ts. */
export async function sampleNoise(gpu: Gpu, row: SampleRow, V: number): Promise<Float32Array> {
  const rowsT = gpu.upload(encodeRows([row]), [ROW_WORDS], 'u32', 'sample.rows');
  const out = gpu.empty([V], 'f32', 'sample.noise');
  try {
    gpu.dispatch(NOISE, { params: { V, lo_bits: indexBits(V), row0: 0 }, bindings: [out, rowsT], workgroups: [Math.ceil(V / 256), 1, 1] });
    return await gpu.readF32(out);
  } finally {
    rowsT.destroy();
    out.destroy();
  }
}

/** The smallest margin (bound minus noise) of the CPU-shaped kernel's skip rule over all 2^23
 *  uniforms its draw can use, per block of 1024 (a probe for tests: every value must be >= 0). */
export async function sampleBoundMargins(gpu: Gpu): Promise<Float32Array> {
  const n = 2 ** 23 / 1024;
  const out = gpu.empty([n], 'f32', 'sample.margin');
  try {
    gpu.dispatch({ ...cpuKernel(gpu, 4), name: 'sample_bound_margin_cpu', entry: 'bound_margin' }, { params: { V: 0x1a5, lo_bits: 0, row0: 0 }, bindings: [out], workgroups: [n / 64, 1, 1] });
    return await gpu.readF32(out);
  } finally {
    out.destroy();
  }
}
