// The charts of `npm run eval -- --compare A B --out DIR`, drawn from the two saved evaluations
// with the training report's stack and look (src/report/vl.ts, rendered by src/report/render.ts):
// the reward histogram, each example's mean reward with its spread, and the headline rates,
// reward components and judge fields as grouped bars. Base and trained keep one colour each on
// every chart.
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from '../chart/vl.js';
import { fontFiles } from '../chart/fonts.js';
import { readFontMetrics, textWidth, type FontMetrics } from '../chart/text-width.js';
import { CONFIG, PALETTE, PANEL_WIDTH, single } from '../chart/vl.js';
import { JUDGE_FIELDS, type EvalReport } from './report.js';
import type { Comparison } from './compare.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const RUNS = ['base', 'trained'] as const;
type Run = (typeof RUNS)[number];

/** Colour by run: base the first palette colour, trained the second, on every chart; `labels`
 *  replaces the legend's text of each run. */
function runColour(labels?: Record<Run, string>) {
  const expr = labels && `datum.label === 'base' ? ${JSON.stringify(labels.base)} : ${JSON.stringify(labels.trained)}`;
  return {
    field: 'run',
    type: 'nominal',
    title: null,
    scale: { domain: [...RUNS], range: PALETTE.slice(0, 2) },
    sort: [...RUNS],
    legend: { symbolOpacity: 1, ...(expr ? { labelExpr: expr } : {}) },
  };
}

/** Two decimals, without a minus sign on what rounds to zero. */
const two = (x: number): string => (!Number.isFinite(x) ? '-' : Number(x.toFixed(2)) === 0 ? '0.00' : x.toFixed(2));

/** Title width that fits every chart here (the narrowest is about 720 px wide). */
const TITLE_WIDTH = 700;
let bold: FontMetrics | undefined;

/** A chart's title: what it draws and the judge (each side's when they differ), on one line when
 *  that fits, else what it draws above the judge. `text` goes to the chart, `name` to compare.md. */
function chartTitle(c: Comparison, what: string): { text: string | string[]; name: string } {
  const { base, trained } = c.judges;
  const judges = base === trained ? [base] : [`base: ${base}`, `trained: ${trained} (different judges)`];
  const name = `${what} (${judges.join('; ')})`;
  bold ??= readFontMetrics(fontFiles()[1]!);
  return { text: textWidth(bold, name, CONFIG.title.fontSize) <= TITLE_WIDTH ? name : [what, ...judges], name };
}

/** Ticks at every whole point from lo to hi. */
const wholePoints = (lo: number, hi: number): number[] => Array.from({ length: Math.floor(hi) - Math.ceil(lo) + 1 }, (_, k) => Math.ceil(lo) + k);

const finite = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x);

/** Reward histogram: each run's 0.5-point bins side by side, as shares of its scored rollouts (the
 *  runs may have different rollout counts), with each run's mean as a dashed line. */
function histogramChart(c: Comparison): Chart {
  const runs: [Run, EvalReport][] = [['base', c.base], ['trained', c.trained]];
  let lo = Infinity, hi = -Infinity;
  const bars = runs.flatMap(([run, r], i) => {
    const w = r.histogram.width ?? 1;
    const n = r.histogram.counts.reduce((a, b) => a + b, 0);
    lo = Math.min(lo, r.histogram.from);
    hi = Math.max(hi, r.histogram.from + w * r.histogram.counts.length);
    return r.histogram.counts.map((count, k) => {
      const x = r.histogram.from + k * w;
      // Base in the left half of the bin, trained in the right, a hair apart.
      return { run, x: x + (i * w) / 2 + w * 0.03, x2: x + ((i + 1) * w) / 2 - w * 0.03, share: n ? count / n : 0 };
    });
  });
  const means = runs.filter(([, r]) => finite(r.meanReward)).map(([run, r]) => ({ run, mean: r.meanReward }));
  const legend = { base: `base (mean ${two(c.base.meanReward)})`, trained: `trained (mean ${two(c.trained.meanReward)})` };
  const x = { field: 'x', type: 'quantitative', scale: { domain: [lo, hi], nice: false, zero: false }, axis: { title: 'total reward (points), 0.5-point bins', values: wholePoints(lo, hi), format: 'd' } };
  const scored = (r: EvalReport) => r.histogram.counts.reduce((a, b) => a + b, 0);
  const title = chartTitle(c, 'Reward distribution, base vs trained');
  const spec = single(
    {
      title: title.text,
      subtitle: [
        `Total reward of each scored rollout in half-point bins, as a share of the run\u2019s scored rollouts (base ${scored(c.base)}, trained ${scored(c.trained)});`,
        'base in the left half of each bin, trained in the right. Dashed lines: each run\u2019s mean reward (in the legend).',
      ],
    },
    [
      { data: { values: bars }, mark: { type: 'bar' }, encoding: { x, x2: { field: 'x2' }, y: { field: 'share', type: 'quantitative', title: 'scored rollouts (%)', axis: { format: '.0%' } }, y2: { datum: 0 }, color: runColour(legend) } },
      // Each mean on a white halo, so it shows over its own run's bars too.
      { data: { values: means }, mark: { type: 'rule', color: 'white', strokeWidth: 5 }, encoding: { x: { field: 'mean', type: 'quantitative' } } },
      { data: { values: means }, mark: { type: 'rule', strokeDash: [5, 3], strokeWidth: 2 }, encoding: { x: { field: 'mean', type: 'quantitative' }, color: runColour(legend) } },
    ],
  );
  return { name: 'compare-reward-histogram', title: title.name, section: 'evaluation', spec };
}

