// The evaluation report of shared/spec/resume-task.md section 7, from finished episodes: mean
// reward, submit rate, edit failure rate (failed / all str_replace), hallucination score (mean of
// that content field), content quality (mean content total), layout pass rate, reward components,
// per-weakness mean reward, a reward histogram and edits per rollout; and (issue 11) per-field judge
// means, per-example reward spread, document lines, words per rollout, the share below zero, and
// per-rollout samples so two saved evaluations can be compared (src/eval/compare.ts). Rollouts whose
// judge failed have no reward: they are counted, and left out of every mean that needs the reward.
import type { EpisodeResult } from '../env/resume/episode.js';
import { REWARD_MAX, REWARD_MIN } from '../reward/score.js';
import { mean, sd } from './stats.js';

export { mean } from './stats.js';

/** The judge's verdict fields, as rubric points (src/reward/rubrics.ts ContentBreakdown). */
export const JUDGE_FIELDS = ['clarity', 'quantification', 'jd_alignment', 'action_verbs', 'overall_preference', 'hallucination'] as const;
export type JudgeField = (typeof JUDGE_FIELDS)[number];
export type JudgeMeans = Record<JudgeField, number>;

/** Histogram bin width: half a point, the finest step the rubric points make visible. */
export const HISTOGRAM_WIDTH = 0.5;

/** One rollout, as much as a comparison's significance test needs. */
export interface EvalSample {
  row: string;
  /** Null when the judge failed. */
  reward: number | null;
  judge: JudgeMeans | null;
}

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
  perWeakness: Record<string, { rollouts: number; meanReward: number; components?: { tool: number; layout: number; content: number } }>;
  /** Counts of total reward in bins [from + k w, from + (k+1) w) up to REWARD_MAX (the last bin
   *  closed); w = width, 1 when absent (evaluations saved before the width was recorded). */
  histogram: { from: number; width?: number; counts: number[] };
  editsPerRollout: { ok: number; failed: number };
  // The fields below are absent from evaluations saved before issue 11.
  /** Whether the chat template's thinking was on (Qwen3's `enable_thinking`). */
  enableThinking?: boolean;
  /** Present while the evaluation is unfinished (interrupted, or still running): rows done of all. */
  partial?: { rows: number; of: number };
  /** Mean points of each judge field over the scored rollouts (a no-edit rollout's fixed points
   *  included, as in `hallucination` above, which equals judgeFields.hallucination). */
  judgeFields?: JudgeMeans;
  /** Per evaluation row: its rollouts' reward mean, min, max and sample sd (scored rollouts). */
  perExample?: Record<string, { rollouts: number; meanReward: number; min: number; max: number; sd: number }>;
  /** Mean line count of the final documents. */
  meanLines?: number;
  /** Mean words of assistant text per rollout (all turns). */
  wordsPerRollout?: number;
  /** Share of scored rollouts with total reward below zero. */
  negativeRewardShare?: number;
  samples?: EvalSample[];
}

const judgeMeans = (es: readonly EpisodeResult[]): JudgeMeans =>
  Object.fromEntries(JUDGE_FIELDS.map((f) => [f, mean(es.map((e) => e.reward.content![f]))])) as JudgeMeans;

const components = (all: readonly EpisodeResult[], scored: readonly EpisodeResult[]) => ({
  tool: mean(all.map((e) => e.reward.tool.total)),
  layout: mean(all.map((e) => e.reward.layout.total)),
  content: mean(scored.map((e) => e.reward.content!.total)),
});

const words = (s: string): number => s.split(/\s+/).filter(Boolean).length;

