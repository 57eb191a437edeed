// bf16 emulation for tests: bf16 is the upper 16 bits of an IEEE float32 (1 sign, 8 exponent,
// 7 stored mantissa bits), so values have 8 significant bits and float32's exponent range.
// Rounding is done directly from float64 (not via float32) to avoid double rounding.

const MIN_NORMAL_EXP = -126; // same as float32
const MANT_BITS = 7; // stored mantissa bits
const MAX_BF16 = (2 - 2 ** -MANT_BITS) * 2 ** 127; // 0x7f7f

const f64 = new Float64Array(1);
const f64u32 = new Uint32Array(f64.buffer); // little-endian hosts: [low, high]
const f32 = new Float32Array(1);
const f32u32 = new Uint32Array(f32.buffer);

/** Unbiased binary exponent of a finite nonzero float64 (floor(log2|x|)), exact. */
function exponentOf(x: number): number {
  f64[0] = x;
  const biased = (f64u32[1]! >>> 20) & 0x7ff;
  if (biased === 0) return -1023; // float64 subnormal: far below bf16's range, any small value works
  return biased - 1023;
}

/** The bf16 value nearest to x (round to nearest, ties to even), as a float64. */
export function toBf16(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x; // keeps -0, +-Infinity, NaN
  const e = Math.max(exponentOf(x), MIN_NORMAL_EXP); // subnormals share the smallest quantum
  const quantum = 2 ** (e - MANT_BITS);
  const n = x / quantum; // exact: division by a power of two
  let r = Math.floor(n);
  const frac = n - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 !== 0)) r += 1;
  const y = r * quantum;
  if (Math.abs(y) > MAX_BF16) return x > 0 ? Infinity : -Infinity;
  if (y === 0) return x > 0 ? 0 : -0;
  return y;
}

/** Rounds every element to bf16 (returns a new array). */
export function roundBf16Array(a: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = toBf16(a[i]!);
  return out;
}

/** The 16-bit pattern of the bf16 nearest to x (NaN -> canonical quiet NaN 0x7fc0). */
export function bf16Bits(x: number): number {
  if (Number.isNaN(x)) return 0x7fc0;
  f32[0] = toBf16(x); // exact in float32: bf16 values are a subset
  return f32u32[0]! >>> 16;
}

/** The value of a 16-bit bf16 pattern. */
export function fromBf16Bits(bits: number): number {
  f32u32[0] = (bits & 0xffff) << 16;
  return f32[0]!;
}
