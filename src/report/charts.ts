// What the report draws: the list of charts for one run or several overlaid (compare), as
// Vega-Lite specs. A chart whose data no run has (submit rate, edit failure rate, evaluations)
// is left out rather than drawn empty.
import type { TopLevelSpec } from 'vega-lite';
import type { EvalRow, StepRow } from './read.js';
import { movingAverage, smoothingHalfWidth } from './stats.js';
import { PALETTE, type Chart, type Point, isCompare, lineLayers, single, stacked, stepDomain, stepX, type LinePanel, type StepDomain } from '../chart/vl.js';

export interface RunData {
  /** Name on the charts (directory basename or --labels). */
  label: string;
  metrics: StepRow[];
  evals: EvalRow[];
}


const TRAIN_X = 'training step';
const EVAL_X = 'evaluated after training step';
const REWARD_Y = 'reward (points)';

/** Long-format points of one numeric field of every run's rows. */
function pointsOf<R extends { step: number }>(runs: RunData[], rows: (r: RunData) => R[], series: string, get: (row: R) => number | null | undefined): Point[] {
  const out: Point[] = [];
  for (const run of runs) for (const row of rows(run)) {
    const v = get(row);
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ run: run.label, step: row.step, series, value: v });
  }
  return out;
}

/** Component names over all runs' rows, in order of first appearance. */
const componentNames = (rows: { components: Record<string, number> }[]): string[] => [...new Set(rows.flatMap((r) => Object.keys(r.components)))];

/** Names of the parts of a step's time: rollout, train, sync first, then any others. */
function phaseNames(rows: StepRow[]): string[] {
  const known = ['rollout', 'train', 'sync'];
  const all = new Set(rows.flatMap((r) => Object.keys(r.seconds)));
  return [...known.filter((k) => all.has(k)), ...[...all].filter((k) => !known.includes(k)).sort()];
}

/** The x span of a section's charts: all runs' training steps, or their evaluations' steps. */
const xDomainOf = (runs: RunData[], section: Chart['section']): StepDomain =>
  stepDomain(runs.flatMap((r) => (section === 'training' ? r.metrics : r.evals).map((x) => x.step)));

function lineChart(runs: RunData[], name: string, section: Chart['section'], title: string, subtitle: string[], panel: LinePanel): Chart {
  const xTitle = section === 'training' ? TRAIN_X : EVAL_X;
  return { name, title, section, spec: single({ title, subtitle }, lineLayers(panel, runs.map((r) => r.label), xTitle, xDomainOf(runs, section))) };
}

/** Runs shorter than this many steps get no moving average (it would be most of the run). */
export const SMOOTH_MIN_STEPS = 6;

