// The numbers the report computes: first-quarter vs last-quarter mean reward (what the project's
// learning claim is judged by) and the moving average drawn over the mean reward.

import { mean } from '../eval/report.js';

export interface QuarterSide {
  /** First and last step number of this side. */
  fromStep: number;
  toStep: number;
  /** Steps on this side (the quarter size q). */
  steps: number;
  /** Mean of the steps' reward.mean (steps without one, all rollouts dropped, left out); NaN if none has one. */
  mean: number;
}

export interface Quarters {
  /** Steps in the run (lines of metrics.jsonl read). */
  steps: number;
  first: QuarterSide;
  last: QuarterSide;
  /** last.mean - first.mean. */
  change: number;
}

/**
 * How quarters are cut: the run's n logged steps, in step order, give q = max(1, floor(n / 4)).
 * The first quarter is the first q steps and the last quarter the last q steps, so both sides
 * average the same number of steps; with n not divisible by 4 the n mod 4 steps that would make
 * a fractional quarter fall in the middle, which neither side uses (n = 10: q = 2, steps 1-2 vs
 * 9-10). Runs of 1 to 3 steps have q = 1 (first step vs last step; one step compares with itself).
 * Steps are counted as logged lines, not step numbers, so a gap in the numbering changes nothing.
 */
export function quarterMeans(rows: readonly { step: number; reward: { mean: number | null } }[]): Quarters {
  const n = rows.length;
  if (n === 0) throw new Error('quarterMeans: no steps');
  const q = Math.max(1, Math.floor(n / 4));
  const side = (part: readonly { step: number; reward: { mean: number | null } }[]): QuarterSide => ({
    fromStep: part[0]!.step,
    toStep: part[part.length - 1]!.step,
    steps: part.length,
    mean: mean(part.map((r) => r.reward.mean).filter((x): x is number => x !== null)),
  });
  const first = side(rows.slice(0, q));
  const last = side(rows.slice(n - q));
  return { steps: n, first, last, change: last.mean - first.mean };
}

/** Half-width k of the centred moving average for n points: round(n / 20), 1 to 25 (a window of
 *  2k + 1 points: 5 steps for a 40-step run, 21 for 200, at most 51). */
export const smoothingHalfWidth = (n: number): number => Math.min(25, Math.max(1, Math.round(n / 20)));

/** Centred moving average with half-width k: each point is the mean of the points within k
 *  places of it (fewer at the ends, where the window is cut off); NaN where there are none. */
export function movingAverage(xs: readonly (number | null)[], k: number): number[] {
  return xs.map((_, i) => {
    const win = xs.slice(Math.max(0, i - k), i + k + 1).filter((x): x is number => x !== null);
    return mean(win);
  });
}
