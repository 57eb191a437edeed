// The resume task as an Environment (src/env/environment.ts): an episode wraps the state machine
// (env.ts), keeps the transcript the way the published evaluation reads it (EpisodeResult: turns
// with their call outcomes, original and final document, the full reward breakdown) and scores it
// with the rubrics and the judge (src/reward/score.ts).
import type { DataRow } from '../../data/schema.js';
import { loadDataset } from '../../data/load.js';
import { scoreEpisode, REWARD_MAX, REWARD_MIN, type RewardBreakdown } from '../../reward/score.js';
import type { Judge } from '../../reward/verdict.js';
import { runEpisode as runEnvEpisode, type Policy } from '../episode.js';
import type { EnvEpisode, EnvReward, EnvStep, Environment } from '../environment.js';
import { unifiedDiff } from './diff.js';
import type { CallOutcome } from '../../reward/outcome.js';
import { ResumeEnv, type EndReason } from './env.js';
import { MAX_EPISODE_TOKENS, MAX_TOKENS_PER_TURN, MAX_TURNS, TOOL_SCHEMAS, initialMessages, type ChatMessage, type ToolName } from './prompts.js';

export type EpisodeRow = Pick<DataRow, 'id' | 'jd' | 'resume' | 'weakness'>;

export interface TurnRecord<M = unknown> {
  turn: number;
  assistant: string;
  /** The tool reply; absent when the message had no tool call. */
  reply?: string;
  outcome: CallOutcome;
  tool?: ToolName;
  meta?: M;
}

/** A finished resume episode, as the evaluation report and the renderings read it. */
export interface EpisodeResult<M = unknown> {
  rowId: string;
  weakness: DataRow['weakness']['type'];
  /** The full transcript, as the chat template takes it. */
  messages: ChatMessage[];
  turns: TurnRecord<M>[];
  original: string;
  finalDoc: string;
  endReason: EndReason;
  reward: RewardBreakdown;
}

/** The reward as the trainer reads any environment's: total, components, per-rollout metrics. */
export function envReward(r: RewardBreakdown, turns: readonly TurnRecord[]): EnvReward {
  const components: Record<string, number> = { tool: r.tool.total, layout: r.layout.total };
  if (r.content) components.content = r.content.total;
  const out: EnvReward = {
    total: r.total,
    components,
    metrics: {
      submitRate: r.tool.submitted ? 1 : 0,
      reviewRate: turns.some((t) => t.outcome.kind === 'review') ? 1 : 0,
      toolCallRate: turns.some((t) => t.outcome.kind !== 'none' && t.outcome.kind !== 'failed') ? 1 : 0,
      editsOk: r.tool.strReplaceOk,
      editsFailed: r.tool.strReplaceFailed,
      layoutPassRate: r.layout.pass ? 1 : 0,
    },
    breakdown: r,
  };
  if (r.judgeError !== undefined) out.error = r.judgeError;
  return out;
}

export class ResumeEpisode implements EnvEpisode<EpisodeResult> {
  readonly messages: ChatMessage[];
  private readonly env: ResumeEnv;
  private readonly turns: TurnRecord[] = [];
  private readonly transcript: ChatMessage[];

  constructor(
    private readonly row: EpisodeRow,
    private readonly judge: Judge,
    maxTurns: number,
  ) {
    this.env = new ResumeEnv(row.resume, maxTurns);
    this.messages = initialMessages(row.jd, row.resume);
    this.transcript = [...this.messages];
  }

  get done(): boolean {
    return this.env.done;
  }

  get endReason(): EndReason | undefined {
    return this.env.endReason;
  }

  step(text: string): EnvStep {
    const s = this.env.step(text);
    this.transcript.push({ role: 'assistant', content: text });
    const rec: TurnRecord = { turn: this.env.turn, assistant: text, outcome: s.outcome };
    if (s.tool !== undefined) rec.tool = s.tool;
    if (s.reply !== undefined) {
      rec.reply = s.reply;
      this.transcript.push({ role: 'tool', content: s.reply });
    }
    this.turns.push(rec);
    return s.reply === undefined ? { done: s.done } : { reply: s.reply, done: s.done };
  }

  stop(reason: 'token_budget'): void {
    this.env.stop(reason);
  }

