import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTINE } from '../../src/data/catalog/phrases.js';
import { ROLES } from '../../src/data/catalog/roles.js';
import { VERTICALS } from '../../src/data/catalog/verticals.js';
import { VERBS, WEAK_OPENERS } from '../../src/data/catalog/verbs.js';
import { checkRow } from '../../src/data/check.js';
import { generateDataset, planDataset, weaknessCounts, type Dataset } from '../../src/data/generate.js';
import { layoutLineCount } from '../../src/data/layout.js';
import { SENIORITY } from '../../src/data/persona.js';
import { DataRow, WEAKNESS_TYPES } from '../../src/data/schema.js';
import { BULLET_RE, outline } from '../../src/data/sections.js';

let ds: Dataset;
let rows: DataRow[];
let ms = 0;

beforeAll(() => {
  const t0 = performance.now();
  ds = generateDataset('42');
  ms = performance.now() - t0;
  rows = [...ds.train, ...ds.eval];
});

/** Bullet text without marker, indentation or "**Project:** " prefix. */
const body = (line: string): string => line.replace(/^\s*[-*+•]\s+/, '').replace(/^\*\*[^*]+:\*\*\s+/, '');
/** Digits that are part of product/standard names are not quantities. */
const NAMES = /ISO \d+|WCAG \d\.\d|SOC 2|PCI DSS|k6|5G|I2C|Cortex-M\d*|ARM|MLOps/g;
const hasQuantity = (s: string): boolean =>
  /\d|\b(zero|one|two|three|four|five|six|seven|eight|nine|ten|dozens?|hundreds?|thousands?)\b/i.test(s.replace(NAMES, ''));
const weakSet = (r: DataRow): Set<number> => new Set(r.weakness.lines.map((w) => w.line));
const bulletsOf = (r: DataRow): { line: number; text: string; weak: boolean }[] => {
  const o = outline(r.resume);
  const weak = weakSet(r);
  return o.bulletLines.map((n) => ({ line: n, text: o.lines[n - 1] as string, weak: weak.has(n) }));
};
const ofType = (t: string): DataRow[] => rows.filter((r) => r.weakness.type === t);

