// Saved evaluations of scripted policies for the comparison's tests and for looking at its charts:
// the real evaluation path (src/eval/evaluate.ts evaluateWith: rollouts through the resume
// environment, the rules judge, eval.json and rollouts.jsonl written) with a sampler that answers
// each turn from a script instead of a model. A script is picked per rollout from the policy's
// list, so a 'trained' policy submits good edits more often than a 'base' one; some edits carry a
// marker on which the judge fails, so a few rollouts have no reward.
import { evaluateWith } from '../../src/eval/evaluate.js';
import type { EvalReport } from '../../src/eval/report.js';
import { ResumeEnvironment, type EpisodeResult } from '../../src/env/resume/episode.js';
import { bundledQwen3TokenizerDir, QWEN3_SPECIAL_IDS } from '../../src/io/tokenizer.js';
import { formatToolCall } from '../../src/io/toolcall.js';
import type { GenerateRequest, GenerateResult } from '../../src/model/generate.js';
import { RulesJudge } from '../../src/reward/rules-judge.js';
import type { Judge } from '../../src/reward/verdict.js';
import type { RolloutContext } from '../../src/rl/rollout.js';
import { loadChatFormat } from '../../src/rl/setup.js';
import type { DataRow } from '../../src/data/schema.js';

/** The judge fails on a revision holding this. */
const JUDGE_DOWN = 'JUDGE-DOWN';

const failingOnMarker = (inner: Judge): Judge => ({
  name: 'rules',
  judge: async (input) => {
    if (input.revised.includes(JUDGE_DOWN)) throw new Error('judge unavailable');
    return inner.judge(input);
  },
});

const sr = (old: string, nw: string) => formatToolCall('str_replace', { old, new: nw });
const submit = formatToolCall('submit');

/** A weak line of the row and a rewrite of it (strong verb, no new facts). */
function weakLine(row: DataRow, k = 0): { old: string; better: string } {
  const line = row.weakness.lines[k % row.weakness.lines.length]!.text;
  const m = /^(\s*[-*+]\s+)?(.*)$/.exec(line)!;
  return { old: line, better: `${m[1] ?? ''}Led work to ${m[2]!.charAt(0).toLowerCase()}${m[2]!.slice(1)}` };
}

/** Each script: the assistant message of each turn (the episode ends on submit or a message
 *  without a tool call). */
const SCRIPTS: Record<string, (row: DataRow) => string[]> = {
  submit: () => [submit],
  ramble: () => ['The resume already reads well; I would not change anything here.'],
  failedEdit: () => ['Fixing the header first.\n' + sr('no such text in the resume', 'x'), submit],
  improve: (row) => [sr(weakLine(row).old, weakLine(row).better), formatToolCall('review'), submit],
  twoEdits: (row) => [sr(weakLine(row).old, weakLine(row).better), sr('not there', 'y'), sr(weakLine(row, 1).old, weakLine(row, 1).better), 'Done with the edits.'],
  fabricate: (row) => [sr(weakLine(row).old, `${weakLine(row).old}, saving $4.2M at Initech with Kubernetes`), submit],
  bloat: (row) => [sr(weakLine(row).old, [weakLine(row).better, ...Array.from({ length: 40 }, (_, i) => `- Maintained runbook ${i + 1} for the team`)].join('\n')), submit],
  judgeDown: (row) => [sr(weakLine(row).old, `${weakLine(row).better} ${JUDGE_DOWN}`), submit],
};

type Script = keyof typeof SCRIPTS;
/** Which scripts each policy draws from for a row (with repeats as weights): trained does better,
 *  except on rows asking to shorten the resume, where it got worse (bloats). */
export const POLICIES = {
  base: (): Script[] => ['submit', 'ramble', 'failedEdit', 'failedEdit', 'fabricate', 'bloat', 'improve', 'judgeDown', 'submit', 'twoEdits'],
  trained: (row: DataRow): Script[] =>
    row.weakness.type === 'too_long'
      ? ['bloat', 'bloat', 'fabricate', 'ramble', 'improve']
      : ['improve', 'improve', 'twoEdits', 'improve', 'submit', 'fabricate', 'improve', 'judgeDown', 'twoEdits', 'failedEdit'],
};

/** FNV-1a of a string: which script a rollout plays, the same on every run. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Runs the evaluation of `policy` over the first `rows` evaluation rows and writes it to `out`. */
export async function writeSyntheticEval(out: string, o: { policy: keyof typeof POLICIES; rows: number; rolloutsPerRow: number; model?: string }): Promise<EvalReport> {
  const env = new ResumeEnvironment(failingOnMarker(new RulesJudge()), { eval: 'data/eval.jsonl' });
  const rows = env.rows('eval').slice(0, o.rows);
  const { tokenizer, template } = await loadChatFormat(bundledQwen3TokenizerDir());
  const imEnd = QWEN3_SPECIAL_IDS.imEnd;
  const sampler = {
    async sample(req: GenerateRequest): Promise<GenerateResult> {
      // Seeds read <prefix>/rows<i>/ex<e>/g<g>/turn<t> (evaluateWith, runGroups, runRollout).
      const m = /rows(\d+)\/ex(\d+)\/g(\d+)\/turn(\d+)$/.exec(String(req.seed));
      if (!m) throw new Error(`synthetic sampler: unexpected seed ${String(req.seed)}`);
      const row = rows[Number(m[1]) + Number(m[2])]!;
      const list = POLICIES[o.policy](row);
      const script = SCRIPTS[list[hash(`${o.policy}/${row.id}/${m[3]}`) % list.length]!]!(row);
      const text = script[Number(m[4]) - 1] ?? 'Nothing more to do.';
      const tokens = [...tokenizer.encode(text), imEnd];
      return { tokens, logprobs: tokens.map(() => 0), modelLogprobs: tokens.map(() => 0), finishReason: 'stop' };
    },
  };
  const ctx: RolloutContext<EpisodeResult> = {
    env,
    sampler,
    tokenizer,
    template,
    sampling: { temperature: 0.7 },
    maxTurns: 6,
    maxTokensPerTurn: 2048,
    maxEpisodeTokens: 20000,
    enableThinking: false,
  };
  const { report } = await evaluateWith(ctx, rows, { rolloutsPerRow: o.rolloutsPerRow, rowsAtOnce: 3, seed: o.policy, out, log: () => undefined, meta: { model: o.model ?? `scripted ${o.policy} policy`, judge: 'rules' } });
  return report;
}
