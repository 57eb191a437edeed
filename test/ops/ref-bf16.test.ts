import { describe, expect, it } from 'vitest';
import { bf16Bits, fromBf16Bits, roundBf16Array, toBf16 } from '../../src/ops/ref/bf16.js';
import { makeRng, randn } from '../../src/ops/ref/random.js';

describe('bf16 rounding (reference)', () => {
  it('keeps representable values and known bit patterns', () => {
    expect(toBf16(1)).toBe(1);
    expect(bf16Bits(1)).toBe(0x3f80);
    expect(bf16Bits(-2)).toBe(0xc000);
    expect(toBf16(Math.PI)).toBe(3.140625);
    expect(bf16Bits(Math.PI)).toBe(0x4049);
    expect(fromBf16Bits(0x4049)).toBe(3.140625);
    expect(Object.is(toBf16(-0), -0)).toBe(true);
    expect(toBf16(Infinity)).toBe(Infinity);
    expect(Number.isNaN(toBf16(NaN))).toBe(true);
    expect(bf16Bits(NaN)).toBe(0x7fc0);
  });

  it('rounds ties to even', () => {
    // spacing near 1 is 2^-7
    expect(toBf16(1 + 2 ** -8)).toBe(1); // tie between mantissa 0 (even) and 1
    expect(toBf16(1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6); // tie between 1 (odd) and 2 (even)
    expect(toBf16(-(1 + 3 * 2 ** -8))).toBe(-(1 + 2 ** -6));
    expect(toBf16(1 + 2 ** -8 + 2 ** -20)).toBe(1 + 2 ** -7); // just above the tie
  });

  it('rounds directly from float64 (no double rounding through float32)', () => {
    const x = 1 + 2 ** -8 + 2 ** -30; // float32 would first round this to the tie 1 + 2^-8
    expect(toBf16(Math.fround(x))).toBe(1);
    expect(toBf16(x)).toBe(1 + 2 ** -7);
  });

  it('handles overflow and subnormals', () => {
    const max = fromBf16Bits(0x7f7f);
    expect(toBf16(max)).toBe(max);
    expect(toBf16(max * (1 + 2 ** -9))).toBe(max); // below the halfway point
    expect(toBf16(2 ** 128 - 2 ** 119)).toBe(Infinity); // halfway to 2^128, ties to even = overflow
    expect(toBf16(-1e39)).toBe(-Infinity);
    expect(toBf16(2 ** -133)).toBe(2 ** -133); // smallest subnormal
    expect(bf16Bits(2 ** -133)).toBe(0x0001);
    expect(toBf16(2 ** -134)).toBe(0); // tie with 0 -> even (0)
    expect(toBf16(1.5 * 2 ** -134)).toBe(2 ** -133);
    expect(toBf16(3 * 2 ** -134)).toBe(2 ** -132); // tie between 1 and 2 quanta
  });

  it('matches float32 truncation + round-to-nearest-even on the bit pattern for float32 inputs', () => {
    // Independent formulation: for a float32 value, bf16 RNE = (bits + 0x7fff + lsb) >> 16.
    const rng = makeRng(7);
    const f32 = new Float32Array(1);
    const u32 = new Uint32Array(f32.buffer);
    for (let i = 0; i < 2000; i++) {
      f32[0] = randn(rng) * 2 ** Math.floor(rng() * 40 - 20);
      const bits = u32[0]!;
      const expected = ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
      expect(bf16Bits(f32[0]!)).toBe(expected);
    }
  });

  it('roundBf16Array rounds every element', () => {
    expect(Array.from(roundBf16Array([1 + 2 ** -9, Math.PI]))).toEqual([1, 3.140625]);
  });
});