/** Mean reward with the min/max band and a centred moving average. */
function rewardChart(runs: RunData[]): Chart {
  const labels = runs.map((r) => r.label);
  const longest = Math.max(...runs.map((r) => r.metrics.length));
  const smoothed = longest >= SMOOTH_MIN_STEPS;
  const k = smoothingHalfWidth(longest);
  const avg = `moving average (${2 * k + 1} steps)`;
  const band = runs.flatMap((r) =>
    r.metrics.filter((m) => m.reward.min !== null && m.reward.max !== null).map((m) => ({ run: r.label, step: m.step, min: m.reward.min, max: m.reward.max })),
  );
  const mean = pointsOf(runs, (r) => r.metrics, 'per-step mean', (m) => m.reward.mean);
  const smooth = runs.flatMap((r) => {
    const ma = movingAverage(r.metrics.map((m) => m.reward.mean), k);
    return r.metrics.flatMap((m, i) => (Number.isFinite(ma[i]!) ? [{ run: r.label, step: m.step, series: avg, value: ma[i]! }] : []));
  });
  const x = stepX(TRAIN_X, xDomainOf(runs, 'training'));
  const y = { field: 'value', type: 'quantitative', title: REWARD_Y };
  let layers: Record<string, unknown>[];
  let subtitle: string[];
  if (isCompare({ runs: labels, series: [] })) {
    const legend = { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 3 };
    const color = { field: 'run', type: 'nominal', title: 'run', scale: { domain: labels, range: PALETTE }, sort: labels, legend };
    const dash = (d: string) => ({ datum: d, title: null, scale: { domain: smoothed ? ['per-step mean', avg] : ['per-step mean'], range: [[3, 3], [1, 0]] } });
    layers = [
      { data: { values: band }, mark: { type: 'area', opacity: 0.12 }, encoding: { x, y: { field: 'min', type: 'quantitative', title: REWARD_Y }, y2: { field: 'max' }, color } },
      { data: { values: mean }, mark: { type: 'line', strokeWidth: smoothed ? 1.2 : 2, opacity: smoothed ? 0.75 : 1 }, encoding: { x, y, color, strokeDash: dash('per-step mean') } },
      ...(smoothed ? [{ data: { values: smooth }, mark: { type: 'line', strokeWidth: 2.8 }, encoding: { x, y, color, strokeDash: dash(avg) } }] : []),
    ];
    subtitle = [`Shaded: min to max total reward over each step\u2019s rollouts; dashed: the step\u2019s mean${smoothed ? '; solid: centred moving average' : ''}.`];
  } else {
    const band_ = 'min to max over rollouts';
    const scale = { domain: smoothed ? [band_, 'per-step mean', avg] : [band_, 'per-step mean'], range: ['#b3cde3', PALETTE[0], PALETTE[1]] };
    const color = (d: string) => ({ datum: d, title: null, scale });
    layers = [
      { data: { values: band }, mark: { type: 'area', opacity: 0.7 }, encoding: { x, y: { field: 'min', type: 'quantitative', title: REWARD_Y }, y2: { field: 'max' }, color: color(band_) } },
      { data: { values: mean }, mark: { type: 'line', strokeWidth: 1.4, point: mean.length <= 60 ? { size: 16, filled: true } : false }, encoding: { x, y, color: color('per-step mean') } },
      ...(smoothed ? [{ data: { values: smooth }, mark: { type: 'line', strokeWidth: 2.8 }, encoding: { x, y, color: color(avg) } }] : []),
    ];
    subtitle = smoothed
      ? ['Total reward of each step\u2019s rollouts: the band spans min to max, the thin line is the mean,', 'the thick line its centred moving average.']
      : ['Total reward of each step\u2019s rollouts: the band spans min to max, the line is the mean.'];
  }
  return { name: 'reward', title: 'Training reward', section: 'training', spec: single({ title: 'Training reward', subtitle }, layers) };
}

/** Stacked bars of a step's seconds by phase; one panel per run when comparing. */
function timeChart(runs: RunData[]): Chart | null {
  const phases = phaseNames(runs.flatMap((r) => r.metrics));
  if (phases.length === 0) return null;
  const rects = (r: RunData) =>
    r.metrics.flatMap((m) => {
      let y0 = 0;
      return phases.flatMap((p) => {
        const s = m.seconds[p];
        if (s === undefined || !(s >= 0)) return [];
        const rect = { run: r.label, step: m.step, phase: p, x: m.step - 0.4, x2: m.step + 0.4, y: y0, y2: y0 + s, seconds: s };
        y0 += s;
        return [rect];
      });
    });
  const [lo, hi] = stepDomain(runs.flatMap((r) => r.metrics.map((m) => m.step)));
  const layer = (values: unknown[]) => ({
    data: { values },
    mark: { type: 'rect' },
    encoding: {
      x: stepX(TRAIN_X, [Math.floor(lo) - 0.5, Math.ceil(hi) + 0.5], 'x'),
      x2: { field: 'x2' },
      y: { field: 'y', type: 'quantitative', title: 'seconds' },
      y2: { field: 'y2' },
      color: { field: 'phase', type: 'nominal', title: 'part of the step', scale: { domain: phases, range: PALETTE }, sort: phases },
    },
  });
  const title = 'Time per step';
  const subtitle = ['Wall-clock seconds of each step, stacked: rollout (waiting for rollouts), train (loss, gradients, update),', 'sync (weights to the sampler).'];
  const spec = isCompare({ runs: runs.map((r) => r.label), series: [] })
    ? stacked({ title, subtitle }, runs.map((r) => ({ title: r.label, layers: [layer(rects(r))] })), true)
    : single({ title, subtitle }, [layer(rects(runs[0]!))]);
  return { name: 'time', title, section: 'training', spec };
}

