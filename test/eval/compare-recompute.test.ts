// Every cell of `--compare`'s table recomputed from the two evaluations' rollouts.jsonl alone, with
// plain loops here (not buildReport): base, trained and change of each metric as printed, examples
// won, and the permutation p-values (src/eval/stats.ts on the recomputed per-rollout values). A row
// added to the table without a recomputation here fails. The evaluations are scripted policies run
// through the real evaluation path (test/eval/synthetic-eval.ts). Also: the rest of eval.json
// (per weakness, per example, histogram, edits, lines, words) follows from the log as well.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSaved, type Comparison } from '../../src/eval/compare.js';
import { readRolloutLog, readSavedEval, type LoggedRollout } from '../../src/eval/saved.js';
import { permutationTest } from '../../src/eval/stats.js';
import { writeSyntheticEval } from './synthetic-eval.js';

const root = mkdtempSync(join(tmpdir(), 'cmp-recompute-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The judge's fields, as the table names them (hallucination has its own row). */
const FIELDS = ['clarity', 'quantification', 'jd_alignment', 'action_verbs', 'overall_preference', 'hallucination'] as const;
type Field = (typeof FIELDS)[number];

/** One evaluation's numbers, from its log. */
interface Recomputed {
  rows: number;
  rollouts: number;
  rewards: number[]; // scored rollouts, in log order
  fields: Record<Field, number[]>; // scored rollouts, in log order
  meanReward: number;
  submitRate: number;
  editFailureRate: number;
  contentQuality: number;
  layoutPassRate: number;
  fieldMeans: Record<Field, number>;
  perExample: Map<string, number>; // mean reward over scored rollouts
}

function recompute(log: LoggedRollout[]): Recomputed {
  const rewards: number[] = [];
  const fields = Object.fromEntries(FIELDS.map((f) => [f, [] as number[]])) as Record<Field, number[]>;
  let submitted = 0, ok = 0, failed = 0, passed = 0, content = 0, scored = 0, sum = 0;
  const perRow = new Map<string, { sum: number; n: number }>();
  for (const r of log) {
    const b = r.reward.breakdown;
    if (b.tool.submitted) submitted++;
    ok += b.tool.strReplaceOk;
    failed += b.tool.strReplaceFailed;
    if (b.layout.pass) passed++;
    const row = perRow.get(r.row) ?? { sum: 0, n: 0 };
    perRow.set(r.row, row);
    if (r.reward.total === undefined) continue; // judge failed: no reward, no content
    scored++;
    sum += r.reward.total;
    rewards.push(r.reward.total);
    row.sum += r.reward.total;
    row.n++;
    content += b.content!.total;
    for (const f of FIELDS) fields[f].push(b.content![f]);
  }
  const fieldMeans = {} as Record<Field, number>;
  for (const f of FIELDS) {
    let s = 0;
    for (const v of fields[f]) s += v;
    fieldMeans[f] = s / fields[f].length;
  }
  const perExample = new Map<string, number>();
  for (const [id, { sum: s, n }] of perRow) perExample.set(id, n ? s / n : NaN);
  return {
    rows: perRow.size,
    rollouts: log.length,
    rewards,
    fields,
    meanReward: sum / scored,
    submitRate: submitted / log.length,
    editFailureRate: ok + failed ? failed / (ok + failed) : 0,
    contentQuality: content / scored,
    layoutPassRate: passed / log.length,
    fieldMeans,
    perExample,
  };
}

// The table's formats, written out again here.
const two = (x: number) => x.toFixed(2);
const percent = (x: number) => `${(100 * x).toFixed(0)}%`;
const signed = (x: number, d: number) => (Math.abs(x) < 0.5 * 10 ** -d ? (0).toFixed(d) : `${x > 0 ? '+' : ''}${x.toFixed(d)}`);
const points = (a: number, b: number) => signed(b - a, 2);
const pp = (a: number, b: number) => `${signed(100 * (b - a), 0)} pp`;
const pValue = (p: number) => (p < 0.0001 ? '< 0.0001' : p.toFixed(4));

/** Each row the table must have: metric -> [base, trained, change, p]. */
function expectedRows(a: Recomputed, b: Recomputed): Map<string, string[]> {
  const rate = (x: number, y: number) => [percent(x), percent(y), pp(x, y), ''];
  const mean = (x: number, y: number, p?: [number[], number[]]) => [two(x), two(y), points(x, y), p ? pValue(permutationTest(p[0], p[1]).p) : ''];
  const rows = new Map<string, string[]>([
    ['mean reward', mean(a.meanReward, b.meanReward, [a.rewards, b.rewards])],
    ['submit rate', rate(a.submitRate, b.submitRate)],
    ['edit failure rate (failed / all str_replace)', rate(a.editFailureRate, b.editFailureRate)],
    ['hallucination score (mean of that field)', mean(a.fieldMeans.hallucination, b.fieldMeans.hallucination, [a.fields.hallucination, b.fields.hallucination])],
    ['content quality (mean content)', mean(a.contentQuality, b.contentQuality)],
    ['layout pass rate', rate(a.layoutPassRate, b.layoutPassRate)],
  ]);
  for (const f of FIELDS.filter((x) => x !== 'hallucination')) rows.set(`judge ${f} (mean points)`, mean(a.fieldMeans[f], b.fieldMeans[f], [a.fields[f], b.fields[f]]));
  let won = 0;
  for (const [id, m] of a.perExample) if (b.perExample.get(id)! > m) won++;
  rows.set('examples won (higher mean reward in trained)', ['', '', `${won}/${a.perExample.size}`, '']);
  return rows;
}

/** The body rows of the comparison's table: metric -> its other cells. */
function tableRows(markdown: string): Map<string, string[]> {
  const lines = markdown.split('\n');
  const start = lines.indexOf('| metric | base | trained | change | p (permutation) |');
  expect(start).toBeGreaterThan(0);
  expect(lines[start + 1]).toBe('|---|---|---|---|---|');
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    expect(cells, line).toHaveLength(5);
    expect(rows.has(cells[0]!), `row '${cells[0]}' twice`).toBe(false);
    rows.set(cells[0]!, cells.slice(1));
  }
  return rows;
}

describe('the comparison table, recomputed from rollouts.jsonl', () => {
  const base = join(root, 'base');
  const trained = join(root, 'trained');
  let c: Comparison;
  let a: Recomputed, b: Recomputed;
  beforeAll(async () => {
    await writeSyntheticEval(base, { policy: 'base', rows: 6, rolloutsPerRow: 5 });
    await writeSyntheticEval(trained, { policy: 'trained', rows: 6, rolloutsPerRow: 5 });
    c = compareSaved(base, trained);
    a = recompute(readRolloutLog(base));
    b = recompute(readRolloutLog(trained));
  }, 120_000);

  it('the evaluations cover what the table measures (else a cell checks nothing)', () => {
    for (const r of [a, b]) {
      expect(r.rewards.length).toBeLessThan(r.rollouts); // a judge failure
      expect(r.submitRate).toBeGreaterThan(0);
      expect(r.submitRate).toBeLessThan(1);
      expect(r.editFailureRate).toBeGreaterThan(0);
      expect(r.layoutPassRate).toBeLessThan(1);
      expect(new Set(r.rewards).size).toBeGreaterThan(3);
    }
    expect(c.won).toBeGreaterThan(0);
    expect(c.won).toBeLessThan(c.common); // trained loses some examples
  });

  it('every cell: base, trained, change, p, and examples won', () => {
    const expected = expectedRows(a, b);
    const table = tableRows(c.markdown);
    for (const [metric, cells] of table) {
      expect(expected.has(metric), `table row '${metric}' has no recomputation in this test`).toBe(true);
      expect(cells, metric).toEqual(expected.get(metric));
    }
    expect([...table.keys()]).toEqual([...expected.keys()]);
  });

  it('the header: examples, rollouts per example and rollouts of each side', () => {
    for (const [side, r, dir] of [['base (A)', a, base], ['trained (B)', b, trained]] as const) {
      expect(c.markdown).toContain(`${side}: scripted ${side.split(' ')[0]} policy, ${join(dir, 'eval.json')}, ${r.rows} examples x ${r.rollouts / r.rows} rollouts = ${r.rollouts}`);
    }
  });

  it('the rest of eval.json follows from the log too: per weakness, per example, histogram, edits, lines, words', () => {
    for (const dir of [base, trained]) {
      const saved = readSavedEval(dir);
      const log = readRolloutLog(dir);
      expect(log.every((r) => r.weakness !== undefined)).toBe(true);
      const scored = log.filter((r) => r.reward.total !== undefined);
      const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
      expect(saved.unscored).toBe(log.length - scored.length);
      expect(saved.meanLines).toBeCloseTo(meanOf(log.map((r) => r.reward.breakdown.layout.lines)), 12);
      const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
      expect(saved.wordsPerRollout).toBeCloseTo(meanOf(log.map((r) => r.turns.reduce((s, t) => s + words(t.assistant), 0))), 12);
      expect(saved.editsPerRollout.ok).toBeCloseTo(meanOf(log.map((r) => r.reward.breakdown.tool.strReplaceOk)), 12);
      expect(saved.editsPerRollout.failed).toBeCloseTo(meanOf(log.map((r) => r.reward.breakdown.tool.strReplaceFailed)), 12);
      expect(saved.negativeRewardShare).toBeCloseTo(scored.filter((r) => r.reward.total! < 0).length / scored.length, 12);
      expect(saved.components.tool).toBeCloseTo(meanOf(log.map((r) => r.reward.breakdown.tool.total)), 12);
      expect(saved.components.layout).toBeCloseTo(meanOf(log.map((r) => r.reward.breakdown.layout.total)), 12);
      const counts = new Array<number>(30).fill(0);
      for (const r of scored) counts[Math.min(29, Math.floor((r.reward.total! + 7) / 0.5))]!++;
      expect(saved.histogram.counts).toEqual(counts);
      for (const w of new Set(log.map((r) => r.weakness!))) {
        const all = log.filter((r) => r.weakness === w);
        const sc = all.filter((r) => r.reward.total !== undefined);
        expect(saved.perWeakness[w]!.rollouts).toBe(all.length);
        expect(saved.perWeakness[w]!.meanReward).toBeCloseTo(meanOf(sc.map((r) => r.reward.total!)), 12);
        expect(saved.perWeakness[w]!.components!.content).toBeCloseTo(meanOf(sc.map((r) => r.reward.breakdown.content!.total)), 12);
      }
      for (const [id, v] of Object.entries(saved.perExample!)) {
        const rs = log.filter((r) => r.row === id && r.reward.total !== undefined).map((r) => r.reward.total!);
        expect([v.rollouts, v.min, v.max]).toEqual([log.filter((r) => r.row === id).length, Math.min(...rs), Math.max(...rs)]);
        expect(v.meanReward).toBeCloseTo(meanOf(rs), 12);
      }
    }
  });

  it('reads a log written before lines named their weakness, and names a bad line', () => {
    const line = JSON.parse(readFileSync(join(base, 'rollouts.jsonl'), 'utf8').split('\n')[0]!);
    delete line.weakness;
    writeFileSync(join(root, 'old.jsonl'), JSON.stringify(line) + '\n');
    expect(readRolloutLog(join(root, 'old.jsonl'))[0]!.weakness).toBeUndefined();
    writeFileSync(join(root, 'bad.jsonl'), JSON.stringify(line) + '\n{"row": 1}\n');
    expect(() => readRolloutLog(join(root, 'bad.jsonl'))).toThrow(/bad\.jsonl:2: not a logged rollout: row:/);
  });
});
