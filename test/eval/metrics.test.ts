// The issue-11 report metrics on hand-made records (odd counts, a judge failure), with expectations
// computed by hand; and a saved evaluation from before them still reads.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, reportMarkdown } from '../../src/eval/report.js';
import { readSavedEval } from '../../src/eval/saved.js';
import { permutationTest, sd } from '../../src/eval/stats.js';
import type { EpisodeResult } from '../../src/env/resume/episode.js';

export interface Fake {
  row: string;
  weakness?: string;
  reward?: number; // undefined: the judge failed
  tool?: number;
  layout?: number;
  lines?: number;
  clarity?: number;
  hallucination?: number;
  say?: string[];
}

/** An episode with only what the report reads. */
export function fake(f: Fake): EpisodeResult {
  const content = f.reward === undefined ? undefined : { source: 'judge', hallucination: f.hallucination ?? 1, clarity: f.clarity ?? 0, quantification: 0, jd_alignment: 0.25, action_verbs: 0, overall_preference: 0, total: f.reward - (f.tool ?? 0) - (f.layout ?? 0) };
  return {
    rowId: f.row,
    weakness: (f.weakness ?? 'w') as EpisodeResult['weakness'],
    messages: [],
    turns: (f.say ?? []).map((assistant, i) => ({ turn: i + 1, assistant, outcome: { kind: 'none' } })),
    original: '',
    finalDoc: '',
    endReason: 'submit',
    reward: { tool: { total: f.tool ?? 0, submitted: true, strReplaceOk: 0, strReplaceFailed: 0 }, layout: { lines: f.lines ?? 10, limit: 60, pass: true, total: f.layout ?? 0 }, content, total: f.reward },
  } as unknown as EpisodeResult;
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('report metrics (issue 11)', () => {
  const eps = [
    fake({ row: 'r1', weakness: 'a', reward: 1, tool: 1, layout: 1, lines: 10, clarity: 0.25, hallucination: 1, say: ['a b c'] }),
    fake({ row: 'r1', weakness: 'a', reward: 2, tool: 0, layout: 1, lines: 20, clarity: 0.25, hallucination: 1, say: ['', 'd  e\n'] }),
    fake({ row: 'r1', weakness: 'a', reward: 4.5, tool: 2, layout: -1, lines: 30, clarity: -0.25, hallucination: -1, say: ['x'] }),
    fake({ row: 'r2', weakness: 'b', reward: -1.25, tool: -1, layout: 1, lines: 41, clarity: 0, hallucination: -1, say: [] }),
    fake({ row: 'r2', weakness: 'b', lines: 50, tool: 1, layout: -1, say: ['one two three four'] }), // judge failed
  ];
  const r = buildReport(eps, { model: 'm', judge: 'rules', date: 'd' });

  it('per-example mean, min, max and sd over scored rollouts', () => {
    expect(r.perExample!.r1!.rollouts).toBe(3);
    expect(r.perExample!.r1!.meanReward).toBeCloseTo(2.5, 12);
    expect([r.perExample!.r1!.min, r.perExample!.r1!.max]).toEqual([1, 4.5]);
    expect(r.perExample!.r1!.sd).toBeCloseTo(Math.sqrt(6.5 / 2), 12); // deviations -1.5, -0.5, 2
    expect(r.perExample!.r2).toEqual({ rollouts: 2, meanReward: -1.25, min: -1.25, max: -1.25, sd: 0 });
  });

  it('judge means, lines, words, share below zero, 0.5-wide histogram, per-weakness components', () => {
    expect(r.judgeFields!.clarity).toBeCloseTo(0.25 / 4, 12);
    expect(r.judgeFields!.hallucination).toBe(0);
    expect(r.judgeFields!.hallucination).toBe(r.hallucination);
    expect(r.judgeFields!.jd_alignment).toBe(0.25);
    expect(r.meanLines).toBeCloseTo(151 / 5, 12);
    expect(r.wordsPerRollout).toBe(10 / 5);
    expect(r.negativeRewardShare).toBe(1 / 4);
    expect(r.histogram.width).toBe(0.5);
    expect(r.histogram.counts).toHaveLength(30);
    const nonzero = Object.fromEntries(r.histogram.counts.flatMap((c, i) => (c ? [[i, c]] : [])));
    expect(nonzero).toEqual({ 11: 1, 16: 1, 18: 1, 23: 1 }); // -1.25, 1, 2, 4.5 from -7
    expect(r.perWeakness.a!.components).toEqual({ tool: 1, layout: 1 / 3, content: (-1 + 1 + 3.5) / 3 });
    expect(r.perWeakness.b).toEqual({ rollouts: 2, meanReward: -1.25, components: { tool: 0, layout: 0, content: -1.25 } });
    expect(r.samples!.map((s) => s.reward)).toEqual([1, 2, 4.5, -1.25, null]);
    const md = reportMarkdown(r);
    expect(md).toContain('| rollouts with reward < 0 | 25% |');
    expect(md).toContain('| judge clarity (mean points) | 0.06 |');
    expect(md).toContain('| r1 | 3 | 2.50 | 1.00 | 4.50 | 1.80 |');
    expect(md).toContain('| [-1.5, -1) | 1 |');
  });

  it('reads back what it saved (NaN as null) and evaluations saved before these fields', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'evalm-'));
    dirs.push(dir);
    await writeFile(join(dir, 'eval.json'), JSON.stringify(buildReport([fake({ row: 'r' })], { model: 'm', judge: 'rules', date: 'd' })));
    const back = readSavedEval(dir);
    expect(back.meanReward).toBeNaN();
    expect(back.perExample!.r!.rollouts).toBe(1);
    const old = { ...r, histogram: { from: -7, counts: new Array(15).fill(0) } } as Record<string, unknown>;
    for (const k of ['judgeFields', 'perExample', 'meanLines', 'wordsPerRollout', 'negativeRewardShare', 'samples']) delete old[k];
    await writeFile(join(dir, 'old.json'), JSON.stringify(old));
    const o = readSavedEval(join(dir, 'old.json'));
    expect(o.samples).toBeUndefined();
    expect(reportMarkdown(o)).toContain('| [7, 8] | 0 |');
  });
});

