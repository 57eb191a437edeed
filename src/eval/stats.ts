// Small statistics for the evaluation report and the base/trained comparison: mean, sample standard
// deviation, and a two-sided permutation test of a difference in means (no distributional
// assumption: rewards are sums of discrete rubric points, far from normal at 16 rollouts a row).

import { Rng } from '../io/rng.js';

/** Mean, NaN for none. */
export const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Sample standard deviation (n - 1); 0 for one value (no spread seen), NaN for none. */
export function sd(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  if (xs.length === 1) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Exact enumeration up to this many relabellings; above it, Monte Carlo. */
const EXACT_LIMIT = 50_000;
const RESAMPLES = 10_000;

function choose(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return c;
}

/**
 * Two-sided permutation test of mean(b) - mean(a): the share of relabellings of the pooled values
 * whose |difference in means| is at least the observed one. Exact when the relabellings are few
 * (the share over all of them); otherwise 10,000 seeded random ones, p = (hits + 1) / (10,000 + 1)
 * so an estimate is never 0. NaN when either side is empty.
 */
export function permutationTest(a: readonly number[], b: readonly number[], seed = 1): { diff: number; p: number; exact: boolean } {
  const diff = mean(b) - mean(a);
  if (a.length === 0 || b.length === 0) return { diff, p: NaN, exact: false };
  const pool = [...a, ...b];
  const n = pool.length;
  const total = pool.reduce((s, x) => s + x, 0);
  const nb = b.length;
  // The difference for a relabelling depends only on the sum of the values labelled b.
  const diffOf = (sumB: number): number => sumB / nb - (total - sumB) / (n - nb);
  const eps = 1e-9 * Math.max(1, Math.abs(diff));
  const extreme = (d: number): boolean => Math.abs(d) >= Math.abs(diff) - eps;
  if (choose(n, nb) <= EXACT_LIMIT) {
    let hits = 0;
    let all = 0;
    const walk = (start: number, left: number, sum: number): void => {
      if (left === 0) {
        all++;
        if (extreme(diffOf(sum))) hits++;
        return;
      }
      for (let i = start; i <= n - left; i++) walk(i + 1, left - 1, sum + pool[i]!);
    };
    walk(0, nb, 0);
    return { diff, p: hits / all, exact: true };
  }
  const r = new Rng(seed); // seeded, so a comparison's p-value is the same on every run
  const idx = pool.map((_, i) => i);
  let hits = 0;
  for (let k = 0; k < RESAMPLES; k++) {
    // Partial Fisher-Yates: the first nb slots are a uniform random b-labelling.
    let sum = 0;
    for (let i = 0; i < nb; i++) {
      const j = r.int(i, n - 1);
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      sum += pool[idx[i]!]!;
    }
    if (extreme(diffOf(sum))) hits++;
  }
  return { diff, p: (hits + 1) / (RESAMPLES + 1), exact: false };
}
