// Central finite differences and closeness measures for gradient tests.
import type { Vec } from './check.js';

/** (f(x + h e_i) - f(x - h e_i)) / 2h; x is perturbed in place and restored. */
export function centralDiff(f: () => number, x: Float64Array, i: number, h = 1e-5): number {
  const x0 = x[i]!;
  x[i] = x0 + h;
  const fp = f();
  x[i] = x0 - h;
  const fm = f();
  x[i] = x0;
  return (fp - fm) / (2 * h);
}

/**
 * Derivative at 0 of phi by the five-point stencil (phi(-2h) - 8 phi(-h) + 8 phi(h) - phi(2h)) / 12h:
 * error O(h^4), so a larger h (less rounding noise) stays accurate where the loss has strong
 * curvature (e.g. through a norm of a small vector).
 */
export function derivative5(phi: (s: number) => number, h = 1e-3): number {
  return (phi(-2 * h) - 8 * phi(-h) + 8 * phi(h) - phi(2 * h)) / (12 * h);
}

/** Five-point-stencil partial derivative of f with respect to x[i]; x is restored. */
export function centralDiff5(f: () => number, x: Float64Array, i: number, h = 1e-3): number {
  const x0 = x[i]!;
  const r = derivative5((s) => {
    x[i] = x0 + s;
    return f();
  }, h);
  x[i] = x0;
  return r;
}

/** Five-point-stencil derivative of f along direction d; x is restored. */
export function directionalDiff5(f: () => number, x: Float64Array, d: Vec, h = 1e-3): number {
  const x0 = Float64Array.from(x);
  const r = derivative5((s) => {
    for (let i = 0; i < x.length; i++) x[i] = x0[i]! + s * d[i]!;
    return f();
  }, h);
  x.set(x0);
  return r;
}

/** Directional derivative along d: (f(x + h d) - f(x - h d)) / 2h; x restored afterwards. */
export function directionalDiff(f: () => number, x: Float64Array, d: Vec, h = 1e-5): number {
  const x0 = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) x[i] = x0[i]! + h * d[i]!;
  const fp = f();
  for (let i = 0; i < x.length; i++) x[i] = x0[i]! - h * d[i]!;
  const fm = f();
  x.set(x0);
  return (fp - fm) / (2 * h);
}

export interface Closeness {
  maxAbs: number; // max |a - e|
  maxRel: number; // max |a - e| / max(|e|, floor)
  worstIndex: number; // index of maxRel (-1 when all equal)
}

/**
 * Worst absolute and relative error of `actual` against `expected`. The relative error divides by
 * max(|e_i|, floor) so entries near zero don't blow it up. A NaN anywhere counts as Infinity.
 */
export function closeness(actual: Vec, expected: Vec, floor = 1e-3): Closeness {
  if (actual.length !== expected.length) {
    throw new Error(`closeness: lengths differ (${actual.length} vs ${expected.length})`);
  }
  let maxAbs = 0;
  let maxRel = 0;
  let worstIndex = -1;
  for (let i = 0; i < actual.length; i++) {
    let err = Math.abs(actual[i]! - expected[i]!);
    if (Number.isNaN(err)) err = Infinity;
    const ae = Math.abs(expected[i]!);
    const rel = err / (ae > floor ? ae : floor); // NaN expected -> floor
    if (err > maxAbs) maxAbs = err;
    if (rel > maxRel) {
      maxRel = rel;
      worstIndex = i;
    }
  }
  return { maxAbs, maxRel, worstIndex };
}

/**
 * Finite-difference gradient of L = sum_i weights_i f()_i with respect to every entry of x
 * (f must read x, which is perturbed in place and restored).
 */
export function fdGrad(f: () => Vec, weights: Vec, x: Float64Array, h = 1e-5): Float64Array {
  const loss = (): number => {
    const y = f();
    if (y.length !== weights.length) {
      throw new Error(`fdGrad: f returned ${y.length} values but there are ${weights.length} weights`);
    }
    let s = 0;
    for (let i = 0; i < y.length; i++) s += weights[i]! * y[i]!;
    return s;
  };
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) g[i] = centralDiff(loss, x, i, h);
  return g;
}
