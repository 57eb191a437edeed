import { describe, expect, it } from 'vitest';
import {
  BF16_NAN,
  bf16ArrayToF32,
  bf16FromF32Bits,
  bf16ToF32,
  f16ArrayToF32,
  f16FromF32Bits,
  f16ToF32,
  f32ArrayToBf16,
  f32ArrayToF16,
  f32Bits,
  f32FromBits,
  f32ToBf16,
  f32ToF16,
} from '../../src/io/dtype.js';

const isNaN16 = (h: number): boolean => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

/** Deterministic 32-bit generator (xorshift32) for test inputs. */
function xorshift(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

describe('bf16', () => {
  it('converts known values', () => {
    expect(f32ToBf16(1)).toBe(0x3f80);
    expect(f32ToBf16(-2)).toBe(0xc000);
    expect(f32ToBf16(-0)).toBe(0x8000);
    expect(f32ToBf16(Infinity)).toBe(0x7f80);
    expect(f32ToBf16(NaN)).toBe(BF16_NAN);
    expect(bf16FromF32Bits(0xffc00001)).toBe(BF16_NAN); // negative NaN too (PyTorch behaviour)
    expect(bf16ToF32(0x3f80)).toBe(1);
    expect(bf16ToF32(0x4049)).toBe(3.140625);
  });

  it('rounds to nearest, ties to even', () => {
    expect(bf16FromF32Bits(0x3f808000)).toBe(0x3f80); // tie, 0x3f80 is even
    expect(bf16FromF32Bits(0x3f818000)).toBe(0x3f82); // tie, rounds up to even
    expect(bf16FromF32Bits(0x3f808001)).toBe(0x3f81); // just above the tie
    expect(bf16FromF32Bits(0x3f807fff)).toBe(0x3f80); // just below
    expect(bf16FromF32Bits(0x7f7fffff)).toBe(0x7f80); // float max rounds to inf
    expect(bf16FromF32Bits(0x00000001)).toBe(0x0000); // smallest subnormal flushes by rounding
  });

  it('round-trips every bf16 bit pattern', () => {
    for (let h = 0; h < 0x10000; h++) {
      const back = f32ToBf16(bf16ToF32(h));
      if ((h & 0x7f80) === 0x7f80 && (h & 0x7f) !== 0) expect(back).toBe(BF16_NAN);
      else if (back !== h) throw new Error(`bf16 ${h.toString(16)} -> ${back.toString(16)}`);
    }
  });

  it('array forms match the scalar ones', () => {
    const next = xorshift(7);
    const bits = new Uint32Array(1000).map(() => next());
    const src = new Float32Array(bits.buffer);
    const h = f32ArrayToBf16(src);
    for (let i = 0; i < src.length; i++) expect(h[i]).toBe(bf16FromF32Bits(bits[i]!));
    const back = bf16ArrayToF32(h);
    for (let i = 0; i < src.length; i++) expect(Object.is(back[i], bf16ToF32(h[i]!))).toBe(true);
  });
});

describe('f16', () => {
  it('converts known values', () => {
    expect(f32ToF16(1)).toBe(0x3c00);
    expect(f32ToF16(-2)).toBe(0xc000);
    expect(f32ToF16(0.1)).toBe(0x2e66);
    expect(f32ToF16(1 / 3)).toBe(0x3555);
    expect(f32ToF16(65504)).toBe(0x7bff);
    expect(f32ToF16(65519.99)).toBe(0x7bff);
    expect(f32ToF16(65520)).toBe(0x7c00); // tie between max and "next" (inf): even wins
    expect(f32ToF16(-Infinity)).toBe(0xfc00);
    expect(isNaN16(f32ToF16(NaN))).toBe(true);
    expect(f32ToF16(2 ** -14)).toBe(0x0400); // smallest normal
    expect(f32ToF16(2 ** -24)).toBe(0x0001); // smallest subnormal
    expect(f32ToF16(1023 * 2 ** -24)).toBe(0x03ff); // largest subnormal
    expect(f32ToF16(1023.5 * 2 ** -24)).toBe(0x0400); // tie rounds up to the even smallest normal
    expect(f32ToF16(2 ** -25)).toBe(0x0000); // tie between 0 and 2^-24: even is 0
    expect(f32ToF16(3 * 2 ** -26)).toBe(0x0001);
    expect(f32ToF16(f32FromBits(f32Bits(2 ** -25) + 1))).toBe(0x0001); // just above the tie
    expect(f32ToF16(-(2 ** -26))).toBe(0x8000);
    expect(f16ToF32(0x0001)).toBe(2 ** -24);
    expect(f16ToF32(0x8001)).toBe(-(2 ** -24));
    expect(f16ToF32(0x7bff)).toBe(65504);
    expect(f16ToF32(0x7c00)).toBe(Infinity);
    expect(Object.is(f16ToF32(0x8000), -0)).toBe(true);
  });

  it('round-trips every f16 bit pattern', () => {
    for (let h = 0; h < 0x10000; h++) {
      const back = f32ToF16(f16ToF32(h));
      if (isNaN16(h)) {
        if (!isNaN16(back)) throw new Error(`NaN ${h.toString(16)} lost`);
      } else if (back !== h) throw new Error(`f16 ${h.toString(16)} -> ${back.toString(16)}`);
    }
  });

  it('picks the nearest f16 (ties to even) for random float32 inputs in every range', () => {
    const next = xorshift(12345);
    for (let i = 0; i < 20000; i++) {
      // Exponents around the f16 range: subnormal, normal, overflow.
      const exp = 127 - 30 + (next() % 48);
      const bits = ((next() & 1) << 31) | (exp << 23) | (next() & 0x7fffff);
      const x = f32FromBits(bits);
      const h = f16FromF32Bits(bits);
      const ax = Math.abs(x);
      const mag = h & 0x7fff;
      const fail = (why: string): never => {
        throw new Error(`${x} -> ${h.toString(16)}: ${why}`);
      };
      if (mag === 0x7c00) {
        if (ax < 65520) fail('overflowed too early');
        continue;
      }
      const err = Math.abs(ax - f16ToF32(mag));
      const below = mag > 0 ? Math.abs(ax - f16ToF32(mag - 1)) : Infinity;
      const above = mag < 0x7bff ? Math.abs(ax - f16ToF32(mag + 1)) : Math.abs(ax - 65520) * 2;
      if (err > below || err > above) fail('not the nearest');
      if ((err === below || err === above) && (mag & 1) !== 0) fail('tie not to even');
      if (x !== 0 && mag !== 0 && h >>> 15 !== bits >>> 31) fail('sign lost');
    }
  });

  it('array forms match the scalar ones', () => {
    const next = xorshift(99);
    const src = new Float32Array(1000).map(() => (next() / 2 ** 32 - 0.5) * 100);
    const h = f32ArrayToF16(src);
    for (let i = 0; i < src.length; i++) expect(h[i]).toBe(f32ToF16(src[i]!));
    const back = f16ArrayToF32(h);
    for (let i = 0; i < src.length; i++) expect(back[i]).toBe(f16ToF32(h[i]!));
    expect(() => f32ArrayToF16(src, new Uint16Array(3))).toThrow(/1000 elements, destination 3/);
  });
});
