// Vega-Lite building blocks for the report's charts: the shared look (font, sizes, colours), a
// line chart of long-format points, a stacked-bars panel and the min/max band. One rule for
// colour everywhere: a single-run report colours by series (mean, components, phases), a compare
// report colours by run and tells series apart by dash pattern, so a run keeps its colour on
// every chart.
import type { TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY } from './fonts.js';

export interface Chart {
  /** File stem: <name>.svg and <name>.png. */
  name: string;
  title: string;
  section: 'training' | 'evaluation';
  spec: TopLevelSpec;
}

/** One value of one series of one run at one step. */
export interface Point {
  run: string;
  step: number;
  series: string;
  value: number;
}

/** Chart size of a one-panel chart (the whole picture, title and legend included), in SVG px. */
export const CHART_WIDTH = 760;
export const CHART_HEIGHT = 360;
/** Plot size of each panel of a several-panel chart. */
export const PANEL_WIDTH = 640;
export const PANEL_HEIGHT = 170;

/** Tableau 10, Vega's default categorical scheme, as a list (runs and series index into it). */
export const PALETTE = ['#4c78a8', '#f58518', '#e45756', '#72b7b2', '#54a24b', '#eeca3b', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac'];

export const CONFIG = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 12,
  title: { fontSize: 16, fontWeight: 'bold', subtitleFontSize: 12, subtitleColor: '#555555', anchor: 'start', offset: 12, subtitlePadding: 4 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', titleColor: '#333333', gridColor: '#e6e6e6', domainColor: '#888888', tickColor: '#888888' },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 320, symbolStrokeWidth: 2.5, orient: 'bottom', direction: 'horizontal', columns: 4, columnPadding: 18, layout: { bottom: { anchor: 'start', direction: 'vertical', margin: 10 } } },
  view: { stroke: null },
  line: { strokeWidth: 1.8 },
} as const;

/** The steps an x axis spans: first to last step of all runs drawn (all charts of a report
 *  share it, so they line up). */
export type StepDomain = [number, number];

export function stepDomain(steps: readonly number[]): StepDomain {
  const lo = Math.min(...steps), hi = Math.max(...steps);
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

/** The x encoding of training steps: whole-number ticks, exactly the steps' span. */
export const stepX = (title: string, domain: StepDomain, field = 'step') => ({
  field,
  type: 'quantitative',
  axis: { title, format: 'd', tickMinStep: 1, labelFlush: true },
  scale: { domain, nice: false, zero: false },
});

export interface ColourPlan {
  /** Runs in legend order. */
  runs: string[];
  /** Series in legend order. */
  series: string[];
}

/** Legend entries of lines drawn as short lines (also when the lines have points). */
const LINE_LEGEND = { symbolType: 'stroke', symbolStrokeWidth: 2.5, symbolOpacity: 1 };

/** Compare report (several runs)? */
export const isCompare = (c: ColourPlan): boolean => c.runs.length > 1;

/** The colour (and, comparing runs with several series, dash) encoding of line layers. */
export function lineEncoding(c: ColourPlan, dashes?: number[][]): Record<string, unknown> {
  if (isCompare(c)) {
    const enc: Record<string, unknown> = { color: { field: 'run', type: 'nominal', title: 'run', scale: { domain: c.runs, range: PALETTE }, sort: c.runs, legend: LINE_LEGEND } };
    if (c.series.length > 1) {
      enc.strokeDash = { field: 'series', type: 'nominal', title: null, scale: { domain: c.series, range: dashes ?? [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [1, 3]] }, sort: c.series, legend: { ...LINE_LEGEND, symbolStrokeColor: '#555555', symbolSize: 300 } };
    }
    return enc;
  }
  if (c.series.length > 1) return { color: { field: 'series', type: 'nominal', title: null, scale: { domain: c.series, range: PALETTE }, sort: c.series, legend: LINE_LEGEND } };
  return { color: { value: PALETTE[0] } };
}

export interface LinePanel {
  points: Point[];
  yTitle: string;
  /** Values are rates in [0, 1] shown as percent: 'full' axis from 0 to 100%, 'auto' from 0 to
   *  what the data needs (small rates such as the clipped fraction). */
  percent?: 'full' | 'auto';
  /** A dotted reference line at this y (e.g. 1 for pi/mu, 0 for the loss). */
  rule?: number;
  /** Include 0 in the y scale (default true). */
  zero?: boolean;
  /** Panel title (several-panel charts). */
  title?: string;
  /** Order of series (default: first appearance). */
  series?: string[];
}

/** Points on the lines when lines are short (evaluations, short runs). */
const withPoints = (points: Point[]): boolean => {
  const per = new Map<string, number>();
  for (const p of points) per.set(`${p.run}\u0000${p.series}`, (per.get(`${p.run}\u0000${p.series}`) ?? 0) + 1);
  return Math.max(0, ...per.values()) <= 30;
};

const firstSeen = (xs: string[]): string[] => [...new Set(xs)];

/** The layers of one line panel. */
export function lineLayers(p: LinePanel, runs: string[], xTitle: string, xDomain: StepDomain): Record<string, unknown>[] {
  const series = p.series ?? firstSeen(p.points.map((x) => x.series));
  const y: Record<string, unknown> = { field: 'value', type: 'quantitative', title: p.yTitle };
  if (p.percent) y.axis = { format: p.percent === 'full' ? '.0%' : '.2~%' };
  if (p.percent === 'full') y.scale = { domain: [0, 1] };
  else if (p.zero === false) y.scale = { zero: false };
  const layers: Record<string, unknown>[] = [
    {
      data: { values: p.points },
      mark: { type: 'line', point: withPoints(p.points) ? { size: 22, filled: true } : false },
      encoding: { x: stepX(xTitle, xDomain), y, ...lineEncoding({ runs, series }), detail: { field: 'run' } },
    },
  ];
  if (p.rule !== undefined) {
    layers.unshift({ data: { values: [{ y: p.rule }] }, mark: { type: 'rule', strokeDash: [4, 4], color: '#666666', strokeWidth: 1.2 }, encoding: { y: { field: 'y', type: 'quantitative' } } });
  }
  return layers;
}

export interface ChartFrame {
  /** One line, or several. */
  title: string | string[];
  /** Lines under the title: what is drawn, units. */
  subtitle?: string[];
}

/** A one-panel chart of layers, sized to exactly CHART_WIDTH x CHART_HEIGHT. */
export function single(frame: ChartFrame, layers: Record<string, unknown>[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: frame.title, subtitle: frame.subtitle },
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    config: CONFIG,
    layer: layers,
  } as unknown as TopLevelSpec;
}

/** Panels one above the other (each PANEL_WIDTH x PANEL_HEIGHT of plot), x shared. */
export function stacked(frame: ChartFrame, panels: { title?: string; layers: Record<string, unknown>[] }[], shareY = false): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: frame.title, subtitle: frame.subtitle },
    config: CONFIG,
    spacing: 28,
    resolve: { scale: { x: 'shared', y: shareY ? 'shared' : 'independent', color: 'shared' } },
    vconcat: panels.map((p) => ({
      ...(p.title ? { title: { text: p.title, fontSize: 13, fontWeight: 'normal', anchor: 'start', offset: 6 } } : {}),
      width: PANEL_WIDTH,
      height: PANEL_HEIGHT,
      layer: p.layers,
    })),
  } as unknown as TopLevelSpec;
}