describe('procedural dataset', () => {
  it('is fast', () => {
    console.log(`generateDataset: 200 rows in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(5000); // target < 2 s; slack for a loaded 2-core CI box
  });

  it('has 160 train and 40 eval rows with unique ids, all valid', () => {
    expect(ds.train).toHaveLength(160);
    expect(ds.eval).toHaveLength(40);
    expect(new Set(rows.map((r) => r.id)).size).toBe(200);
    for (const r of rows) {
      expect(DataRow.safeParse(r).success).toBe(true);
      expect(checkRow(r)).toEqual([]);
      expect(r.id.startsWith(`${r.split}-`)).toBe(true);
    }
  });

  it('spreads weaknesses evenly: train 27x4 + 26x2, eval 6x2 + 7x4', () => {
    expect(Object.values(weaknessCounts(160, 'train'))).toEqual([27, 27, 27, 27, 26, 26]);
    expect(Object.values(weaknessCounts(40, 'eval'))).toEqual([6, 6, 7, 7, 7, 7]);
    for (const split of ['train', 'eval'] as const) {
      const want = weaknessCounts(ds[split].length, split);
      for (const w of WEAKNESS_TYPES) expect(ds[split].filter((r) => r.weakness.type === w).length).toBe(want[w]);
    }
  });

  it('covers every role, level, vertical and role x level cell, balanced per split', () => {
    const cells = new Set(rows.map((r) => `${r.persona.role}/${r.persona.seniority}`));
    expect(cells.size).toBe(ROLES.length * SENIORITY.length);
    expect(ROLES).toHaveLength(19);
    expect(SENIORITY).toHaveLength(6);
    expect(VERTICALS).toHaveLength(39);
    expect(new Set(VERTICALS.map((v) => v.name)).size).toBe(39);
    for (const split of ['train', 'eval'] as const) {
      const perRole = ROLES.map((ro) => ds[split].filter((r) => r.persona.role === ro.name).length);
      expect(Math.max(...perRole) - Math.min(...perRole)).toBeLessThanOrEqual(1);
      const perLevel = SENIORITY.map((s) => ds[split].filter((r) => r.persona.seniority === s).length);
      expect(Math.max(...perLevel) - Math.min(...perLevel)).toBeLessThanOrEqual(1);
      const verts = new Set(ds[split].map((r) => r.persona.vertical));
      expect(verts.size).toBe(Math.min(39, ds[split].length));
    }
  });

  it('weak line metadata points at the exact resume lines (1-based)', () => {
    for (const r of rows) {
      const lines = r.resume.split('\n'); // independent of splitLines
      expect(r.weakness.lines.length).toBeGreaterThan(0);
      for (const w of r.weakness.lines) {
        expect(lines[w.line - 1], `${r.id} line ${w.line}`).toBe(w.text);
        expect(w.reason.length).toBeGreaterThan(10);
      }
      const nums = r.weakness.lines.map((w) => w.line);
      expect(nums).toEqual([...nums].sort((a, b) => a - b));
    }
  });

  it('only too_long starts over 55 layout lines; the others sit at 44-50', () => {
    for (const r of rows) {
      expect(r.stats.lines).toBe(layoutLineCount(r.resume));
      if (r.weakness.type === 'too_long') expect(r.stats.lines).toBeGreaterThan(55);
      else {
        expect(r.stats.lines).toBeGreaterThanOrEqual(44);
        expect(r.stats.lines).toBeLessThanOrEqual(50);
      }
      expect(r.resume.endsWith('\n') && !r.resume.endsWith('\n\n')).toBe(true);
    }
  });

  it('has about 60% weak bullets per resume', () => {
    let weak = 0;
    let all = 0;
    for (const r of rows) {
      const bs = bulletsOf(r);
      expect(r.stats.bullets).toBe(bs.length);
      expect(r.stats.weak_bullets).toBe(bs.filter((b) => b.weak).length);
      const ratio = r.stats.weak_bullets / r.stats.bullets;
      expect(ratio, r.id).toBeGreaterThanOrEqual(0.5);
      expect(ratio, r.id).toBeLessThanOrEqual(0.7);
      weak += r.stats.weak_bullets;
      all += r.stats.bullets;
    }
    expect(Math.abs(weak / all - 0.6)).toBeLessThan(0.03);
  });

  it('strong bullets are quantified in the bullet-level weakness types', () => {
    for (const t of ['vague_bullets', 'no_metrics', 'weak_verbs', 'formatting_inconsistent']) {
      for (const r of ofType(t)) {
        for (const b of bulletsOf(r).filter((x) => !x.weak)) expect(hasQuantity(body(b.text)), `${r.id}: ${b.text}`).toBe(true);
      }
    }
  });

  it('vague_bullets: weak bullets are generic and unquantified', () => {
    for (const r of ofType('vague_bullets')) {
      for (const b of bulletsOf(r).filter((x) => x.weak)) {
        expect(hasQuantity(body(b.text)), b.text).toBe(false);
        expect(body(b.text)).toMatch(/various|helped|responsible|support|involved|contribut|handled|worked|took part|did |improve|collaborat|assist|part of|key role|used |participated|kept /i);
      }
    }
  });

  it('no_metrics: weak bullets open with an action verb and carry no quantity', () => {
    const pasts = Object.values(VERBS).flat().map((v) => v.past);
    for (const r of ofType('no_metrics')) {
      for (const b of bulletsOf(r).filter((x) => x.weak)) {
        const text = body(b.text);
        expect(hasQuantity(text), text).toBe(false);
        expect(pasts.some((p) => text.startsWith(`${p} `)), text).toBe(true);
      }
    }
  });

  it('weak_verbs: weak bullets open with a passive or hedged construction', () => {
    const openers = [...WEAK_OPENERS.gerund, ...WEAK_OPENERS.base];
    for (const r of ofType('weak_verbs')) {
      for (const b of bulletsOf(r).filter((x) => x.weak)) {
        const text = body(b.text);
        const ok = openers.some((o) => text.startsWith(`${o} `)) || / (was|were) [a-z]+/.test(text);
        expect(ok, text).toBe(true);
      }
    }
  });

  it('too_long: weak bullets are routine duties', () => {
    const patterns = ROUTINE.map((t) => new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{\w+\\?\}/g, '.+')}$`));
    for (const r of ofType('too_long')) {
      const weak = bulletsOf(r).filter((x) => x.weak);
      expect(weak.length).toBeGreaterThan(0);
      for (const b of weak) expect(patterns.some((p) => p.test(body(b.text).replace(/\.?$/, '.'))), b.text).toBe(true);
    }
  });

  it('wrong_emphasis: the summary is flagged; unrelated work leads and relevant work trails each role', () => {
    for (const r of ofType('wrong_emphasis')) {
      const o = outline(r.resume);
      const summary = o.sections.find((s) => ['summary', 'professional summary', 'profile'].includes(s.name));
      expect(summary).toBeDefined();
      const weak = new Map(r.weakness.lines.map((w) => [w.line, w.reason]));
      const summaryLine = o.lines.findIndex((l, i) => i >= (summary as { line: number }).line && l.trim() !== '') + 1;
      expect(weak.get(summaryLine), r.id).toMatch(/summary/);
      // Within each run of consecutive bullets: misplaced (0) <= strong (1) <= undersold (2).
      let prev = -1;
      for (let i = 0; i < o.lines.length; i++) {
        if (!BULLET_RE.test(o.lines[i] as string)) {
          prev = -1;
          continue;
        }
        const reason = weak.get(i + 1);
        const rank = reason === undefined ? 1 : reason.startsWith('misplaced') ? 0 : reason.startsWith('undersold') ? 2 : 1;
        expect(rank, `${r.id} line ${i + 1}`).toBeGreaterThanOrEqual(prev);
        prev = rank;
      }
      expect(r.weakness.lines.some((w) => w.reason.startsWith('undersold'))).toBe(true);
    }
  });

  it('formatting_inconsistent: mixed dates, headings and bullet markers are flagged', () => {
    for (const r of ofType('formatting_inconsistent')) {
      const reasons = r.weakness.lines.map((w) => w.reason).join('\n');
      expect(reasons).toMatch(/date format/);
      expect(reasons).toMatch(/section heading/);
      expect(reasons).toMatch(/job header/);
      expect(reasons).toMatch(/bullet marker/);
      const markers = new Set(bulletsOf(r).map((b) => b.text.trim()[0]));
      expect(markers.size, r.id).toBeGreaterThan(1);
    }
  });

  it('JD matches the persona: same role ladder, industry, focus', () => {
    for (const r of rows) {
      const role = ROLES.find((ro) => ro.name === r.persona.role);
      expect(role).toBeDefined();
      const title = r.jd.split('\n')[0]?.replace(/^# /, '');
      expect(role?.titles).toContain(title);
      expect(r.jd).toContain("## What you'll do");
      for (const c of r.persona.companies) expect(r.resume).toContain(c);
      for (const s of r.persona.stack) expect(r.resume).toContain(s);
    }
  });

  it('rows are not near-copies', () => {
    const mask = (s: string): string => body(s).replace(/\d+(\.\d+)?/g, '#');
    const sets = rows.map((r) => new Set(bulletsOf(r).map((b) => mask(b.text))));
    let max = 0;
    for (let i = 0; i < sets.length; i++) {
      for (let j = i + 1; j < sets.length; j++) {
        const a = sets[i] as Set<string>;
        const b = sets[j] as Set<string>;
        let inter = 0;
        for (const x of a) if (b.has(x)) inter++;
        max = Math.max(max, inter / (a.size + b.size - inter));
      }
    }
    expect(max).toBeLessThan(0.3);
    const all = sets.flatMap((s) => [...s]);
    expect(new Set(all).size / all.length).toBeGreaterThan(0.85);
    expect(new Set(rows.map((r) => r.persona.name)).size).toBeGreaterThan(180);
  });

  it('depends on the seed', () => {
    const plan42 = planDataset('42');
    const plan7 = planDataset('7');
    expect(plan7.map((p) => p.weakness)).not.toEqual(plan42.map((p) => p.weakness));
    const other = generateDataset('7', { train: 3, eval: 1 });
    expect(other.train[0]?.resume).not.toBe(ds.train[0]?.resume);
  });
});
