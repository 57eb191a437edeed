// Host-side packing of float32 data into the GPU storage formats (bf16 two per u32).
// bf16 is the upper 16 bits of an IEEE float32; rounding is to nearest, ties to even.
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

export function f32ToBf16Bits(x: number): number {
  f32[0] = x;
  const u = u32[0];
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return 0x7fc0; // NaN stays NaN
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bf16BitsToF32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

/** float32 values -> bf16 bit patterns (Uint16Array, little-endian pairs = two per u32). */
export function packBf16(src: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(src.length + (src.length & 1));
  for (let i = 0; i < src.length; i++) out[i] = f32ToBf16Bits(src[i]);
  return out;
}

export function unpackBf16(bits: Uint16Array, n = bits.length): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = bf16BitsToF32(bits[i]);
  return out;
}