/** A rate chart (0 to 100%) of one optional field, or null when no run has it. */
function rateChart<R extends { step: number }>(runs: RunData[], rows: (r: RunData) => R[], get: (row: R) => number | undefined, c: { name: string; title: string; section: Chart['section']; what: string; y: string }): Chart | null {
  const points = pointsOf(runs, rows, c.y, get);
  if (points.length === 0) return null;
  return lineChart(runs, c.name, c.section, c.title, [c.what], { points, yTitle: c.y, percent: 'full' });
}

function componentsChart(runs: RunData[], rowsOf: (r: RunData) => { step: number; components: Record<string, number> }[], name: string, section: Chart['section'], title: string, what: string): Chart | null {
  const names = componentNames(runs.flatMap(rowsOf));
  if (names.length === 0) return null;
  const points = names.flatMap((c) => pointsOf(runs, rowsOf, c, (row) => row.components[c]));
  return lineChart(runs, name, section, title, [what], { points, yTitle: REWARD_Y, series: names });
}

function trainingCharts(runs: RunData[]): Chart[] {
  const labels = runs.map((r) => r.label);
  const xd = xDomainOf(runs, 'training');
  const m = (r: RunData) => r.metrics;
  const charts: (Chart | null)[] = [
    rewardChart(runs),
    componentsChart(runs, m, 'reward-components', 'training', 'Reward components', 'Mean of each reward component over the step\u2019s scored rollouts.'),
    rateChart(runs, m, (s) => s.submitRate, { name: 'submit-rate', title: 'Submit rate', section: 'training', what: 'Share of the step\u2019s rollouts that ended by submitting.', y: 'rollouts submitted (%)' }),
    rateChart(runs, m, (s) => s.editFailureRate, { name: 'edit-failure-rate', title: 'Edit failure rate', section: 'training', what: 'Failed edits over all edit calls in the step\u2019s rollouts.', y: 'edits failed (%)' }),
  ];
  charts.push(panelsChart(runs, m, (s) => s.envMetrics, TRAIN_X, 'training', { name: 'env-metrics', title: 'Environment metrics', subtitle: 'The environment\u2019s per-rollout metrics, means over each step (fields named \u2026Rate as percent).', skip: ['submitRate'] }));
  const ratio = pointsOf(runs, m, 'mean \u03c0/\u03bc', (s) => s.meanRatio);
  const clipped = pointsOf(runs, m, 'clipped fraction', (s) => s.clippedFraction);
  if (ratio.length || clipped.length) {
    const panels = [];
    if (ratio.length) panels.push({ title: 'Mean importance ratio \u03c0/\u03bc over loss tokens (1 = on-policy)', layers: lineLayers({ points: ratio, yTitle: '\u03c0/\u03bc', rule: 1, zero: false }, labels, TRAIN_X, xd) });
    if (clipped.length) panels.push({ title: 'Clipped fraction: loss tokens with \u03c0/\u03bc \u2265 \u03b4 (dropped from the gradient)', layers: lineLayers({ points: clipped, yTitle: 'loss tokens clipped (%)', percent: 'auto' }, labels, TRAIN_X, xd) });
    const title = 'Policy ratio and clipping';
    charts.push({ name: 'ratio-clipping', title, section: 'training', spec: stacked({ title, subtitle: ['\u03c0: the trainer\u2019s token probability; \u03bc: the sampler\u2019s, when it drew the token.'] }, panels) });
  }
  const loss = pointsOf(runs, m, 'loss', (s) => s.loss);
  if (loss.length) charts.push(lineChart(runs, 'loss', 'training', 'Loss', ['The policy loss L = \u2212J of the step\u2019s update (0 when the step had no update).'], { points: loss, yTitle: 'loss', rule: 0 }));
  const grad = pointsOf(runs, m, 'gradient norm', (s) => s.gradNorm);
  if (grad.length) charts.push(lineChart(runs, 'grad-norm', 'training', 'Gradient norm', ['Global L2 norm of the step\u2019s gradient, before clipping.'], { points: grad, yTitle: 'gradient norm (L2)' }));
  charts.push(timeChart(runs));
  return charts.filter((c): c is Chart => c !== null);
}

