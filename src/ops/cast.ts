// f32 <-> bf16 casts on the GPU (e.g. fp32 master weights -> bf16 compute weights after AdamW),
// vectorised 8 elements per thread and chunked under the binding cap (see elementwise.ts).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, runFlat, type MemoryOpts } from './elementwise.js';

/** dst (bf16) = round(src (f32)); or dst (f32) = src (bf16). Same element count. */
export function cast(gpu: Gpu, src: Tensor, dst: Tensor, opts: MemoryOpts = {}): void {
  if (src.numel !== dst.numel) throw new Error(`cast ${src.describe()} -> ${dst.describe()}: element counts differ`);
  const ok = (src.dtype === 'f32' && dst.dtype === 'bf16') || (src.dtype === 'bf16' && dst.dtype === 'f32');
  if (!ok) throw new Error(`cast ${src.dtype} -> ${dst.dtype} not supported`);
  const def = (vec: boolean): KernelDef => ({
    name: `cast_${src.dtype}_to_${dst.dtype}`,
    file: 'cast.wgsl',
    consts: { VEC: vec, ...dtConsts('S', src, 'cast', vec), ...dtConsts('D', dst, 'cast', vec) },
    params: { n: 'u32', e0: 'u32' },
  });
  runFlat(gpu, def, [src, dst], src.numel, opts);
}
