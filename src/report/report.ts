// `npm run report`: reads one run directory (or several, overlaid), writes one SVG and one PNG per
// chart and report.md into <run>/report/ (or `out`).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Chart } from '../chart/vl.js';
import { buildCharts, type RunData } from './charts.js';
import { reportMarkdown, type RunSummary } from './markdown.js';
import { readEvals, readMetrics } from './read.js';
import { quarterMeans } from './stats.js';

export interface ReportOptions {
  /** Run directories; the first is the main one (its report/ is the default output). */
  runs: string[];
  /** Names on the charts, one per run (default: each directory's basename, made unique). */
  labels?: string[];
  /** Output directory (default: <first run>/report). */
  out?: string;
  /** PNG pixels per SVG pixel (default 2). */
  scale?: number;
  /** Only the charts of these names (default: all that the data allows). */
  charts?: string[];
  /** Where warnings go (skipped lines, chart warnings); default stderr. */
  warn?: (line: string) => void;
}

export interface ReportResult {
  out: string;
  /** Paths written. */
  files: string[];
  charts: Chart[];
  runs: RunSummary[];
  warnings: string[];
}

/** Default names: basenames, or the last two path parts where basenames repeat, then #i. */
export function defaultLabels(dirs: readonly string[]): string[] {
  const abs = dirs.map((d) => resolve(d));
  let labels = abs.map((d) => basename(d));
  const repeats = (ls: string[]) => ls.some((l, i) => ls.indexOf(l) !== i);
  if (repeats(labels)) labels = abs.map((d) => `${basename(dirname(d))}/${basename(d)}`);
  if (repeats(labels)) labels = labels.map((l, i) => `${l} #${i + 1}`);
  return labels;
}

export async function writeReport(opts: ReportOptions): Promise<ReportResult> {
  if (opts.runs.length === 0) throw new Error('no run directory given');
  const warn = opts.warn ?? ((l: string) => console.error(l));
  const labels = opts.labels ?? defaultLabels(opts.runs);
  if (labels.length !== opts.runs.length) throw new Error(`${labels.length} label(s) for ${opts.runs.length} run(s): give one label per run`);
  if (new Set(labels).size !== labels.length) throw new Error(`labels must differ (they colour the runs): ${labels.join(', ')}`);
  if (labels.some((l) => l.trim() === '')) throw new Error('a label is empty');
  const scale = opts.scale ?? 2;
  if (!(scale > 0 && scale <= 8)) throw new Error(`scale must be in (0, 8], got ${scale}`);

  const warnings: string[] = [];
  const note = (w: string) => {
    warnings.push(w);
    warn(w);
  };
  const runs: RunData[] = [];
  const summaries: RunSummary[] = [];
  opts.runs.forEach((dir, i) => {
    if (!existsSync(dir)) throw new Error(`${dir}: no such run directory`);
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory (give the run directory, which holds metrics.jsonl)`);
    const metrics = readMetrics(join(dir, 'metrics.jsonl'));
    const evals = readEvals(join(dir, 'evals.jsonl'));
    [...metrics.warnings, ...evals.warnings].forEach(note);
    const label = labels[i]!;
    runs.push({ label, metrics: metrics.rows, evals: evals.rows });
    const s: RunSummary = { label, dir, quarters: quarterMeans(metrics.rows) };
    if (evals.rows.length) s.evals = { first: evals.rows[0]!, last: evals.rows[evals.rows.length - 1]!, count: evals.rows.length };
    summaries.push(s);
  });

  let charts = buildCharts(runs);
  if (opts.charts) {
    const names = charts.map((c) => c.name);
    const unknown = opts.charts.filter((n) => !names.includes(n));
    if (unknown.length) throw new Error(`no chart named ${unknown.join(', ')} for these runs (there are: ${names.join(', ')})`);
    charts = charts.filter((c) => opts.charts!.includes(c.name));
  }
  const out = opts.out ?? join(opts.runs[0]!, 'report');
  mkdirSync(out, { recursive: true });
  // Vega and resvg load only once the runs have been read: a bad run directory is named at once.
  const { render } = await import('../chart/render.js');
  const files: string[] = [];
  for (const c of charts) {
    const pic = await render(c.spec, scale);
    for (const w of pic.warnings) note(`chart ${c.name}: ${w}`);
    const svg = join(out, `${c.name}.svg`);
    const png = join(out, `${c.name}.png`);
    writeFileSync(svg, pic.svg);
    writeFileSync(png, pic.png);
    files.push(svg, png);
  }
  const md = join(out, 'report.md');
  writeFileSync(md, reportMarkdown(summaries, charts, warnings));
  files.push(md);
  return { out, files, charts, runs: summaries, warnings };
}
