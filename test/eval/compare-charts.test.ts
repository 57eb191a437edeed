// `npm run eval -- --compare A B --out DIR` end to end on two scripted evaluations: compare.md
// with the table and each chart linked, every chart as a valid SVG and PNG drawn without warnings,
// titles naming the judge, and base and trained in the same two colours on every chart.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareCharts } from '../../src/eval/compare-charts.js';
import { compareSaved } from '../../src/eval/compare.js';
import { PALETTE } from '../../src/chart/vl.js';
import { writeSyntheticEval } from './synthetic-eval.js';

const root = mkdtempSync(join(tmpdir(), 'cmp-charts-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const NAMES = ['compare-reward-histogram', 'compare-per-example', 'compare-metrics'];

describe('compare charts', () => {
  const out = join(root, 'out');
  let run: ReturnType<typeof spawnSync>;
  beforeAll(async () => {
    await writeSyntheticEval(join(root, 'base'), { policy: 'base', rows: 4, rolloutsPerRow: 3 });
    await writeSyntheticEval(join(root, 'trained'), { policy: 'trained', rows: 4, rolloutsPerRow: 3 });
    run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/eval.ts', '--compare', join(root, 'base'), join(root, 'trained'), '--out', out], { encoding: 'utf8' });
  }, 120_000);

  it('writes compare.md and each chart as SVG and PNG, with no warnings', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['compare.md', ...NAMES.flatMap((n) => [`${n}.png`, `${n}.svg`])].sort());
    const md = readFileSync(join(out, 'compare.md'), 'utf8');
    expect(md.startsWith(compareSaved(join(root, 'base'), join(root, 'trained')).markdown)).toBe(true);
    for (const n of NAMES) expect(md).toMatch(new RegExp(`!\\[[^\\]]+\\]\\(${n}\\.png\\)\\n\\n\\[SVG\\]\\(${n}\\.svg\\)`));
    for (const n of NAMES) {
      const png = readFileSync(join(out, `${n}.png`));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(png.length).toBeGreaterThan(10_000);
      const svg = readFileSync(join(out, `${n}.svg`), 'utf8');
      const w = Number(/^<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);
      expect(png.readUInt32BE(16)).toBe(Math.round(2 * w)); // PNG at twice the SVG's size
    }
  });

  it('titles name the judge and the examples won; base and trained keep their colours', () => {
    const c = compareSaved(join(root, 'base'), join(root, 'trained'));
    const charts = compareCharts(c);
    expect(charts.map((x) => x.name)).toEqual(NAMES);
    for (const ch of charts) {
      expect(ch.title).toContain('(offline rules judge)');
      const json = JSON.stringify(ch.spec);
      expect(json).toContain(JSON.stringify({ domain: ['base', 'trained'], range: [PALETTE[0], PALETTE[1]] }));
    }
    expect(charts[1]!.title).toContain(`trained higher on ${c.won} of ${c.common}`);
    // Different judges, one with a long name: both named, on lines of their own.
    const long = compareCharts({ ...c, judges: { base: 'judge gpt-4.1-mini', trained: 'judge Qwen/Qwen3-235B-A22B-Instruct-2507' } })[0]!;
    expect((long.spec as { title: { text: unknown } }).title.text).toEqual(['Reward distribution, base vs trained', 'base: judge gpt-4.1-mini', 'trained: judge Qwen/Qwen3-235B-A22B-Instruct-2507 (different judges)']);
  });
});
