// report.md: the quarter table (first vs last quarter of mean reward, what the learning claim is
// judged by), the evaluations' first vs last, then every chart as a relative image link.
import type { Chart } from '../chart/vl.js';
import type { Quarters } from './stats.js';

export interface RunSummary {
  label: string;
  dir: string;
  quarters: Quarters;
  /** First and last evaluation (absent without evals.jsonl). */
  evals?: { first: { step: number; meanReward: number | null }; last: { step: number; meanReward: number | null }; count: number };
}

export const fmt = (x: number | null, d = 2): string => (x !== null && Number.isFinite(x) ? x.toFixed(d) : '-');
/** A change with its sign (+1.25, -0.50; 0.00 when it rounds to zero); '-' when unknown. */
export const signed = (x: number, d = 2): string => {
  if (!Number.isFinite(x)) return '-';
  const t = Math.abs(x).toFixed(d);
  return Number(t) === 0 ? t : `${x > 0 ? '+' : '-'}${t}`;
};
const span = (a: number, b: number): string => (a === b ? `step ${a}` : `steps ${a}\u2013${b}`);
/** Markdown table cell text (a pipe would end the cell). */
const cell = (s: string): string => s.replace(/\|/g, '\\|');

export const QUARTER_RULE =
  'Quarters: of a run\u2019s n logged steps, q = max(1, \u230an/4\u230b); the first quarter is the first q steps and the last quarter the last q steps, so both sides average ' +
  'the same number of steps (with n not divisible by 4 the leftover steps fall in the middle, in neither). Each side is the mean of its steps\u2019 mean reward ' +
  '(reward.mean of metrics.jsonl; a step whose rollouts were all dropped has none and is left out); change = last \u2212 first.';

export function quarterTable(runs: readonly RunSummary[]): string[] {
  return [
    '| run | steps | first quarter | mean reward | last quarter | mean reward | change |',
    '|---|---:|---|---:|---|---:|---:|',
    ...runs.map(({ label, quarters: q }) =>
      `| ${cell(label)} | ${q.steps} | ${span(q.first.fromStep, q.first.toStep)} | ${fmt(q.first.mean)} | ${span(q.last.fromStep, q.last.toStep)} | ${fmt(q.last.mean)} | ${signed(q.change)} |`,
    ),
  ];
}

export function reportMarkdown(runs: readonly RunSummary[], charts: readonly Chart[], warnings: readonly string[], date = new Date().toISOString()): string {
  const compare = runs.length > 1;
  const title = compare ? `Training report: ${runs.map((r) => r.label).join(' vs ')}` : `Training report: ${runs[0]!.label}`;
  const out: string[] = [`# ${title}`, ''];
  for (const r of runs) {
    const e = r.evals ? `, ${r.evals.count} evaluation(s)` : '';
    out.push(`- ${compare ? `**${r.label}**: ` : ''}\`${r.dir}\`: ${r.quarters.steps} step(s)${e}`);
  }
  out.push('', `Written ${date} by \`npm run report\`.`, '', '## First vs last quarter of training', '', ...quarterTable(runs), '', QUARTER_RULE, '');
  const withEvals = runs.filter((r) => r.evals);
  if (withEvals.length) {
    out.push('Held-out evaluations (evals.jsonl), first vs last:', '', '| run | evaluations | first | mean reward | last | mean reward | change |', '|---|---:|---|---:|---|---:|---:|');
    for (const r of withEvals) {
      const { first, last, count } = r.evals!;
      const change = first.meanReward !== null && last.meanReward !== null ? last.meanReward - first.meanReward : NaN;
      out.push(`| ${cell(r.label)} | ${count} | after step ${first.step} | ${fmt(first.meanReward)} | after step ${last.step} | ${fmt(last.meanReward)} | ${signed(change)} |`);
    }
    out.push('');
  }
  for (const [section, heading] of [['training', 'Training'], ['evaluation', 'Evaluation']] as const) {
    const cs = charts.filter((c) => c.section === section);
    if (cs.length === 0) continue;
    out.push(`## ${heading}`, '');
    for (const c of cs) out.push(`### ${c.title}`, '', `![${c.title}](${c.name}.png)`, '', `[SVG](${c.name}.svg)`, '');
  }
  if (warnings.length) out.push('## Skipped or odd lines', '', ...warnings.map((w) => `- ${w}`), '');
  return out.join('\n');
}