  async score(): Promise<{ reward: EnvReward; detail: EpisodeResult }> {
    const reward = await scoreEpisode({ row: this.row, outcomes: this.env.outcomes, finalDoc: this.env.doc, judge: this.judge });
    const detail: EpisodeResult = {
      rowId: this.row.id,
      weakness: this.row.weakness.type,
      messages: this.transcript,
      turns: this.turns,
      original: this.row.resume,
      finalDoc: this.env.doc,
      endReason: this.env.endReason!,
      reward,
    };
    return { reward: envReward(reward, this.turns), detail };
  }
}

/** The resume task: rows from the dataset files (data/*.jsonl), scored by `judge`. */
export class ResumeEnvironment implements Environment<EpisodeRow, EpisodeResult> {
  readonly name = 'resume';
  readonly tools = TOOL_SCHEMAS;
  readonly rewardRange = { min: REWARD_MIN, max: REWARD_MAX };
  private readonly cache = new Map<string, DataRow[]>();

  constructor(
    readonly judge: Judge,
    private readonly data: { train?: string; eval?: string } = {},
  ) {}

  rows(split: 'train' | 'eval'): DataRow[] {
    const path = split === 'train' ? this.data.train : this.data.eval;
    if (!path) throw new Error(`resume environment: no ${split} data file configured`);
    let rows = this.cache.get(path);
    if (!rows) this.cache.set(path, (rows = loadDataset(path)));
    if (rows.length === 0) throw new Error(`${path}: no ${split} rows`);
    return rows;
  }

  start(row: EpisodeRow, limits: { maxTurns: number }): ResumeEpisode {
    return new ResumeEpisode(row, this.judge, limits.maxTurns);
  }

  /** The warm start's default reply: a well-formed submit call. */
  demonstration(): string {
    return '<tool_call>\n{"name": "submit", "arguments": {}}\n</tool_call>';
  }
}

export interface ResumeEpisodeOptions<M> {
  row: EpisodeRow;
  policy: Policy<M>;
  judge: Judge;
  maxTurns?: number;
  maxTokensPerTurn?: number;
  maxEpisodeTokens?: number;
  /** Tokens in a message's content (see src/env/episode.ts); without it only the turn budget applies. */
  countTokens?: (text: string) => number;
}

/** One resume episode with a policy, the task's default budgets, and its full record (tests, the
 *  worked example). */
export async function runResumeEpisode<M = unknown>(o: ResumeEpisodeOptions<M>): Promise<EpisodeResult<M>> {
  const ep = await runEnvEpisode(new ResumeEnvironment(o.judge), o.row, o.policy, {
    maxTurns: o.maxTurns ?? MAX_TURNS,
    maxTokensPerTurn: o.maxTokensPerTurn ?? MAX_TOKENS_PER_TURN,
    maxEpisodeTokens: o.maxEpisodeTokens ?? MAX_EPISODE_TOKENS,
    countTokens: o.countTokens,
  });
  const detail = ep.detail as EpisodeResult<M>;
  ep.turns.forEach((t, i) => {
    if (t.meta !== undefined) detail.turns[i]!.meta = t.meta;
  });
  return detail;
}
// ---- Markdown rendering (README worked example, eval reports) ----

/** A fence longer than any backtick run in the text, so any content renders verbatim. */
function fenced(text: string, lang = 'text'): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

function pts(x: number): string {
  return x > 0 ? `+${x.toFixed(2)}` : x < 0 ? x.toFixed(2) : '0.00';
}

function outcomeLabel(o: CallOutcome): string {
  switch (o.kind) {
    case 'str_replace':
      return o.ok ? `str_replace, ${o.replaced} replaced` : `str_replace failed: ${o.error}`;
    case 'review':
    case 'submit':
      return o.kind;
    case 'failed':
      return `failed call: ${o.error}`;
    case 'none':
      return 'no tool call';
  }
}

