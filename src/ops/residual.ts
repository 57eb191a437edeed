// Residual adds on flat tensors: out = a + b and acc += b, any mix of bf16/f32 (summed in f32,
// rounded once). Vectorised: 8 elements per thread with 128-bit loads (see elementwise.ts).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, runFlat, type MemoryOpts } from './elementwise.js';

// Re-exported for callers that imported the shared helpers from here before elementwise.ts.
export { dtConsts, elemBytes, rowSpans, spanOf, type ChunkOpts, type MemoryOpts, type RowSpan } from './elementwise.js';

function checkSame(op: string, ts: Tensor[]): void {
  for (const t of ts) {
    if (t.numel !== ts[0].numel) throw new Error(`${op}: ${t.describe()} and ${ts[0].describe()} differ in element count`);
  }
}

/** out = a + b (elementwise, any mix of bf16/f32; sums in f32, rounds once). */
export function add(gpu: Gpu, a: Tensor, b: Tensor, out: Tensor, opts: MemoryOpts = {}): void {
  checkSame('add', [a, b, out]);
  const def = (vec: boolean): KernelDef => ({
    name: 'residual_add',
    file: 'residual.wgsl',
    entry: 'add',
    consts: { VEC: vec, ...dtConsts('A', a, 'add', vec), ...dtConsts('B', b, 'add', vec), ...dtConsts('O', out, 'add', vec) },
    params: { n: 'u32', e0: 'u32' },
  });
  runFlat(gpu, def, [a, b, out], a.numel, opts);
}

/** acc += b (acc bf16 or f32; b bf16 or f32). */
export function addInPlace(gpu: Gpu, acc: Tensor, b: Tensor, opts: MemoryOpts = {}): void {
  checkSame('addInPlace', [acc, b]);
  const def = (vec: boolean): KernelDef => ({
    name: 'residual_add_inplace',
    file: 'residual.wgsl',
    entry: 'add_inplace',
    consts: { VEC: vec, A_T: 'f32', A_BF: false, A_A: 'f32', ...dtConsts('B', b, 'addInPlace', vec), ...dtConsts('O', acc, 'addInPlace', vec) },
    params: { n: 'u32', e0: 'u32' },
  });
  runFlat(gpu, def, [acc, b], acc.numel, opts);
}
