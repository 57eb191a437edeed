// The whole report from synthetic run directories: the files it writes, valid PNGs of the
// expected size, the quarter table's numbers, skipped lines, compare overlays, and text drawn with
// the shipped font (system fonts off).
import { Resvg } from '@resvg/resvg-js';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultLabels, writeReport, type ReportResult } from '../../src/report/report.js';
import { resvgOptions } from '../../src/chart/render.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/chart/vl.js';
import { writeSyntheticRun } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'report-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Width and height from a PNG's IHDR chunk (after checking the signature). */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(buf.toString('latin1', 12, 16)).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

/** The root <svg>'s width and height attributes. */
function svgSize(svg: string): { width: number; height: number } {
  const m = /^<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  expect(m).not.toBeNull();
  return { width: Number(m![1]), height: Number(m![2]) };
}

/** Pixels that are clearly not white in a render. */
const inked = (px: Buffer): number => {
  let n = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i]! < 200 && px[i + 1]! < 200 && px[i + 2]! < 200) n++;
  return n;
};

describe('a single run with evaluations', () => {
  const dir = join(root, 'rising');
  let r: ReportResult;
  const warnings: string[] = [];
  beforeAll(async () => {
    writeSyntheticRun(dir, { steps: 40, seed: 3, evalEvery: 10 });
    appendFileSync(join(dir, 'metrics.jsonl'), '{"step": 41, "reward": \n'); // a line cut short by a crash
    r = await writeReport({ runs: [dir], scale: 1.25, warn: (w) => warnings.push(w) });
  });

  it('writes one SVG and PNG per chart and report.md into <run>/report', () => {
    expect(r.out).toBe(join(dir, 'report'));
    const names = r.charts.map((c) => c.name);
    expect(names).toEqual([
      'reward', 'reward-components', 'submit-rate', 'ratio-clipping', 'loss', 'grad-norm', 'time',
      'eval-reward', 'eval-components', 'eval-submit-rate', 'eval-edit-failure-rate', 'eval-other',
    ]);
    const files = readdirSync(r.out).sort();
    expect(files).toEqual([...names.flatMap((n) => [`${n}.png`, `${n}.svg`]), 'report.md'].sort());
  });

  it('PNGs are valid, nonzero, and the SVG size times the scale; one-panel charts are exactly CHART_WIDTH x CHART_HEIGHT', () => {
    for (const c of r.charts) {
      const png = readFileSync(join(r.out, `${c.name}.png`));
      expect(png.length).toBeGreaterThan(5000);
      const svg = svgSize(readFileSync(join(r.out, `${c.name}.svg`), 'utf8'));
      expect(pngSize(png)).toEqual({ width: Math.round(svg.width * 1.25), height: Math.round(svg.height * 1.25) });
      if (!['ratio-clipping', 'eval-other'].includes(c.name)) expect(svg).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    }
  });

  it('skips the malformed line with a warning naming its line number, and lists it in report.md', () => {
    expect(warnings).toEqual([`${join(dir, 'metrics.jsonl')}:41: not JSON, skipped`]);
    expect(readFileSync(join(r.out, 'report.md'), 'utf8')).toContain(`- ${join(dir, 'metrics.jsonl')}:41: not JSON, skipped`);
  });

  it('report.md shows every chart by a relative link and the evaluations table', () => {
    const md = readFileSync(join(r.out, 'report.md'), 'utf8');
    for (const c of r.charts) expect(md).toContain(`![${c.title}](${c.name}.png)`);
    expect(md).toMatch(/\| rising \| 5 \| after step 1 \| -?\d+\.\d\d \| after step 40 \| /);
  });

  it('draws text with the shipped font: the same SVG with no font files has no text at all', () => {
    const svg = readFileSync(join(r.out, 'loss.svg'), 'utf8');
    expect(svg).toContain('font-family="DejaVu Sans');
    const withFont = inked(new Resvg(svg, resvgOptions(1)).render().pixels);
    const noFont = inked(new Resvg(svg, resvgOptions(1, [])).render().pixels);
    expect(withFont - noFont).toBeGreaterThan(1000); // the title, axis titles and labels
    const text = '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text x="4" y="28" font-family="DejaVu Sans" font-size="20">Reward 123</text></svg>';
    expect(inked(new Resvg(text, resvgOptions(1)).render().pixels)).toBeGreaterThan(100);
    expect(inked(new Resvg(text, resvgOptions(1, [])).render().pixels)).toBe(0);
  });
});