export function buildReport(
  episodes: readonly EpisodeResult[],
  meta: { model: string; judge: string; date?: string; enableThinking?: boolean; partial?: { rows: number; of: number } },
): EvalReport {
  const scored = episodes.filter((e) => e.reward.total !== undefined);
  const ok = episodes.reduce((a, e) => a + e.reward.tool.strReplaceOk, 0);
  const failed = episodes.reduce((a, e) => a + e.reward.tool.strReplaceFailed, 0);
  const counts = new Array<number>((REWARD_MAX - REWARD_MIN) / HISTOGRAM_WIDTH).fill(0);
  for (const e of scored) counts[Math.min(counts.length - 1, Math.max(0, Math.floor((e.reward.total! - REWARD_MIN) / HISTOGRAM_WIDTH)))]!++;
  const perWeakness: EvalReport['perWeakness'] = {};
  for (const w of [...new Set(episodes.map((e) => e.weakness))].sort()) {
    const all = episodes.filter((e) => e.weakness === w);
    const sc = scored.filter((e) => e.weakness === w);
    perWeakness[w] = { rollouts: all.length, meanReward: mean(sc.map((e) => e.reward.total!)), components: components(all, sc) };
  }
  const perExample: NonNullable<EvalReport['perExample']> = {};
  for (const id of [...new Set(episodes.map((e) => e.rowId))].sort()) {
    const rs = scored.filter((e) => e.rowId === id).map((e) => e.reward.total!);
    perExample[id] = { rollouts: episodes.filter((e) => e.rowId === id).length, meanReward: mean(rs), min: rs.length ? Math.min(...rs) : NaN, max: rs.length ? Math.max(...rs) : NaN, sd: sd(rs) };
  }
  return {
    model: meta.model,
    judge: meta.judge,
    date: meta.date ?? new Date().toISOString(),
    ...(meta.enableThinking !== undefined ? { enableThinking: meta.enableThinking } : {}),
    ...(meta.partial ? { partial: meta.partial } : {}),
    rows: new Set(episodes.map((e) => e.rowId)).size,
    rollouts: episodes.length,
    unscored: episodes.length - scored.length,
    meanReward: mean(scored.map((e) => e.reward.total!)),
    submitRate: episodes.length ? episodes.filter((e) => e.reward.tool.submitted).length / episodes.length : NaN,
    editFailureRate: ok + failed ? failed / (ok + failed) : 0,
    hallucination: mean(scored.map((e) => e.reward.content!.hallucination)),
    contentQuality: mean(scored.map((e) => e.reward.content!.total)),
    layoutPassRate: episodes.length ? episodes.filter((e) => e.reward.layout.pass).length / episodes.length : NaN,
    components: components(episodes, scored),
    perWeakness,
    histogram: { from: REWARD_MIN, width: HISTOGRAM_WIDTH, counts },
    editsPerRollout: { ok: episodes.length ? ok / episodes.length : 0, failed: episodes.length ? failed / episodes.length : 0 },
    judgeFields: judgeMeans(scored),
    perExample,
    meanLines: mean(episodes.map((e) => e.reward.layout.lines)),
    wordsPerRollout: mean(episodes.map((e) => e.turns.reduce((a, t) => a + words(t.assistant), 0))),
    negativeRewardShare: scored.length ? scored.filter((e) => e.reward.total! < 0).length / scored.length : NaN,
    samples: episodes.map((e) => ({
      row: e.rowId,
      reward: e.reward.total ?? null,
      judge: e.reward.content ? (Object.fromEntries(JUDGE_FIELDS.map((f) => [f, e.reward.content![f]])) as JudgeMeans) : null,
    })),
  };
}

export const pct = (x: number | undefined): string => (x !== undefined && Number.isFinite(x) ? `${(100 * x).toFixed(0)}%` : '-');
export const num = (x: number | undefined, d = 2): string => (x !== undefined && Number.isFinite(x) ? x.toFixed(d) : '-');

export const thinkingText = (on: boolean): string => `thinking ${on ? 'on' : 'off'}`;

/** What a comparison's base / trained line adds about one evaluation: its thinking setting and
 *  whether it is unfinished (both unknown for evaluations saved before they were recorded). */
export const evalNotes = (r: EvalReport): string =>
  `${r.enableThinking !== undefined ? `, ${thinkingText(r.enableThinking)}` : ''}${r.partial ? `, partial: ${r.partial.rows} of ${r.partial.of} rows` : ''}`;

/** The marker of an unfinished evaluation's report. */
export const partialLine = (p: { rows: number; of: number }): string =>
  `**partial: ${p.rows} of ${p.of} rows** (the evaluation was stopped or is still running; the same command with the same --out resumes it)`;

/** The report as Markdown, in the published table's form. */
export function reportMarkdown(r: EvalReport): string {
  const w = r.histogram.width ?? 1;
  const edge = (k: number): string => String(r.histogram.from + k * w);
  const lines = [
    `# Evaluation: ${r.model}`,
    '',
    ...(r.partial ? [partialLine(r.partial), ''] : []),
    `${r.rows} rows x ${r.rollouts / Math.max(1, r.rows)} rollouts = ${r.rollouts}; judge ${r.judge}${r.enableThinking !== undefined ? `; ${thinkingText(r.enableThinking)}` : ''}; ${r.date}${r.unscored ? `; ${r.unscored} rollout(s) without a reward (judge failure) left out of reward means` : ''}`,
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
    ...(r.judgeFields ? JUDGE_FIELDS.map((f) => `| judge ${f} (mean points) | ${num(r.judgeFields![f])} |`) : []),
    ...(r.negativeRewardShare !== undefined ? [`| rollouts with reward < 0 | ${pct(r.negativeRewardShare)} |`] : []),
    ...(r.meanLines !== undefined ? [`| final document lines (mean) | ${num(r.meanLines, 1)} |`] : []),
    ...(r.wordsPerRollout !== undefined ? [`| assistant words per rollout | ${num(r.wordsPerRollout, 1)} |`] : []),
    '',
    '| weakness | rollouts | mean reward | tool | layout | content |',
    '|---|---|---|---|---|---|',
    ...Object.entries(r.perWeakness).map(([k, v]) => `| ${k} | ${v.rollouts} | ${num(v.meanReward)} | ${num(v.components?.tool)} | ${num(v.components?.layout)} | ${num(v.components?.content)} |`),
    ...(r.perExample
      ? ['', '| example | rollouts | mean reward | min | max | sd |', '|---|---|---|---|---|---|', ...Object.entries(r.perExample).map(([k, v]) => `| ${k} | ${v.rollouts} | ${num(v.meanReward)} | ${num(v.min)} | ${num(v.max)} | ${num(v.sd)} |`)]
      : []),
    '',
    '| reward | rollouts |',
    '|---|---|',
    ...r.histogram.counts.map((c, i) => `| [${edge(i)}, ${edge(i + 1)}${i === r.histogram.counts.length - 1 ? ']' : ')'} | ${c} |`),
    '',
  ];
  return lines.join('\n');
}
