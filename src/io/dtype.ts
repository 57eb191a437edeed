// Host-side conversions between float32 and the 16-bit float formats stored in checkpoints.
// bf16 is the upper half of an IEEE float32; f16 is IEEE binary16. Both narrowing conversions
// round to nearest, ties to even (what PyTorch's .to(bfloat16) / .half() do on CPU).

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** Bits of a float32 as an unsigned 32-bit integer. */
export function f32Bits(x: number): number {
  f32Scratch[0] = x;
  return u32Scratch[0]!;
}

/** The float32 whose bits are `bits`. */
export function f32FromBits(bits: number): number {
  u32Scratch[0] = bits >>> 0;
  return f32Scratch[0]!;
}

/** Quiet NaN that PyTorch produces for any NaN converted to bf16 (c10::BFloat16 round_to_nearest_even). */
export const BF16_NAN = 0x7fc0;

/** float32 bits -> bf16 bits, round to nearest even; every NaN becomes BF16_NAN. */
export function bf16FromF32Bits(bits: number): number {
  const x = bits >>> 0;
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x007fffff) !== 0) return BF16_NAN;
  // Adding 0x7fff plus the lowest kept bit rounds half-way cases to the even neighbour. No NaN
  // reaches here, so the sum stays below 2^32 (max 0xff7fffff + 0x8000).
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

export function f32ToBf16(x: number): number {
  return bf16FromF32Bits(f32Bits(x));
}

export function bf16ToF32(h: number): number {
  return f32FromBits((h & 0xffff) << 16);
}

/** float32 bits -> f16 bits, round to nearest even, with subnormals; overflow gives +-inf. */
export function f16FromF32Bits(bits: number): number {
  const x = bits >>> 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) {
    // inf stays inf; NaN keeps its top payload bits and is made quiet.
    return mant === 0 ? sign | 0x7c00 : sign | 0x7e00 | (mant >>> 13);
  }
  const e = exp - 127 + 15; // rebiased exponent
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is subnormal (or zero): value = m16 * 2^-24 with m16 = m * 2^(e - 14) (m has the implicit 1).
    if (e < -10) return sign; // below half the smallest subnormal: rounds to zero
    const m = mant | 0x800000;
    const shift = 14 - e; // 14..24
    const half = 1 << (shift - 1);
    const rem = m & ((1 << shift) - 1);
    let r = m >>> shift;
    if (rem > half || (rem === half && (r & 1) === 1)) r++;
    return sign | r; // r may reach 0x400, which is exactly the smallest normal
  }
  let r = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (r & 1) === 1)) r++; // a carry may give inf: correct
  return sign | r;
}

export function f32ToF16(x: number): number {
  return f16FromF32Bits(f32Bits(x));
}

/** f16 bits -> float32 value (exact). */
export function f16ToF32(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0x1f) return f32FromBits(sign | 0x7f800000 | (mant << 13));
  if (exp === 0) {
    if (mant === 0) return f32FromBits(sign);
    // Subnormal: mant * 2^-24, exactly representable in float32.
    const v = mant * 2 ** -24;
    return sign ? -v : v;
  }
  return f32FromBits(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

// Array forms. They work on typed-array views so callers can hand in slices of a file buffer.

export function f32ArrayToBf16(src: Float32Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  checkLength(src.length, dst.length);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) dst[i] = bf16FromF32Bits(bits[i]!);
  return dst;
}

export function bf16ArrayToF32(src: Uint16Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  checkLength(src.length, dst.length);
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i]! << 16;
  return dst;
}

export function f32ArrayToF16(src: Float32Array, dst: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  checkLength(src.length, dst.length);
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  for (let i = 0; i < bits.length; i++) dst[i] = f16FromF32Bits(bits[i]!);
  return dst;
}

export function f16ArrayToF32(src: Uint16Array, dst: Float32Array = new Float32Array(src.length)): Float32Array {
  checkLength(src.length, dst.length);
  for (let i = 0; i < src.length; i++) dst[i] = f16ToF32(src[i]!);
  return dst;
}

function checkLength(src: number, dst: number): void {
  if (src !== dst) throw new RangeError(`dtype conversion: source has ${src} elements, destination ${dst}`);
}

/**
 * Typed-array view of little-endian bytes (safetensors data is little-endian; so is every host we
 * run on). Copies when the bytes are not aligned for the element size.
 */
export function viewAs<T extends Float32Array | Uint16Array | Int32Array | Uint32Array>(
  ctor: { new (buffer: ArrayBufferLike, byteOffset: number, length: number): T; new (length: number): T; BYTES_PER_ELEMENT: number },
  bytes: Uint8Array,
): T {
  const size = ctor.BYTES_PER_ELEMENT;
  if (bytes.byteLength % size !== 0) {
    throw new RangeError(`viewAs: ${bytes.byteLength} bytes is not a multiple of ${size}`);
  }
  const n = bytes.byteLength / size;
  if (bytes.byteOffset % size === 0) return new ctor(bytes.buffer, bytes.byteOffset, n);
  const copy = new ctor(n);
  new Uint8Array(copy.buffer, copy.byteOffset, copy.byteLength).set(bytes);
  return copy;
}

/** Little-endian bytes of a typed array (a view, no copy). */
export function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
