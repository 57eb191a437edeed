// Shared helpers for GPU kernel tests: seeded random inputs and tolerance checks against float64.
import { makeRng, toBf16 } from '../../src/ops/ref/index.js';

/** The bf16 value nearest to x (ties to even): what a bf16 tensor stores. */
export const roundBf16 = toBf16;
const rng = makeRng;

/** n values uniform in [-scale, scale), rounded to bf16 when asked (so GPU and reference see the same inputs). */
export function randn(n: number, seed: number, scale = 1, bf16 = false): Float64Array {
  const r = rng(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = (r() * 2 - 1) * scale;
    out[i] = bf16 ? roundBf16(v) : Math.fround(v);
  }
  return out;
}

/** Max |a-b| / (atol + rtol*|b|) over all elements: <= 1 passes. Reports the worst index. */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): { ratio: number; index: number; got: number; want: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = { ratio: 0, index: -1, got: 0, want: 0 };
  for (let i = 0; i < a.length; i++) {
    const r = Math.abs(a[i] - b[i]) / (atol + rtol * Math.abs(b[i]));
    if (!(r <= worst.ratio)) worst = { ratio: Number.isNaN(r) ? Infinity : r, index: i, got: a[i], want: b[i] };
  }
  return worst;
}

export function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number, what = ''): void {
  const w = closeness(a, b, atol, rtol);
  if (w.ratio > 1) {
    throw new Error(`${what} mismatch at [${w.index}]: got ${w.got}, want ${w.want} (atol ${atol}, rtol ${rtol}, ratio ${w.ratio.toFixed(2)})`);
  }
}