function evalCharts(runs: RunData[]): Chart[] {
  const e = (r: RunData) => r.evals;
  if (runs.every((r) => r.evals.length === 0)) return [];
  const charts: (Chart | null)[] = [
    lineChart(runs, 'eval-reward', 'evaluation', 'Evaluation reward', ['Mean total reward of the held-out evaluation (same rows and seeds each time).'], {
      points: pointsOf(runs, e, 'mean reward', (row) => row.meanReward),
      yTitle: REWARD_Y,
    }),
    componentsChart(runs, e, 'eval-components', 'evaluation', 'Evaluation reward components', 'Mean of each reward component over the evaluation\u2019s rollouts.'),
    rateChart(runs, e, (row) => row.submitRate, { name: 'eval-submit-rate', title: 'Evaluation submit rate', section: 'evaluation', what: 'Share of the evaluation\u2019s rollouts that ended by submitting.', y: 'rollouts submitted (%)' }),
    rateChart(runs, e, (row) => row.editFailureRate, { name: 'eval-edit-failure-rate', title: 'Evaluation edit failure rate', section: 'evaluation', what: 'Failed edits over all edit calls in the evaluation\u2019s rollouts.', y: 'edits failed (%)' }),
  ];
  charts.push(panelsChart(runs, e, (row) => row.other, EVAL_X, 'evaluation', { name: 'eval-other', title: 'Other evaluation metrics', subtitle: 'Every other numeric field of evals.jsonl, one panel each (fields named \u2026Rate as percent).' }));
  return charts.filter((c): c is Chart => c !== null);
}

/** One panel per key of a per-row record of numbers (null when no row has any). */
function panelsChart<R extends { step: number }>(
  runs: RunData[], rows: (r: RunData) => R[], get: (row: R) => Record<string, number>, x: string, section: Chart['section'],
  c: { name: string; title: string; subtitle: string; skip?: string[] },
): Chart | null {
  const keys = [...new Set(runs.flatMap((r) => rows(r).flatMap((row) => Object.keys(get(row)))))].filter((k) => !c.skip?.includes(k));
  if (keys.length === 0) return null;
  const labels = runs.map((r) => r.label);
  const panels = keys.map((k) => {
    const points = pointsOf(runs, rows, k, (row) => get(row)[k]);
    const rate = /Rate$/.test(k) && points.every((p) => p.value >= 0 && p.value <= 1);
    return { title: k, layers: lineLayers({ points, yTitle: rate ? `${k} (%)` : k, percent: rate ? 'full' : undefined, zero: false }, labels, x, xDomainOf(runs, section)) };
  });
  return { name: c.name, title: c.title, section, spec: stacked({ title: c.title, subtitle: [c.subtitle] }, panels) };
}

/** The report's charts for these runs (one: its own charts; several: overlaid, colour by run). */
export function buildCharts(runs: RunData[]): Chart[] {
  if (runs.length === 0) throw new Error('buildCharts: no run');
  return [...trainingCharts(runs), ...evalCharts(runs)];
}
