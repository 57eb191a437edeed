import { describe, expect, it } from 'vitest';
import { WEAKNESS_TYPES, type Weakness } from '../../src/data/schema.js';
import type { CallOutcome } from '../../src/reward/outcome.js';
import {
  WEAKNESS_METRIC,
  contentFromVerdict,
  contentNoEdit,
  layoutScore,
  toolSyntaxScore,
} from '../../src/reward/rubrics.js';
import { REWARD_MAX, REWARD_MIN, normalizeReward, scoreEpisode } from '../../src/reward/score.js';
import { weaknessMetric } from '../../src/reward/weakness-metric.js';
import { BEST, RESUME, WORST, fixedJudge, lines, makeRow } from '../env/fixtures.js';

const OK: CallOutcome = { kind: 'str_replace', ok: true, replaced: 1 };
const FAIL: CallOutcome = { kind: 'str_replace', ok: false, error: 'not_found' };
const REVIEW: CallOutcome = { kind: 'review' };
const SUBMIT: CallOutcome = { kind: 'submit' };
const BROKEN: CallOutcome = { kind: 'failed', error: 'broken_json' };

describe('tool syntax rubric', () => {
  it('str_replace +0.25 / -0.25 per call', () => {
    const t = toolSyntaxScore([OK, OK, FAIL, SUBMIT]);
    expect(t.points.strReplace).toBe(0.25);
    expect(t.strReplaceOk).toBe(2);
    expect(t.strReplaceFailed).toBe(1);
    expect(t.total).toBe(1.25);
  });

  it('perCall gives each call its points, and they add up with no-submit to the total', () => {
    const t = toolSyntaxScore([REVIEW, FAIL, OK, REVIEW, BROKEN, { kind: 'none' }]);
    expect(t.perCall).toEqual([1, -0.25, 0.25, 0, -0.25, 0]);
    expect(t.perCall.reduce((a, b) => a + b, 0) + t.points.noSubmit).toBe(t.total);
    expect(toolSyntaxScore([REVIEW, OK, SUBMIT]).perCall).toEqual([1, 0.25, 1]);
  });

  it('review +1 once, later reviews 0', () => {
    expect(toolSyntaxScore([REVIEW, SUBMIT]).total).toBe(2);
    const t = toolSyntaxScore([REVIEW, REVIEW, REVIEW, SUBMIT]);
    expect(t.reviews).toBe(3);
    expect(t.points.review).toBe(1);
    expect(t.total).toBe(2);
  });

  it('submit +1; no submit by the end -1', () => {
    expect(toolSyntaxScore([SUBMIT]).total).toBe(1);
    expect(toolSyntaxScore([]).total).toBe(-1);
    expect(toolSyntaxScore([{ kind: 'none' }])).toMatchObject({ total: -1, noCall: 1, submitted: false });
    expect(toolSyntaxScore([OK]).points).toEqual({ strReplace: 0.25, review: 0, submit: 0, failedCalls: 0, noSubmit: -1 });
  });

  it('unknown tool, broken call and several calls cost -0.25 each', () => {
    const t = toolSyntaxScore([
      BROKEN,
      { kind: 'failed', error: 'unknown_tool' },
      { kind: 'failed', error: 'multiple_calls' },
      { kind: 'failed', error: 'unterminated' },
      SUBMIT,
    ]);
    expect(t.failedCalls).toBe(4);
    expect(t.points.failedCalls).toBe(-1);
    expect(t.total).toBe(0);
  });
});

describe('layout rubric', () => {
  it('+1 within 55 lines, -1 over, binary', () => {
    expect(layoutScore(lines(55))).toEqual({ lines: 55, limit: 55, pass: true, total: 1 });
    expect(layoutScore(lines(56))).toEqual({ lines: 56, limit: 55, pass: false, total: -1 });
    expect(layoutScore(lines(90)).total).toBe(-1);
  });
});

describe('content rubric', () => {
  it('maps each verdict field to the table values', () => {
    expect(contentFromVerdict(BEST)).toMatchObject({
      source: 'judge',
      hallucination: 1,
      clarity: 0.25,
      quantification: 0.25,
      jd_alignment: 0.25,
      action_verbs: 0.25,
      overall_preference: 1,
      total: 3,
    });
    expect(contentFromVerdict(WORST).total).toBe(-3);
    const mixed = contentFromVerdict({
      hallucination: 'faithful',
      clarity: 'same',
      quantification: 'worse',
      jd_alignment: 'better',
      action_verbs: 'same',
      overall_preference: 'same',
    });
    expect(mixed).toMatchObject({ hallucination: 1, clarity: 0, quantification: -0.25, jd_alignment: 0.25, overall_preference: 0 });
    expect(mixed.total).toBe(1);
  });

  const expectedMetric: Record<Weakness, string> = {
    vague_bullets: 'clarity',
    no_metrics: 'quantification',
    too_long: 'clarity',
    wrong_emphasis: 'jd_alignment',
    weak_verbs: 'action_verbs',
    formatting_inconsistent: 'clarity',
  };

  it.each(WEAKNESS_TYPES.map((w) => [w]))('no-edit shortcut for %s: hallucination -1, its metric -0.25', (w) => {
    expect(WEAKNESS_METRIC[w]).toBe(expectedMetric[w]);
    const c = contentNoEdit(w);
    expect(c.source).toBe('no_edit');
    expect(c.total).toBe(-1.25);
    expect(c.hallucination).toBe(-1);
    for (const m of ['clarity', 'quantification', 'jd_alignment', 'action_verbs', 'overall_preference'] as const) {
      expect(c[m]).toBe(m === expectedMetric[w] ? -0.25 : 0);
    }
  });
});

