// bf16 -> f16 for the tensor-core kernels (f16 subgroup matrices; WGSL has no bf16).
// **(choice)** A per-tensor power-of-two scale from a max-abs reduction (kernels/matmul-scale.wgsl:
// two small dispatches per tensor, recorded before the consumer, no host round trip), so that
// max|x| * 2^s lies in [2^14, 2^15): nothing overflows f16, and every value above max * 2^-29
// stays a normal f16 (11 significant bits >= bf16's 8: exact). Smaller values go subnormal or 0,
// which is below f32 accumulation noise relative to the largest products. Consumers scale their
// f32 results back exactly (power-of-two multiplications).
// Shifts, partial maxima and the f16 copies (the `prestage` forms) live in the device's scratch
// arena (src/gpu/arena.ts) under purposes named by their user: f16.<user>.shifts / .partials and
// f16.<key>. Reuse by the next op is safe: recorded work runs in order.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';

const PARTIALS = 128; // workgroups (partial maxima) per tensor chunk
const P = { n_words: 'u32', out_index: 'u32', first: 'u32', count: 'u32', slot: 'u32' } as const;
const PARTIAL: KernelDef = { name: 'absmax_partial', file: 'matmul-scale.wgsl', entry: 'partial', params: P };
const FINISH: KernelDef = { name: 'absmax_finish', file: 'matmul-scale.wgsl', entry: 'finish', params: P };
const TO_F16: KernelDef = { name: 'to_f16', file: 'matmul-scale.wgsl', entry: 'to_f16', params: P };

/** Bytes of recordShifts' partial maxima for bf16 operands of the given byte sizes: PARTIALS per
 *  chunk of gpu.rowChunks (u32 words, starts aligned to `align` bytes). For the memory plan. */
export function shiftPartialBytes(operandBytes: readonly number[], cap: number, align = 256): number {
  const words = Math.floor(cap / 4);
  const per = words - (words % Math.max(1, align / 4));
  return 4 * PARTIALS * operandBytes.reduce((a, b) => a + Math.ceil(Math.ceil(b / 4) / per), 0);
}

/** Records the exponent shift of each bf16 tensor (slot i for tensors[i]) into `user`'s shifts
 *  buffer and returns it (i32 slots; at most 64). */
export function recordShifts(gpu: Gpu, user: string, tensors: readonly Tensor[], cap: number): GPUBuffer {
  if (tensors.length > 64) throw new Error(`recordShifts: ${tensors.length} tensors, at most 64 slots`);
  const plans = tensors.map((t) => {
    if (t.dtype !== 'bf16') throw new Error(`recordShifts: ${t.describe()} must be bf16`);
    return gpu.rowChunks(Math.ceil(t.numel / 2), 4, cap);
  });
  const shifts = gpu.scratch.acquire(`f16.${user}.shifts`, [64], 'i32').buffer;
  const partials = gpu.scratch.acquire(`f16.${user}.partials`, [plans.reduce((a, p) => a + p.length * PARTIALS, 0)], 'f32');
  let base = 0;
  tensors.forEach((t, slot) => {
    const chunks = plans[slot]!;
    chunks.forEach((c, i) => {
      gpu.dispatch(PARTIAL, {
        params: { n_words: c.rows, out_index: base + i * PARTIALS, first: 0, count: 0, slot: 0 },
        bindings: [t.range(c.offset, c.size), partials],
        workgroups: PARTIALS,
      });
    });
    const count = chunks.length * PARTIALS;
    gpu.dispatch(FINISH, {
      params: { n_words: 0, out_index: 0, first: base, count, slot },
      bindings: [partials, { buffer: shifts }],
      workgroups: 1,
    });
    base += count;
  });
  return shifts;
}

/** Records t (bf16) * 2^shifts[slot] as f16 into the scratch buffer named `key` and returns it
 *  viewed as t's shape. `zeroTail` bytes right after it are zeroed (for kernels whose edge tiles
 *  read past the last row). */
export function recordToF16(gpu: Gpu, key: string, t: Tensor, shifts: GPUBuffer, slot: number, cap: number, zeroTail = 0): Tensor {
  const buf = gpu.scratch.acquire(`f16.${key}`, [Math.ceil((t.byteSize + zeroTail) / 4) * 2], 'f16');
  const out = buf.view(0, t.shape, `${t.label}.f16`);
  if (zeroTail > 0) gpu.zero(buf.view(t.byteSize, [zeroTail / 2], `f16.${key}.tail`));
  for (const c of gpu.rowChunks(Math.ceil(t.byteSize / 4), 4, cap)) {
    gpu.dispatch(TO_F16, {
      params: { n_words: c.rows, out_index: 0, first: 0, count: 0, slot },
      bindings: [t.range(c.offset, c.size), out.range(c.offset, c.size), { buffer: shifts }],
      workgroups: Math.min(2048, Math.ceil(c.rows / 1024)),
    });
  }
  return out;
}

/** The whole scratch buffer behind `key` (for bindings that must reach past the viewed shape). */
export function f16Scratch(gpu: Gpu, key: string): Tensor {
  const t = gpu.scratch.whole(`f16.${key}`, 'f16');
  if (!t) throw new Error(`f16Scratch: no buffer ${key} yet (recordToF16 first)`);
  return t;
}
