// The evaluation report of shared/spec/resume-task.md section 7, from finished episodes: mean
// reward, submit rate, edit failure rate (failed / all str_replace), hallucination score (mean of
// that content field), content quality (mean content total), layout pass rate, reward components,
// per-weakness mean reward, a reward histogram and edits per rollout. Rollouts whose judge failed
// have no reward: they are counted, and left out of every mean that needs the reward.
import type { EpisodeResult } from '../env/resume/episode.js';
import { REWARD_MAX, REWARD_MIN } from '../reward/score.js';

export interface EvalReport {
  model: string;
  judge: string;
  date: string;
  rows: number;
  rollouts: number;
  /** Rollouts without a reward (judge failures). */
  unscored: number;
  meanReward: number;
  submitRate: number;
  editFailureRate: number;
  hallucination: number;
  contentQuality: number;
  layoutPassRate: number;
  components: { tool: number; layout: number; content: number };
  perWeakness: Record<string, { rollouts: number; meanReward: number }>;
  /** Counts of total reward in unit bins [k, k+1) from REWARD_MIN to REWARD_MAX (the last bin closed). */
  histogram: { from: number; counts: number[] };
  editsPerRollout: { ok: number; failed: number };
}

/** Mean, NaN for none. */
export const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function buildReport(episodes: readonly EpisodeResult[], meta: { model: string; judge: string; date?: string }): EvalReport {
  const scored = episodes.filter((e) => e.reward.total !== undefined);
  const ok = episodes.reduce((a, e) => a + e.reward.tool.strReplaceOk, 0);
  const failed = episodes.reduce((a, e) => a + e.reward.tool.strReplaceFailed, 0);
  const counts = new Array<number>(REWARD_MAX - REWARD_MIN).fill(0);
  for (const e of scored) counts[Math.min(counts.length - 1, Math.max(0, Math.floor(e.reward.total! - REWARD_MIN)))]!++;
  const perWeakness: EvalReport['perWeakness'] = {};
  for (const w of [...new Set(episodes.map((e) => e.weakness))].sort()) {
    const rs = scored.filter((e) => e.weakness === w).map((e) => e.reward.total!);
    perWeakness[w] = { rollouts: episodes.filter((e) => e.weakness === w).length, meanReward: mean(rs) };
  }
  return {
    model: meta.model,
    judge: meta.judge,
    date: meta.date ?? new Date().toISOString(),
    rows: new Set(episodes.map((e) => e.rowId)).size,
    rollouts: episodes.length,
    unscored: episodes.length - scored.length,
    meanReward: mean(scored.map((e) => e.reward.total!)),
    submitRate: episodes.length ? episodes.filter((e) => e.reward.tool.submitted).length / episodes.length : NaN,
    editFailureRate: ok + failed ? failed / (ok + failed) : 0,
    hallucination: mean(scored.map((e) => e.reward.content!.hallucination)),
    contentQuality: mean(scored.map((e) => e.reward.content!.total)),
    layoutPassRate: episodes.length ? episodes.filter((e) => e.reward.layout.pass).length / episodes.length : NaN,
    components: {
      tool: mean(episodes.map((e) => e.reward.tool.total)),
      layout: mean(episodes.map((e) => e.reward.layout.total)),
      content: mean(scored.map((e) => e.reward.content!.total)),
    },
    perWeakness,
    histogram: { from: REWARD_MIN, counts },
    editsPerRollout: { ok: episodes.length ? ok / episodes.length : 0, failed: episodes.length ? failed / episodes.length : 0 },
  };
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
const num = (x: number, d = 2): string => (Number.isFinite(x) ? x.toFixed(d) : '-');

/** The report as Markdown, in the published table's form. */
export function reportMarkdown(r: EvalReport): string {
  const lines = [
    `# Evaluation: ${r.model}`,
    '',
    `${r.rows} rows x ${r.rollouts / Math.max(1, r.rows)} rollouts = ${r.rollouts}; judge ${r.judge}; ${r.date}${r.unscored ? `; ${r.unscored} rollout(s) without a reward (judge failure) left out of reward means` : ''}`,
    '',
    '| metric | value |',
    '|---|---|',
    `| mean reward | ${num(r.meanReward)} |`,
    `| submit rate | ${pct(r.submitRate)} |`,
    `| edit failure rate (failed / all str_replace) | ${pct(r.editFailureRate)} |`,
    `| hallucination score (mean of that field) | ${num(r.hallucination)} |`,
    `| content quality (mean content) | ${num(r.contentQuality)} |`,
    `| layout pass rate | ${pct(r.layoutPassRate)} |`,
    `| reward components: tool / layout / content | ${num(r.components.tool)} / ${num(r.components.layout)} / ${num(r.components.content)} |`,
    `| edits per rollout: ok / failed | ${num(r.editsPerRollout.ok)} / ${num(r.editsPerRollout.failed)} |`,
    '',
    '| weakness | rollouts | mean reward |',
    '|---|---|---|',
    ...Object.entries(r.perWeakness).map(([w, v]) => `| ${w} | ${v.rollouts} | ${num(v.meanReward)} |`),
    '',
    '| reward | rollouts |',
    '|---|---|',
    ...r.histogram.counts.map((c, i) => `| [${r.histogram.from + i}, ${r.histogram.from + i + 1}${i === r.histogram.counts.length - 1 ? ']' : ')'} | ${c} |`),
    '',
  ];
  return lines.join('\n');
}