describe('total reward', () => {
  it('normalizes -7 -> 0 and +8 -> 100', () => {
    expect(REWARD_MIN).toBe(-7);
    expect(REWARD_MAX).toBe(8);
    expect(normalizeReward(-7)).toBe(0);
    expect(normalizeReward(8)).toBe(100);
    expect(normalizeReward(0.5)).toBe(50);
  });

  it('no edit: no judge call, content -1.25', async () => {
    const judge = fixedJudge(BEST);
    const r = await scoreEpisode({ row: makeRow(), outcomes: [REVIEW, SUBMIT], finalDoc: RESUME, judge });
    expect(judge.calls).toHaveLength(0);
    expect(r.content).toMatchObject({ source: 'no_edit', action_verbs: -0.25, total: -1.25 });
    expect(r.total).toBe(2 + 1 - 1.25);
  });

  it('edits that restore the original take the no-edit shortcut too', async () => {
    const judge = fixedJudge(BEST);
    const r = await scoreEpisode({ row: makeRow(), outcomes: [OK, OK, SUBMIT], finalDoc: RESUME, judge });
    expect(judge.calls).toHaveLength(0);
    expect(r.content!.source).toBe('no_edit');
  });

  it('with an edit the judge sees JD, original, revision and weakness', async () => {
    const judge = fixedJudge(BEST);
    const row = makeRow();
    const revised = RESUME.replace('Responsible for', 'Owned');
    const r = await scoreEpisode({ row, outcomes: [OK, SUBMIT], finalDoc: revised, judge });
    expect(judge.calls).toEqual([{ jd: row.jd, original: RESUME, revised, weakness: row.weakness }]);
    expect(r.content!.verdict).toEqual(BEST);
    expect(r.total).toBe(1.25 + 1 + 3);
    expect(r.normalized).toBeCloseTo((100 * (5.25 + 7)) / 15, 12);
  });

  it('a judge failure leaves content and total undefined, never 0', async () => {
    const r = await scoreEpisode({
      row: makeRow(),
      outcomes: [OK, SUBMIT],
      finalDoc: RESUME + 'x\n',
      judge: fixedJudge(new Error('HTTP 503 after 3 retries')),
    });
    expect(r.content).toBeUndefined();
    expect(r.total).toBeUndefined();
    expect(r.normalized).toBeUndefined();
    expect(r.judgeError).toBe('judge fixed failed: Error: HTTP 503 after 3 retries');
    expect(r.tool.total).toBe(1.25);
    expect(r.layout.total).toBe(1);
  });

  it('an invalid verdict is a judge failure', async () => {
    const bad = { ...BEST, clarity: 'much better' } as unknown as typeof BEST;
    const r = await scoreEpisode({ row: makeRow(), outcomes: [OK], finalDoc: 'x\n', judge: fixedJudge(bad) });
    expect(r.total).toBeUndefined();
    expect(r.judgeError).toMatch(/^judge fixed returned an invalid verdict: clarity: /);
  });

  it('the range is exactly [-7, +8] over every 10-turn outcome mix', () => {
    // Enumerate counts of each outcome kind (order does not matter to the rubric), with or without a
    // final submit, and both layout results and content extremes.
    let lo = Infinity;
    let hi = -Infinity;
    for (let ok = 0; ok <= 10; ok++)
      for (let fail = 0; ok + fail <= 10; fail++)
        for (let rev = 0; ok + fail + rev <= 10; rev++)
          for (let bad = 0; ok + fail + rev + bad <= 10; bad++)
            for (const submit of [false, true]) {
              const n = ok + fail + rev + bad + (submit ? 1 : 0);
              if (n > 10 || n === 0) continue;
              const outcomes: CallOutcome[] = [
                ...Array<CallOutcome>(ok).fill(OK),
                ...Array<CallOutcome>(fail).fill(FAIL),
                ...Array<CallOutcome>(rev).fill(REVIEW),
                ...Array<CallOutcome>(bad).fill(BROKEN),
                ...(submit ? [SUBMIT] : []),
              ];
              const tool = toolSyntaxScore(outcomes).total;
              const contents = ok > 0 ? [contentFromVerdict(WORST).total, contentFromVerdict(BEST).total] : [contentNoEdit('no_metrics').total];
              for (const layout of [-1, 1])
                for (const c of contents) {
                  lo = Math.min(lo, tool + layout + c);
                  hi = Math.max(hi, tool + layout + c);
                }
            }
    expect(lo).toBe(-7);
    expect(hi).toBe(8);
  });
});

describe('weaknessMetric (the one weakness -> metric table)', () => {
  it('maps every known weakness type given as a string and rejects unknown ones', () => {
    expect(weaknessMetric('no_metrics')).toBe('quantification');
    expect(weaknessMetric('formatting_inconsistent')).toBe('clarity');
    expect(weaknessMetric('toString')).toBeUndefined();
    expect(weaknessMetric('bad_type')).toBeUndefined();
  });
});