export function renderRewardMarkdown(r: RewardBreakdown): string {
  const t = r.tool;
  const rows: [string, string, string][] = [
    ['tool syntax', `str_replace: ${t.strReplaceOk} ok, ${t.strReplaceFailed} failed`, pts(t.points.strReplace)],
    ['tool syntax', `review: ${t.reviews} call(s), first one scores`, pts(t.points.review)],
    ['tool syntax', t.submitted ? 'submitted' : 'not submitted', pts(t.points.submit + t.points.noSubmit)],
    ['tool syntax', `failed calls: ${t.failedCalls}`, pts(t.points.failedCalls)],
    ['layout', `${r.layout.lines}/${r.layout.limit} lines`, pts(r.layout.total)],
  ];
  const c = r.content;
  if (c) {
    const src = c.source === 'judge' ? 'judge' : 'no edit, no judge call';
    const fieldNames = {
      hallucination: 'hallucination',
      clarity: 'clarity',
      quantification: 'quantification',
      jd_alignment: 'JD alignment',
      action_verbs: 'action verbs',
      overall_preference: 'overall preference',
    } as const;
    const label = (f: keyof typeof fieldNames) => (c.verdict ? `${fieldNames[f]}: ${c.verdict[f]}` : fieldNames[f]);
    for (const f of Object.keys(fieldNames) as (keyof typeof fieldNames)[]) {
      rows.push([`content (${src})`, label(f), pts(c[f])]);
    }
  } else {
    rows.push(['content', `missing: ${r.judgeError ?? 'no judge verdict'}`, 'n/a']);
  }
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = ['| rubric | component | points |', '|---|---|---|', ...rows.map((x) => `| ${x.map(cell).join(' | ')} |`)];
  lines.push(
    r.total === undefined
      ? '| **total** | reward unknown (judge failed) | **n/a** |'
      : `| **total** | normalized ${r.normalized!.toFixed(1)} / 100 | **${pts(r.total)}** |`,
  );
  return lines.join('\n');
}

export interface RenderOptions {
  /**
   * The system prompt (long, the same in every episode): false leaves it out (default), true shows
   * it whole, 'abbreviated' shows its first line and says where the full text lives.
   */
  system?: boolean | 'abbreviated';
}

/** The system prompt's first line, then a pointer to the rest. */
function abbreviate(prompt: string): string {
  const [first = '', ...rest] = prompt.split('\n');
  return `${first}\n[... ${rest.length} more lines: SYSTEM_PROMPT in src/env/resume/prompts.ts]`;
}

/** One row per turn with the points its call scored, then the no-submit penalty when it applies. */
export function renderToolCallsMarkdown(ep: EpisodeResult): string {
  const t = ep.reward.tool;
  const lines = ['| turn | call | outcome | points |', '|---|---|---|---|'];
  ep.turns.forEach((turn, i) => {
    const call = turn.tool ?? (turn.outcome.kind === 'none' ? '(none)' : '(invalid)');
    lines.push(`| ${turn.turn} | ${call} | ${outcomeLabel(turn.outcome)} | ${pts(t.perCall[i] ?? 0)} |`);
  });
  if (!t.submitted) lines.push(`| - | - | no submit by the end | ${pts(t.points.noSubmit)} |`);
  lines.push(`| | | **tool syntax total** | **${pts(t.total)}** |`);
  return lines.join('\n');
}

/** A transcript and its reward as readable Markdown. */
export function renderEpisodeMarkdown(ep: EpisodeResult, opts: RenderOptions = {}): string {
  const out: string[] = [];
  const total = ep.reward.total === undefined ? 'unknown (judge failed)' : pts(ep.reward.total);
  out.push(`# Episode ${ep.rowId} (planted weakness: ${ep.weakness})`, '');
  out.push(`Ended by ${ep.endReason} after ${ep.turns.length} turn(s); reward R = ${total}.`, '');
  for (const m of ep.messages.slice(0, 2)) {
    if (m.role === 'system') {
      if (!opts.system) continue;
      const text = opts.system === 'abbreviated' ? abbreviate(m.content) : m.content;
      out.push(`## System prompt${opts.system === 'abbreviated' ? ' (abbreviated)' : ''}`, '', fenced(text), '');
    } else {
      out.push('## User', '', fenced(m.content), '');
    }
  }
  for (const t of ep.turns) {
    out.push(`## Turn ${t.turn}: ${outcomeLabel(t.outcome)}`, '', '**Assistant**', '', fenced(t.assistant), '');
    if (t.reply !== undefined) out.push('**Tool reply**', '', fenced(t.reply), '');
  }
  out.push('## Final document vs original', '');
  const diff = unifiedDiff(ep.original, ep.finalDoc);
  out.push(diff === '' ? '(unchanged)' : fenced(diff, 'diff'), '');
  out.push('## Reward', '', '### Tool syntax per call', '', renderToolCallsMarkdown(ep), '');
  out.push('### Breakdown', '', renderRewardMarkdown(ep.reward), '');
  return out.join('\n');
}