describe('the quarter table', () => {
  it('is right for a hand-computed run whose step count is not divisible by 4', async () => {
    const dir = join(root, 'hand');
    mkdirSync(dir, { recursive: true });
    const means = [-2, -1, 0.5, 1, 1.5, 2, 2.5, 3, 4, 6]; // n = 10: q = 2
    writeFileSync(join(dir, 'metrics.jsonl'), means.map((m, i) => JSON.stringify({ step: i + 1, reward: { mean: m, min: m - 1, max: m + 1 } }) + '\n').join(''));
    const out = join(root, 'hand-report');
    const r = await writeReport({ runs: [dir], out, scale: 1, warn: () => {} });
    expect(r.runs[0]!.quarters.change).toBe(6.5);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('| hand | 10 | steps 1\u20132 | -1.50 | steps 9\u201310 | 5.00 | +6.50 |');
    // Only what the lines hold is charted: no components, rates, loss or time here.
    expect(r.charts.map((c) => c.name)).toEqual(['reward']);
  });
});

describe('another environment', () => {
  it('charts its reward components by their own names, and only the optional fields it logs', async () => {
    const dir = join(root, 'math');
    mkdirSync(dir, { recursive: true });
    const lines = [1, 2, 3, 4, 5, 6, 7, 8].map((s) =>
      JSON.stringify({ step: s, reward: { mean: s / 8, min: 0, max: 1, correctness: s / 10, format: s / 40 }, editFailureRate: 0.5 / s, unknownNewField: [s], seconds: { rollout: 2, train: 1, sync: 0, verify: 0.5 } }),
    );
    writeFileSync(join(dir, 'metrics.jsonl'), lines.join('\n') + '\n');
    const r = await writeReport({ runs: [dir], out: join(root, 'math-report'), scale: 1, warn: () => {} });
    expect(r.warnings).toEqual([]);
    expect(r.charts.map((c) => c.name)).toEqual(['reward', 'reward-components', 'edit-failure-rate', 'time']);
    const svg = readFileSync(join(r.out, 'reward-components.svg'), 'utf8');
    expect(svg).toContain('>correctness</text>');
    expect(svg).toContain('>format</text>');
    expect(readFileSync(join(r.out, 'time.svg'), 'utf8')).toContain('>verify</text>');
  });
});

describe('--compare', () => {
  it('overlays runs on the same charts, named by directory or by labels', async () => {
    const a = join(root, 'cmp', 'trained'), b = join(root, 'cmp', 'control');
    writeSyntheticRun(a, { steps: 24, seed: 5 });
    writeSyntheticRun(b, { steps: 20, from: -1, to: -1, seed: 6 });
    const out = join(root, 'cmp-report');
    const r = await writeReport({ runs: [a, b], out, scale: 1, charts: ['reward', 'reward-components', 'loss', 'time'], warn: () => {} });
    for (const name of ['reward', 'reward-components', 'loss', 'time']) {
      const svg = readFileSync(join(out, `${name}.svg`), 'utf8');
      expect(svg, name).toContain('>trained</text>');
      expect(svg, name).toContain('>control</text>');
    }
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    expect(md).toContain('# Training report: trained vs control');
    expect(md).toMatch(/\| trained \| 24 \| steps 1\u20136 \|/);
    expect(md).toMatch(/\| control \| 20 \| steps 1\u20135 \|/);

    const out2 = join(root, 'cmp-labels');
    await writeReport({ runs: [a, b], labels: ['policy A', 'baseline'], out: out2, scale: 1, charts: ['reward'], warn: () => {} });
    const svg = readFileSync(join(out2, 'reward.svg'), 'utf8');
    expect(svg).toContain('>policy A</text>');
    expect(svg).toContain('>baseline</text>');
    expect(existsSync(join(out2, 'loss.svg'))).toBe(false);
  });

  it('default labels are directory names, made unique; bad labels are refused', async () => {
    expect(defaultLabels(['/x/runs/a', '/y/runs/b'])).toEqual(['a', 'b']);
    expect(defaultLabels(['/x/a/out', '/x/b/out'])).toEqual(['a/out', 'b/out']);
    await expect(writeReport({ runs: [join(root, 'cmp', 'trained'), join(root, 'cmp', 'control')], labels: ['same', 'same'] })).rejects.toThrow(/labels must differ/);
  });

  it('names a missing run directory, a file given as one, and a missing metrics.jsonl', async () => {
    const none = join(root, 'none');
    await expect(writeReport({ runs: [none] })).rejects.toThrow(`${none}: no such run directory`);
    const file = join(root, 'hand', 'metrics.jsonl');
    await expect(writeReport({ runs: [join(root, 'cmp', 'trained'), file] })).rejects.toThrow(`${file} is not a directory`);
    mkdirSync(join(root, 'bare'));
    await expect(writeReport({ runs: [join(root, 'bare')] })).rejects.toThrow(`${join(root, 'bare', 'metrics.jsonl')} not found`);
  });
});
