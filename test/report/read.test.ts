// Reading metrics.jsonl / evals.jsonl leniently: malformed lines skipped with their line numbers,
// reward components read generically (another environment's names), optional and unknown fields.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseEvals, parseMetrics, readEvals, readMetrics } from '../../src/report/read.js';

const root = mkdtempSync(join(tmpdir(), 'report-read-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const line = (o: object) => JSON.stringify(o);
const step = (s: number, extra: object = {}) => ({ step: s, reward: { mean: s, min: s - 1, max: s + 1, tool: 0.5, layout: 0.25, content: s - 0.75 }, submitRate: 0.5, loss: 0.1, seconds: { rollout: 1, train: 2, sync: 0.5 }, ...extra });

describe('parseMetrics', () => {
  it('skips malformed lines with a warning naming the line number, keeps the rest', () => {
    const text = [line(step(1)), '{not json', '', line({ step: 2 }), line({ reward: { mean: 1, min: 0, max: 2 } }), line(step(3)), line({ step: 'four', reward: {} })].join('\n') + '\n';
    const r = parseMetrics(text, 'run/metrics.jsonl');
    expect(r.rows.map((x) => x.step)).toEqual([1, 3]);
    expect(r.lines).toBe(6); // blank lines are not counted
    expect(r.warnings).toHaveLength(4);
    expect(r.warnings[0]).toMatch(/^run\/metrics\.jsonl:2: not JSON, skipped$/);
    expect(r.warnings[1]).toMatch(/^run\/metrics\.jsonl:4: reward: .*skipped$/);
    expect(r.warnings[2]).toMatch(/^run\/metrics\.jsonl:5: step: .*skipped$/);
    expect(r.warnings[3]).toMatch(/^run\/metrics\.jsonl:7: /);
  });

  it('reads every numeric reward key but mean/min/max as a component (any environment)', () => {
    const r = parseMetrics(line({ step: 1, reward: { mean: 2, min: 1, max: 3, correctness: 1.5, format: 0.5, note: 'x', nested: { a: 1 } } }));
    expect(r.warnings).toEqual([]);
    expect(r.rows[0]!.components).toEqual({ correctness: 1.5, format: 0.5 });
    expect(r.rows[0]!.reward).toEqual({ mean: 2, min: 1, max: 3 });
  });

  it("reads the environment's metrics; submit and edit failure rates from them when not top-level", () => {
    const line = { step: 1, reward: { mean: 0, min: 0, max: 0 }, metrics: { submitRate: 0.5, editsOk: 3, editsFailed: 1, note: 'x' } };
    const [row] = parseMetrics(JSON.stringify(line)).rows;
    expect(row!.envMetrics).toEqual({ submitRate: 0.5, editsOk: 3, editsFailed: 1 });
    expect(row!.submitRate).toBe(0.5);
    expect(row!.editFailureRate).toBe(0.25);
    const none = parseMetrics(JSON.stringify({ ...line, metrics: { exactRate: 0.1 } })).rows[0]!;
    expect(none.submitRate).toBeUndefined();
    expect(none.editFailureRate).toBeUndefined();
    expect(none.envMetrics).toEqual({ exactRate: 0.1 });
  });

  it('optional fields: absent, null or of the wrong type read as absent; unknown fields are ignored', () => {
    const r = parseMetrics(
      [
        line({ step: 1, reward: { mean: 1, min: 0, max: 2 } }),
        line({ ...step(2), submitRate: 'high', editFailureRate: 0.25, loss: null, seconds: 'slow', someFutureField: { deep: [1, 2] }, phaseSeconds: { backward: 1 } }),
      ].join('\n'),
    );
    expect(r.warnings).toEqual([]);
    const [a, b] = r.rows;
    expect(a!.submitRate).toBeUndefined();
    expect(a!.components).toEqual({});
    expect(a!.seconds).toEqual({});
    expect(b!.submitRate).toBeUndefined();
    expect(b!.editFailureRate).toBe(0.25);
    expect(b!.loss).toBeUndefined();
    expect(b!.seconds).toEqual({});
  });

  it("reads JSON's null (the trainer's NaN: every rollout dropped) as no value; a repeated step keeps the last line", () => {
    const r = parseMetrics([line(step(1)), line({ step: 2, reward: { mean: null, min: null, max: null } }), line(step(1, { loss: 9 }))].join('\n'));
    expect(r.rows.map((x) => [x.step, x.reward.mean])).toEqual([[1, 1], [2, null]]);
    expect(r.rows[0]!.loss).toBe(9);
    expect(r.warnings).toEqual(['metrics.jsonl:3: step 1 again; this line replaces the earlier one']);
  });
});

describe('parseEvals', () => {
  it('reads components generically and other numeric fields as "other"', () => {
    const r = parseEvals(
      [
        line({ step: 5, meanReward: 1.5, submitRate: 0.5, editFailureRate: 0.1, hallucination: 0.2, layoutPassRate: 0.7, components: { tool: 1, layout: 0.5 }, rollouts: 8, unscored: 0, seconds: 3 }),
        'oops',
        line({ step: 10, meanReward: null, components: { accuracy: 0.9 }, passAt1: 0.4 }),
      ].join('\n'),
      'evals.jsonl',
    );
    expect(r.warnings).toEqual(['evals.jsonl:2: not JSON, skipped']);
    expect(r.rows[0]).toEqual({ step: 5, meanReward: 1.5, submitRate: 0.5, editFailureRate: 0.1, components: { tool: 1, layout: 0.5 }, other: { hallucination: 0.2, layoutPassRate: 0.7 } });
    expect(r.rows[1]).toEqual({ step: 10, meanReward: null, components: { accuracy: 0.9 }, other: { passAt1: 0.4 } });
  });
});

describe('readMetrics / readEvals', () => {
  it('name the file when metrics.jsonl is missing, empty or has no readable line; no evals.jsonl is no evaluations', () => {
    const dir = join(root, 'r');
    expect(() => readMetrics(join(dir, 'metrics.jsonl'))).toThrow(/r\/metrics\.jsonl not found/);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'metrics.jsonl'), '\n');
    expect(() => readMetrics(join(dir, 'metrics.jsonl'))).toThrow(/metrics\.jsonl is empty/);
    writeFileSync(join(dir, 'metrics.jsonl'), 'x\n{}\n');
    expect(() => readMetrics(join(dir, 'metrics.jsonl'))).toThrow(/has no readable step \(all 2 line\(s\) skipped\)[\s\S]*metrics\.jsonl:1: not JSON/);
    expect(readEvals(join(dir, 'evals.jsonl'))).toEqual({ rows: [], warnings: [], lines: 0 });
  });
});
