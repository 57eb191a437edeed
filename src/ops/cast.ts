// f32 <-> bf16 casts on the GPU (e.g. fp32 master weights -> bf16 compute weights after AdamW).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';

const toBf16: KernelDef = { name: 'cast_f32_to_bf16', file: 'cast.wgsl', entry: 'f32_to_bf16', params: { n: 'u32' } };
const toF32: KernelDef = { name: 'cast_bf16_to_f32', file: 'cast.wgsl', entry: 'bf16_to_f32', params: { n: 'u32' } };

/** dst (bf16) = round(src (f32)); or dst (f32) = src (bf16). Same element count. */
export function cast(gpu: Gpu, src: Tensor, dst: Tensor): void {
  if (src.numel !== dst.numel) throw new Error(`cast ${src.describe()} -> ${dst.describe()}: element counts differ`);
  const def = src.dtype === 'f32' && dst.dtype === 'bf16' ? toBf16 : src.dtype === 'bf16' && dst.dtype === 'f32' ? toF32 : null;
  if (!def) throw new Error(`cast ${src.dtype} -> ${dst.dtype} not supported`);
  // Chunk over bf16 words (2 elements): aligning the 4-byte bf16 side also aligns the 8-byte f32
  // side, and half the binding cap keeps the f32 side within one binding.
  const chunks = gpu.rowChunks(Math.ceil(src.numel / 2), 4, Math.floor(gpu.maxBinding / 2));
  for (const c of chunks) {
    const n = Math.min(2 * c.rows, src.numel - 2 * c.row0);
    const f32Range = { offset: c.row0 * 8, size: Math.ceil(n * 4 / 4) * 4 };
    const bfRange = { offset: c.row0 * 4, size: c.rows * 4 };
    const s = src.dtype === 'f32' ? f32Range : bfRange;
    const d = dst.dtype === 'f32' ? f32Range : bfRange;
    gpu.dispatch(def, {
      params: { n },
      bindings: [src.range(s.offset, s.size), dst.range(d.offset, d.size)],
      workgroups: Math.ceil(c.rows / 256),
    });
  }
}