/** Per example: base and trained mean reward joined by a line, each run's min-max spread as a thin
 *  bar just above (base) or below (trained); beside it, the change, coloured by the run ahead. */
function perExampleChart(c: Comparison): Chart {
  const ids = Object.keys(c.base.perExample!).sort();
  const rows = ids.map((id) => {
    const a = c.base.perExample![id]!, b = c.trained.perExample![id]!;
    const change = b.meanReward - a.meanReward;
    return { id, a, b, change, ahead: change > 0 ? 'trained' : change < 0 ? 'base' : 'tie' };
  });
  // Largest gain first; examples without a reward on either side last.
  rows.sort((p, q) => (Number.isFinite(q.change) ? q.change : -Infinity) - (Number.isFinite(p.change) ? p.change : -Infinity) || (p.id < q.id ? -1 : 1));
  const order = rows.map((r) => r.id);
  const step = ids.length > 60 ? 10 : 16;
  // yOffset counts from the top of the example's band; the dots sit in its middle.
  const [above, below] = [step / 2 - step / 4, step / 2 + step / 4];
  const y = { field: 'id', type: 'nominal', sort: order, title: 'example (largest gain first)', axis: { labelFontSize: step > 10 ? 10 : 8, ticks: false, domain: false } };
  const points = rows.flatMap((r) => [
    { id: r.id, run: 'base', mean: r.a.meanReward, min: r.a.min, max: r.a.max, off: above },
    { id: r.id, run: 'trained', mean: r.b.meanReward, min: r.b.min, max: r.b.max, off: below },
  ]).filter((p) => Number.isFinite(p.mean));
  const joins = rows.filter((r) => Number.isFinite(r.change)).map((r) => ({ id: r.id, from: r.a.meanReward, to: r.b.meanReward }));
  const changes = rows.filter((r) => Number.isFinite(r.change)).map((r) => ({ id: r.id, change: r.change, run: r.ahead }));
  const xr = { field: 'mean', type: 'quantitative', title: `mean reward over the example\u2019s rollouts (points)`, scale: { zero: false, nice: true }, axis: { orient: 'top' } };
  const left = {
    width: PANEL_WIDTH - 200,
    height: { step },
    layer: [
      { data: { values: points }, mark: { type: 'rule', strokeWidth: 2, opacity: 0.45 }, encoding: { y, yOffset: { field: 'off', type: 'quantitative', scale: null }, x: { ...xr, field: 'min' }, x2: { field: 'max' }, color: runColour() } },
      { data: { values: joins }, mark: { type: 'rule', color: '#999999', strokeWidth: 1.2 }, encoding: { y, x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } } },
      { data: { values: points }, mark: { type: 'point', filled: true, size: 46, opacity: 1 }, encoding: { y, x: xr, color: runColour() } },
    ],
  };
  const tie = { domain: [...RUNS, 'tie'], range: [...PALETTE.slice(0, 2), '#bbbbbb'] };
  const right = {
    width: 170,
    height: { step },
    layer: [
      { data: { values: changes }, mark: { type: 'bar', height: { band: 0.7 } }, encoding: { y: { ...y, axis: null }, x: { field: 'change', type: 'quantitative', title: 'trained \u2212 base (points)', axis: { orient: 'top', tickCount: 4 } }, color: { field: 'run', type: 'nominal', scale: tie, legend: null } } },
      { data: { values: [{ x: 0 }] }, mark: { type: 'rule', color: '#666666' }, encoding: { x: { field: 'x', type: 'quantitative' } } },
    ],
  };
  const title = chartTitle(c, `Mean reward per example: trained higher on ${c.won} of ${c.common}`);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: title.text,
      subtitle: [
        'Dots: each example\u2019s mean total reward over its scored rollouts, base and trained, joined by a grey line;',
        'thin bars: min to max over those rollouts (base above, trained below). Right: the change, coloured by the run ahead.',
      ],
    },
    config: CONFIG,
    spacing: 14,
    resolve: { scale: { y: 'shared', color: 'independent' } },
    hconcat: [left, right],
  } as unknown as TopLevelSpec;
  return { name: 'compare-per-example', title: title.name, section: 'evaluation', spec };
}

interface Bar {
  metric: string;
  run: Run;
  value: number;
}

