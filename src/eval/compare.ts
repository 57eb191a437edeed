// `npm run eval -- --compare A B`: two saved evaluations (base A, trained B) side by side in the
// published table's form (shared/spec/resume-task.md section 7), plus examples won and a two-sided
// permutation test over rollouts of the change in mean reward and in each judge field. Refuses
// evaluations of different example sets: their means would not measure the same thing. With --out,
// compare.md and the charts: src/eval/compare-charts.ts.
import { evalNotes, JUDGE_FIELDS, num, pct, type EvalReport, type EvalSample } from './report.js';
import { readSavedEval, savedEvalPath } from './saved.js';
import { permutationTest } from './stats.js';

/** The judge as the title names it: its model, or the offline rules judge. */
export function judgeTitle(judge: string): string {
  if (judge === 'rules') return 'offline rules judge';
  const m = /^openai:(.*) at /.exec(judge);
  return m ? `judge ${m[1]}` : `judge ${judge}`;
}

function examples(r: EvalReport, file: string): Set<string> {
  if (!r.samples || !r.perExample) throw new Error(`${file}: has no per-example records (saved before they were added); evaluate again to compare`);
  return new Set(Object.keys(r.perExample));
}

// A change that rounds to zero prints as 0.00, never -0.00 or +0.00.
const signed = (x: number, d = 2): string => {
  if (!Number.isFinite(x)) return '-';
  const s = x.toFixed(d);
  return Number(s) === 0 ? (0).toFixed(d) : `${x > 0 ? '+' : ''}${s}`;
};
const pValue = (p: number): string => (Number.isFinite(p) ? (p < 0.0001 ? '< 0.0001' : p.toFixed(4)) : '-');

export interface Comparison {
  markdown: string;
  base: EvalReport;
  trained: EvalReport;
  /** Each side's judge as titles name it (judgeTitle). */
  judges: { base: string; trained: string };
  won: number;
  common: number;
  /** Permutation p-values: 'reward' and each judge field. */
  p: Record<string, number>;
}

/** The comparison of two loaded evaluations; files name them in errors. */
export function compareReports(a: EvalReport, b: EvalReport, files: [string, string] = ['A', 'B']): Comparison {
  const ea = examples(a, files[0]);
  const eb = examples(b, files[1]);
  const onlyA = [...ea].filter((x) => !eb.has(x));
  const onlyB = [...eb].filter((x) => !ea.has(x));
  if (onlyA.length || onlyB.length) {
    const few = (xs: string[]) => xs.slice(0, 5).join(', ') + (xs.length > 5 ? ', ...' : '');
    throw new Error(
      `${files[0]} and ${files[1]} evaluated different example sets (${ea.size} vs ${eb.size} examples` +
        `${onlyA.length ? `; only in ${files[0]}: ${few(onlyA)}` : ''}${onlyB.length ? `; only in ${files[1]}: ${few(onlyB)}` : ''})`,
    );
  }
  const common = [...ea].filter((x) => eb.has(x)).sort();
  // A tie or an example without a reward in either is not won.
  const won = common.filter((x) => b.perExample![x]!.meanReward > a.perExample![x]!.meanReward).length;
  const rewards = (s: EvalSample[]) => s.filter((x) => x.reward !== null).map((x) => x.reward!);
  const field = (s: EvalSample[], f: (typeof JUDGE_FIELDS)[number]) => s.filter((x) => x.judge !== null).map((x) => x.judge![f]);
  const p: Record<string, number> = { reward: permutationTest(rewards(a.samples!), rewards(b.samples!)).p };
  for (const f of JUDGE_FIELDS) p[f] = permutationTest(field(a.samples!, f), field(b.samples!, f)).p;

  const judge = a.judge === b.judge ? judgeTitle(a.judge) : `${judgeTitle(a.judge)} (base) / ${judgeTitle(b.judge)} (trained): different judges`;
  const row = (name: string, x: number | undefined, y: number | undefined, fmt: (v: number | undefined) => string, change: string, pv = '') => `| ${name} | ${fmt(x)} | ${fmt(y)} | ${change} | ${pv} |`;
  const diff = (x: number | undefined, y: number | undefined) => signed((y ?? NaN) - (x ?? NaN));
  const pp = (x: number | undefined, y: number | undefined) => (Number.isFinite((y ?? NaN) - (x ?? NaN)) ? `${signed(100 * (y! - x!), 0)} pp` : '-');
  const lines = [
    `# Evaluation: base vs trained, ${judge}`,
    '',
    `base (A): ${a.model}, ${files[0]}, ${a.rows} examples x ${a.rollouts / Math.max(1, a.rows)} rollouts = ${a.rollouts}${evalNotes(a)}`,
    `trained (B): ${b.model}, ${files[1]}, ${b.rows} examples x ${b.rollouts / Math.max(1, b.rows)} rollouts = ${b.rollouts}${evalNotes(b)}`,
    '',
    '| metric | base | trained | change | p (permutation) |',
    '|---|---|---|---|---|',
    row('mean reward', a.meanReward, b.meanReward, (v) => num(v), diff(a.meanReward, b.meanReward), pValue(p.reward!)),
    row('submit rate', a.submitRate, b.submitRate, pct, pp(a.submitRate, b.submitRate)),
    row('edit failure rate (failed / all str_replace)', a.editFailureRate, b.editFailureRate, pct, pp(a.editFailureRate, b.editFailureRate)),
    row('hallucination score (mean of that field)', a.hallucination, b.hallucination, (v) => num(v), diff(a.hallucination, b.hallucination), pValue(p.hallucination!)),
    row('content quality (mean content)', a.contentQuality, b.contentQuality, (v) => num(v), diff(a.contentQuality, b.contentQuality)),
    row('layout pass rate', a.layoutPassRate, b.layoutPassRate, pct, pp(a.layoutPassRate, b.layoutPassRate)),
    ...JUDGE_FIELDS.filter((f) => f !== 'hallucination').map((f) =>
      row(`judge ${f} (mean points)`, a.judgeFields?.[f], b.judgeFields?.[f], (v) => num(v), diff(a.judgeFields?.[f], b.judgeFields?.[f]), pValue(p[f]!)),
    ),
    `| examples won (higher mean reward in trained) | | | ${won}/${common.length} | |`,
    '',
    'p: two-sided permutation test of the difference in means over rollouts (rollouts without a reward left out);',
    'exact over all relabellings when they are at most 50,000, otherwise 10,000 seeded random relabellings.',
    '',
  ];
  return { markdown: lines.join('\n'), base: a, trained: b, judges: { base: judgeTitle(a.judge), trained: judgeTitle(b.judge) }, won, common: common.length, p };
}

/** Reads A and B (eval.json files or the directories holding one) and compares them. */
export function compareSaved(a: string, b: string): Comparison {
  return compareReports(readSavedEval(a), readSavedEval(b), [savedEvalPath(a), savedEvalPath(b)]);
}
