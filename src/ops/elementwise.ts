// Helpers shared by the elementwise and row ops: per-tensor dtype constants for kernels that accept
// bf16 or f32 buffers (kernels/common/units.wgsl), row spans that keep every bound byte range under
// one storage binding (tensors may exceed it: chunk over rows), and the runner of flat elementwise
// kernels: a vec4 pass over whole 8-element units plus a pair-wise pass over the < 8-element tail.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { variantFor } from '../gpu/variants.js';

/** Options shared by ops that chunk big tensors; tests pass a small maxBindingBytes. */
export interface ChunkOpts {
  maxBindingBytes?: number;
}

/** The memory-bound ops' options: chunking, and which shape of kernel runs. */
export interface MemoryOpts extends ChunkOpts {
  /** 'cpu': workgroups of one SIMD vector, each invocation looping over many units (for CPU
   *  adapters, src/gpu/variants.ts); 'portable': 256 invocations of one unit each. Default: the
   *  device's memory variant. */
  variant?: 'portable' | 'cpu';
}

/** Whether the CPU-shaped form runs: asked for (or the device's choice). */
export function memoryCpu(gpu: Gpu, opts: MemoryOpts): boolean {
  return (opts.variant ?? variantFor(gpu, 'memory')) === 'cpu';
}

/** Units per invocation of the CPU-shaped flat kernels. On lavapipe every workgroup costs ~1 us
 *  and every load or store is a loop over the lanes: a long run per invocation amortises both
 *  (bench/results/2026-12-03-lavapipe: a vec4 copy at 8 x 64 or 8 x 256 per workgroup is 4-6x the
 *  one-unit-per-invocation kernel). Fewer where the tensor is small, so that both of a 2-core
 *  machine's threads get work. */
const CPU_PER = 64;
const CPU_MIN_WORKGROUPS = 8;

/** The flat kernels' shape: invocations per workgroup and units per invocation. */
export function flatShape(gpu: Gpu, units: number, opts: MemoryOpts): { wg: number; per: number } {
  if (!memoryCpu(gpu, opts)) return { wg: WG, per: 1 };
  const wg = gpu.cpuLanes;
  let per = CPU_PER;
  while (per > 4 && Math.ceil(units / (wg * per)) < CPU_MIN_WORKGROUPS) per /= 2;
  return { wg, per };
}

/** Kernel constants for a buffer that may be bf16 (packed u32) or f32 (see common/units.wgsl):
 *  `${p}_T` scalar type, `${p}_BF`, and for unit kernels `${p}_A` (array element: vec4 in the
 *  vectorised mode) and `${p}_W` (the swizzle that turns a vec4 word group into that element). */
export function dtConsts(prefix: string, t: Tensor, op: string, vec = false): Record<string, string | boolean> {
  if (t.dtype !== 'bf16' && t.dtype !== 'f32') throw new Error(`${op}: ${t.describe()} must be bf16 or f32`);
  const T = t.dtype === 'bf16' ? 'u32' : 'f32';
  return { [`${prefix}_T`]: T, [`${prefix}_BF`]: t.dtype === 'bf16', [`${prefix}_A`]: vec ? `vec4<${T}>` : T, [`${prefix}_W`]: vec ? '' : '.x' };
}

export interface RowSpan {
  row0: number;
  rows: number;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Split `rows` into spans such that, for every tensor with `rowBytes[k]` bytes per row, the span
 *  starts on the storage offset alignment and its bytes fit one binding. */
export function rowSpans(gpu: Gpu, rows: number, rowBytes: number[], maxBytes = gpu.maxBinding): RowSpan[] {
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  let step = 1;
  for (const rb of rowBytes) {
    const s = align / gcd(rb, align);
    step = (step * s) / gcd(step, s);
  }
  let per = Math.floor(maxBytes / Math.max(...rowBytes));
  per -= per % step;
  if (per < 1) throw new Error(`rows of ${Math.max(...rowBytes)} bytes cannot be chunked under one binding of ${maxBytes} bytes`);
  const out: RowSpan[] = [];
  for (let r = 0; r < rows; r += per) out.push({ row0: r, rows: Math.min(per, rows - r) });
  return out;
}

/** The byte range of rows [s.row0, s.row0 + s.rows) of `t` (rowBytes each), clipped to the tensor. */
export function spanOf(t: Tensor, s: RowSpan, rowBytes: number): GPUBufferBinding {
  const offset = s.row0 * rowBytes;
  return t.range(offset, Math.min(Math.ceil((s.rows * rowBytes) / 4) * 4, t.byteSize - offset));
}

/** Bytes per element of a bf16/f32 tensor. */
export const elemBytes = (t: Tensor): number => (t.dtype === 'bf16' ? 2 : 4);

const WG = 256;

/** Run a flat elementwise kernel over the first n elements of same-length tensors. `def(vec)` gives
 *  the kernel in vectorised (8-element units, vec4 arrays) or pair mode; its params are
 *  { n: elements in this binding, e0: first element to process }, its consts get WG (invocations
 *  per workgroup) and PER (units per invocation, WG apart) here: flatShape. Spans are whole
 *  8-element units so that every span but the last is vectorised entirely; the last one's tail
 *  (n % 8 elements) runs in pair mode over the same bindings. */
export function runFlat(gpu: Gpu, def: (vec: boolean) => KernelDef, ts: Tensor[], n: number, opts: MemoryOpts = {}): void {
  const unitBytes = ts.map((t) => 8 * elemBytes(t));
  const shaped = (vec: boolean, shape: { wg: number; per: number }): KernelDef => {
    const d = def(vec);
    return { ...d, name: shape.wg === WG ? d.name : `${d.name}_cpu`, consts: { ...d.consts, WG: shape.wg, PER: shape.per } };
  };
  for (const s of rowSpans(gpu, Math.ceil(n / 8), unitBytes, opts.maxBindingBytes)) {
    const len = Math.min(8 * s.rows, n - 8 * s.row0);
    const whole = Math.floor(len / 8);
    const bindings = ts.map((t, k) => spanOf(t, s, unitBytes[k]));
    if (whole > 0) {
      const shape = flatShape(gpu, whole, opts);
      gpu.dispatch(shaped(true, shape), { params: { n: 8 * whole, e0: 0 }, bindings, workgroups: Math.ceil(whole / (shape.wg * shape.per)) });
    }
    if (len > 8 * whole) gpu.dispatch(shaped(false, flatShape(gpu, 1, opts)), { params: { n: len, e0: 8 * whole }, bindings, workgroups: 1 });
  }
}
