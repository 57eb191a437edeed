// One resume-revision episode, independent of any model: a policy (async function) writes each
// assistant message, the environment answers, the rubrics score the end. Tests script the policy;
// the sampler wraps the model in one.
import type { DataRow } from '../data/schema.js';
import { ResumeEnv, type CallOutcome, type EndReason } from '../env/resume/env.js';
import {
  MAX_EPISODE_TOKENS,
  MAX_TOKENS_PER_TURN,
  MAX_TURNS,
  initialMessages,
  type ChatMessage,
  type ToolName,
} from '../env/resume/prompts.js';
import { unifiedDiff } from '../env/resume/diff.js';
import { scoreEpisode, type RewardBreakdown } from '../reward/score.js';
import type { Judge } from '../reward/verdict.js';

export interface PolicyInput {
  /** The conversation so far (system, user, then assistant / tool pairs). */
  messages: readonly ChatMessage[];
  /** 1-based number of the turn to write. */
  turn: number;
  /** The previous assistant message, if any. */
  lastAssistant?: string;
  /** Generation cap for this message (per-turn limit, lowered by what the episode has left). */
  maxTokens: number;
}

/** A policy's message; `meta` carries sampler data (token ids, logprobs) through to the result. */
export type PolicyOutput<M> = string | { text: string; meta?: M };
export type Policy<M = unknown> = (input: PolicyInput) => Promise<PolicyOutput<M>>;

export type EpisodeRow = Pick<DataRow, 'id' | 'jd' | 'resume' | 'weakness'>;

export interface EpisodeOptions<M> {
  row: EpisodeRow;
  policy: Policy<M>;
  judge: Judge;
  maxTurns?: number;
  maxTokensPerTurn?: number;
  maxEpisodeTokens?: number;
  /**
   * Tokens in a message's content. Without it only the turn budget applies. Chat-template overhead
   * (a few tokens per message) is not counted: the limit is a budget, not the model's window.
   */
  countTokens?: (text: string) => number;
}

export interface TurnRecord<M> {
  turn: number;
  assistant: string;
  /** The tool reply; absent when the message had no tool call. */
  reply?: string;
  outcome: CallOutcome;
  tool?: ToolName;
  meta?: M;
}

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

export async function runEpisode<M = unknown>(opts: EpisodeOptions<M>): Promise<EpisodeResult<M>> {
  const { row, policy, judge, countTokens } = opts;
  const maxTurns = opts.maxTurns ?? MAX_TURNS;
  const perTurn = opts.maxTokensPerTurn ?? MAX_TOKENS_PER_TURN;
  const perEpisode = opts.maxEpisodeTokens ?? MAX_EPISODE_TOKENS;
  const env = new ResumeEnv(row.resume, maxTurns);
  const messages = initialMessages(row.jd, row.resume);
  let used = countTokens ? messages.reduce((n, m) => n + countTokens(m.content), 0) : 0;
  const turns: TurnRecord<M>[] = [];
  let lastAssistant: string | undefined;

  while (!env.done) {
    const maxTokens = countTokens ? Math.min(perTurn, perEpisode - used) : perTurn;
    if (maxTokens <= 0) {
      env.stop('token_budget');
      break;
    }
    const input: PolicyInput = { messages: [...messages], turn: env.turn + 1, maxTokens };
    if (lastAssistant !== undefined) input.lastAssistant = lastAssistant;
    const out = await policy(input);
    const text = typeof out === 'string' ? out : out.text;
    const step = env.step(text);
    messages.push({ role: 'assistant', content: text });
    const rec: TurnRecord<M> = { turn: env.turn, assistant: text, outcome: step.outcome };
    if (typeof out !== 'string' && out.meta !== undefined) rec.meta = out.meta;
    if (step.tool !== undefined) rec.tool = step.tool;
    if (step.reply !== undefined) {
      rec.reply = step.reply;
      messages.push({ role: 'tool', content: step.reply });
    }
    turns.push(rec);
    if (countTokens) used += countTokens(text) + (step.reply !== undefined ? countTokens(step.reply) : 0);
    lastAssistant = text;
  }

  const reward = await scoreEpisode({ row, outcomes: env.outcomes, finalDoc: env.doc, judge });
  return {
    rowId: row.id,
    weakness: row.weakness.type,
    messages,
    turns,
    original: row.resume,
    finalDoc: env.doc,
    endReason: env.endReason!,
    reward,
  };
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