/** A grouped-bar panel: one group per metric, base and trained side by side, values on the bars. */
function barsPanel(title: string, bars: Bar[], yTitle: string, rate: boolean): Record<string, unknown> {
  const metrics = [...new Set(bars.map((b) => b.metric))];
  const x = { field: 'metric', type: 'nominal', sort: metrics, title: null, axis: { labelAngle: 0, labelLimit: 150, labelFontSize: 11 } };
  // The same room for every panel's y labels, so the panels line up.
  const y = { field: 'value', type: 'quantitative', title: yTitle, ...(rate ? { scale: { domain: [0, 1] } } : {}), axis: { minExtent: 40, ...(rate ? { format: '.0%' } : {}) } };
  const xOffset = { field: 'run', sort: [...RUNS], scale: { paddingInner: 0.08 } };
  return {
    title: { text: title, fontSize: 13, fontWeight: 'normal', anchor: 'start', offset: 6 },
    width: PANEL_WIDTH,
    height: 150,
    data: { values: bars.map((b) => ({ ...b, at: Math.max(0, b.value), text: rate ? `${(100 * b.value).toFixed(0)}%` : two(b.value) })) },
    layer: [
      { mark: { type: 'bar' }, encoding: { x, xOffset, y, color: runColour() } },
      { mark: { type: 'text', baseline: 'bottom', dy: -2, fontSize: 10, color: '#333333' }, encoding: { x, xOffset, y: { field: 'at', type: 'quantitative' }, text: { field: 'text' } } },
      ...(rate ? [] : [{ data: { values: [{ y: 0 }] }, mark: { type: 'rule', color: '#888888' }, encoding: { y: { field: 'y', type: 'quantitative' } } }]),
    ],
  };
}

/** Headline rates (percent), reward and its components (points), judge fields (points): three
 *  panels, each on its own scale. */
function metricsChart(c: Comparison): Chart {
  const bars = (pick: (r: EvalReport) => [string, number | undefined][]): Bar[] =>
    RUNS.flatMap((run) => pick(run === 'base' ? c.base : c.trained).filter((m): m is [string, number] => finite(m[1])).map(([metric, value]) => ({ metric, run, value })));
  const rates = bars((r) => [
    ['submit rate', r.submitRate],
    ['layout pass rate', r.layoutPassRate],
    ['edit failure rate', r.editFailureRate],
    ['reward < 0 (of scored)', r.negativeRewardShare],
  ]);
  const reward = bars((r) => [
    ['mean reward', r.meanReward],
    ['tool', r.components.tool],
    ['layout', r.components.layout],
    ['content', r.components.content],
  ]);
  const fields = bars((r) => JUDGE_FIELDS.map((f) => [f.replace(/_/g, ' '), r.judgeFields?.[f]] as [string, number | undefined]));
  const panels = [
    barsPanel('Headline rates: share of rollouts (edit failures: of all str_replace calls)', rates, 'rate (%)', true),
    barsPanel('Mean reward and its components (reward and content: over scored rollouts; tool and layout: over all)', reward, 'mean (points)', false),
    ...(fields.length ? [barsPanel('Judge fields: mean points over the scored rollouts', fields, 'mean (points)', false)] : []),
  ];
  const title = chartTitle(c, 'Headline metrics, base vs trained');
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title.text, subtitle: ['Rates as percent of rollouts; reward, components and judge fields in rubric points (each panel its own scale).'] },
    config: CONFIG,
    spacing: 30,
    resolve: { scale: { x: 'independent', xOffset: 'independent', y: 'independent', color: 'shared' } },
    vconcat: panels,
  } as unknown as TopLevelSpec;
  return { name: 'compare-metrics', title: title.name, section: 'evaluation', spec };
}

/** The comparison's charts, titled with its judge. */
export function compareCharts(c: Comparison): Chart[] {
  return [histogramChart(c), perExampleChart(c), metricsChart(c)];
}

/** Writes compare.md (the table, then each chart linked) and the charts as SVG and PNG (`scale`
 *  PNG pixels per SVG pixel) into `out`; returns the paths written and what the charts warned. */
export async function writeComparison(c: Comparison, out: string, scale = 2): Promise<{ files: string[]; warnings: string[] }> {
  mkdirSync(out, { recursive: true });
  // Vega and resvg load only when there are charts to draw.
  const { render } = await import('../chart/render.js');
  const charts = compareCharts(c);
  const files: string[] = [];
  const warnings: string[] = [];
  const md = [c.markdown, '## Charts', ''];
  for (const ch of charts) {
    const pic = await render(ch.spec, scale);
    warnings.push(...pic.warnings.map((w) => `chart ${ch.name}: ${w}`));
    for (const [ext, data] of [['svg', pic.svg], ['png', pic.png]] as const) {
      files.push(join(out, `${ch.name}.${ext}`));
      writeFileSync(files[files.length - 1]!, data);
    }
    md.push(`### ${ch.title}`, '', `![${ch.title}](${ch.name}.png)`, '', `[SVG](${ch.name}.svg)`, '');
  }
  files.push(join(out, 'compare.md'));
  writeFileSync(files[files.length - 1]!, md.join('\n'));
  return { files, warnings };
}