describe('stats', () => {
  it('sd and the permutation test on known cases', () => {
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7), 12);
    // 6 relabellings of {0,1,2,3} into two pairs; |diff| >= 2 for {0,1}|{2,3} and its mirror.
    expect(permutationTest([0, 1], [2, 3])).toEqual({ diff: 2, p: 1 / 3, exact: true });
    expect(permutationTest([1, 2, 3], [1, 2, 3]).p).toBe(1);
    const far = permutationTest(new Array(60).fill(0), new Array(60).fill(1));
    expect(far).toEqual({ diff: 1, p: 1 / 10001, exact: false }); // Monte Carlo: no relabelling as extreme
  });

  it('the Monte Carlo p-value matches an exact count past the enumeration limit', () => {
    // 12 vs 12 small integers: C(24, 12) = 2.7M relabellings, so the test samples 10,000. The exact
    // p comes from counting b-labellings by their sum (dp[k][s]: k values chosen with sum s).
    const a = [0, 1, 1, 2, 2, 2, 3, 3, 1, 0, 2, 1];
    const b = [1, 2, 3, 3, 2, 4, 3, 2, 1, 3, 2, 4];
    const pool = [...a, ...b];
    const total = pool.reduce((x, y) => x + y, 0);
    const maxS = total;
    let dp: number[][] = Array.from({ length: 13 }, () => new Array<number>(maxS + 1).fill(0));
    dp[0]![0] = 1;
    for (const v of pool) {
      const next = dp.map((r) => [...r]);
      for (let k = 0; k < 12; k++) for (let s = 0; s + v <= maxS; s++) next[k + 1]![s + v]! += dp[k]![s]!;
      dp = next;
    }
    const obs = b.reduce((x, y) => x + y, 0) / 12 - a.reduce((x, y) => x + y, 0) / 12;
    let hits = 0;
    let all = 0;
    dp[12]!.forEach((c, s) => {
      all += c;
      if (Math.abs(s / 12 - (total - s) / 12) >= Math.abs(obs) - 1e-9) hits += c;
    });
    const exact = hits / all;
    const mc = permutationTest(a, b);
    expect(mc.exact).toBe(false);
    expect(mc.diff).toBeCloseTo(obs, 12);
    // 10,000 draws: the standard error of p near 0.01 is about 0.001; allow 5 of them.
    expect(exact).toBeGreaterThan(0.001);
    expect(Math.abs(mc.p - exact)).toBeLessThan(5 * Math.sqrt((exact * (1 - exact)) / 10000) + 1e-4);
  });
});
