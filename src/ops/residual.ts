// Residual adds (out = a + b, acc += b) and the small helpers the elementwise/row ops share:
// per-tensor dtype constants for kernels that accept bf16 or f32 buffers, and row spans that keep
// every bound byte range under one storage binding (tensors may exceed it: chunk over rows).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';

/** Options shared by ops that chunk big tensors; tests pass a small maxBindingBytes. */
export interface ChunkOpts {
  maxBindingBytes?: number;
}

/** Kernel constants for a buffer that may be bf16 (packed u32) or f32: `${p}_T` and `${p}_BF`. */
export function dtConsts(prefix: string, t: Tensor, op: string): Record<string, string | boolean> {
  if (t.dtype !== 'bf16' && t.dtype !== 'f32') throw new Error(`${op}: ${t.describe()} must be bf16 or f32`);
  return { [`${prefix}_T`]: t.dtype === 'bf16' ? 'u32' : 'f32', [`${prefix}_BF`]: t.dtype === 'bf16' };
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

/** Flat tensors are chunked as rows of 2 elements (one bf16 word). */
function pairSpans(gpu: Gpu, n: number, ts: Tensor[], maxBytes?: number): RowSpan[] {
  return rowSpans(gpu, Math.ceil(n / 2), ts.map((t) => 2 * elemBytes(t)), maxBytes);
}

function checkSame(op: string, ts: Tensor[]): void {
  for (const t of ts) {
    if (t.numel !== ts[0].numel) throw new Error(`${op}: ${t.describe()} and ${ts[0].describe()} differ in element count`);
  }
}

/** out = a + b (elementwise, any mix of bf16/f32; sums in f32, rounds once). */
export function add(gpu: Gpu, a: Tensor, b: Tensor, out: Tensor, opts: ChunkOpts = {}): void {
  checkSame('add', [a, b, out]);
  const def: KernelDef = {
    name: 'residual_add',
    file: 'residual.wgsl',
    entry: 'add',
    consts: { ...dtConsts('A', a, 'add'), ...dtConsts('B', b, 'add'), ...dtConsts('O', out, 'add') },
    params: { n: 'u32' },
  };
  for (const s of pairSpans(gpu, a.numel, [a, b, out], opts.maxBindingBytes)) {
    const n = Math.min(2 * s.rows, a.numel - 2 * s.row0);
    gpu.dispatch(def, {
      params: { n },
      bindings: [spanOf(a, s, 2 * elemBytes(a)), spanOf(b, s, 2 * elemBytes(b)), spanOf(out, s, 2 * elemBytes(out))],
      workgroups: Math.ceil(s.rows / 256),
    });
  }
}

/** acc += b (acc bf16 or f32; b bf16 or f32). */
export function addInPlace(gpu: Gpu, acc: Tensor, b: Tensor, opts: ChunkOpts = {}): void {
  checkSame('addInPlace', [acc, b]);
  const def: KernelDef = {
    name: 'residual_add_inplace',
    file: 'residual.wgsl',
    entry: 'add_inplace',
    consts: { A_T: 'f32', A_BF: false, ...dtConsts('B', b, 'addInPlace'), ...dtConsts('O', acc, 'addInPlace') },
    params: { n: 'u32' },
  };
  for (const s of pairSpans(gpu, acc.numel, [acc, b], opts.maxBindingBytes)) {
    const n = Math.min(2 * s.rows, acc.numel - 2 * s.row0);
    gpu.dispatch(def, {
      params: { n },
      bindings: [spanOf(acc, s, 2 * elemBytes(acc)), spanOf(b, s, 2 * elemBytes(b))],
      workgroups: Math.ceil(s.rows / 256),
    });
  }
}
