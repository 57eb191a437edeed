// First vs last quarter mean reward (the learning claim's number) and the moving average, on
// hand-computed cases.
import { describe, expect, it } from 'vitest';
import { movingAverage, quarterMeans, smoothingHalfWidth } from '../../src/report/stats.js';

const rows = (means: (number | null)[], firstStep = 1) => means.map((mean, i) => ({ step: firstStep + i, reward: { mean } }));

describe('quarterMeans', () => {
  it('n divisible by 4: the first and the last n/4 steps', () => {
    const q = quarterMeans(rows([1, 2, 3, 4, 5, 6, 7, 8]));
    expect(q.first).toEqual({ fromStep: 1, toStep: 2, steps: 2, mean: 1.5 });
    expect(q.last).toEqual({ fromStep: 7, toStep: 8, steps: 2, mean: 7.5 });
    expect(q.change).toBe(6);
  });

  it('n not divisible by 4: q = floor(n/4), the leftover steps in the middle count for neither side', () => {
    // n = 10: q = 2; steps 3-8 unused.
    const q = quarterMeans(rows([-2, -1, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6]));
    expect(q.first).toEqual({ fromStep: 1, toStep: 2, steps: 2, mean: -1.5 });
    expect(q.last).toEqual({ fromStep: 9, toStep: 10, steps: 2, mean: 5 });
    expect(q.change).toBe(6.5);
    // n = 15: q = 3.
    const q15 = quarterMeans(rows([0, 3, 6, 9, 9, 9, 9, 9, 9, 9, 9, 9, 1, 2, 6]));
    expect([q15.first.mean, q15.last.mean, q15.change]).toEqual([3, 3, 0]);
    expect([q15.first.toStep, q15.last.fromStep]).toEqual([3, 13]);
  });

  it('short runs: q = 1 (first step vs last step); one step compares with itself', () => {
    expect(quarterMeans(rows([1, 5, 2])).change).toBe(1);
    const one = quarterMeans(rows([4], 7));
    expect([one.first.fromStep, one.last.toStep, one.change]).toEqual([7, 7, 0]);
  });

  it('counts logged steps, not step numbers; a step without a mean (all dropped) is left out of its side', () => {
    const q = quarterMeans([...rows([null, 2], 10), ...rows([5, 5, 5, 5], 20), ...rows([3, 1], 50)]);
    expect(q.first).toEqual({ fromStep: 10, toStep: 11, steps: 2, mean: 2 });
    expect(q.last).toEqual({ fromStep: 50, toStep: 51, steps: 2, mean: 2 });
    expect(Number.isNaN(quarterMeans(rows([null, null, null, null])).change)).toBe(true);
  });
});

describe('movingAverage', () => {
  it('centred window of 2k + 1, cut off at the ends, skipping missing values', () => {
    expect(movingAverage([1, 2, 3, 4, 5], 1)).toEqual([1.5, 2, 3, 4, 4.5]);
    expect(movingAverage([0, 3, null, 6, 9], 1)).toEqual([1.5, 1.5, 4.5, 7.5, 7.5]);
    expect(movingAverage([2, 4, 6, 8, 10, 12], 2)).toEqual([4, 5, 6, 8, 9, 10]);
  });
  it('window grows with the run: 5 steps for 40, at most 51', () => {
    expect([smoothingHalfWidth(3), smoothingHalfWidth(40), smoothingHalfWidth(200), smoothingHalfWidth(100000)]).toEqual([1, 2, 10, 25]);
  });
});
