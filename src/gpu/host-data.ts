// Host-side conversion between JS number arrays and a tensor's bytes (bf16/f16 as bit patterns),
// for Gpu.upload / write / read.
import type { DType } from './tensor.js';
import { bf16ArrayToF32, f16ArrayToF32, f32ArrayToBf16, f32ArrayToF16 } from '../io/dtype.js';

/** The largest piece Gpu.writeBytesFrom stages at a time; it keeps two staging buffers of it. */
export const STAGING_BYTES = 64 << 20;

/** Writes `data` into `dst` as `dtype` (f32 values rounded to bf16/f16; a Uint16Array is taken
 *  as bit patterns already). */
export function writeHost(dst: ArrayBuffer, data: ArrayLike<number>, dtype: DType): void {
  switch (dtype) {
    case 'f32':
      new Float32Array(dst, 0, data.length).set(data);
      return;
    case 'bf16':
    case 'f16': {
      const out = new Uint16Array(dst, 0, data.length);
      if (data instanceof Uint16Array) out.set(data); // already bit patterns
      else if (dtype === 'bf16') f32ArrayToBf16(Float32Array.from(data), out);
      else f32ArrayToF16(Float32Array.from(data), out);
      return;
    }
    case 'u32':
      new Uint32Array(dst, 0, data.length).set(data);
      return;
    case 'i32':
      new Int32Array(dst, 0, data.length).set(data);
      return;
  }
}

/** `numel` values of `dtype` from read-back bytes: f32/bf16/f16 as Float32Array, u32 / i32 as
 *  Uint32Array / Int32Array (copies: the bytes may be a staging buffer's). */
export function readHost(bytes: Uint8Array, numel: number, dtype: DType): Float32Array | Uint32Array | Int32Array {
  switch (dtype) {
    case 'f32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, numel).slice();
    case 'bf16':
      return bf16ArrayToF32(new Uint16Array(bytes.buffer, bytes.byteOffset, numel));
    case 'f16':
      return f16ArrayToF32(new Uint16Array(bytes.buffer, bytes.byteOffset, numel));
    case 'u32':
      return new Uint32Array(bytes.buffer, bytes.byteOffset, numel).slice();
    case 'i32':
      return new Int32Array(bytes.buffer, bytes.byteOffset, numel).slice();
  }
}
