// One episode of any environment (src/env/environment.ts), independent of any model: a policy
// (async function) writes each assistant message, the environment answers, and scores the end.
// Tests script the policy; the sampler wraps the model in one (src/rl/rollout.ts). Budgets: turns
// (the environment's), tokens per message, and tokens per episode.
import type { ChatMessage, EnvReward, Environment } from './environment.js';

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

export interface EpisodeLimits {
  maxTurns: number;
  maxTokensPerTurn: number;
  maxEpisodeTokens: number;
  /**
   * Tokens in a message's content. Without it only the turn budget applies. Chat-template overhead
   * (a few tokens per message) is not counted: the limit is a budget, not the model's window.
   */
  countTokens?: (text: string) => number;
}

export interface TurnRecord<M = unknown> {
  turn: number;
  assistant: string;
  /** The environment's reply; absent when the message ended the episode without one. */
  reply?: string;
  meta?: M;
}

export interface Episode<D = unknown, M = unknown> {
  rowId: string;
  /** The full transcript, as the chat template takes it. */
  messages: ChatMessage[];
  turns: TurnRecord<M>[];
  endReason: string;
  reward: EnvReward;
  /** The environment's own record (e.g. the resume task's EpisodeResult). */
  detail: D;
}

export async function runEpisode<Row extends { id: string }, D, M = unknown>(
  env: Environment<Row, D>,
  row: Row,
  policy: Policy<M>,
  limits: EpisodeLimits,
): Promise<Episode<D, M>> {
  const { countTokens } = limits;
  const ep = env.start(row, { maxTurns: limits.maxTurns });
  const messages: ChatMessage[] = [...ep.messages];
  let used = countTokens ? messages.reduce((n, m) => n + countTokens(m.content), 0) : 0;
  const turns: TurnRecord<M>[] = [];
  let lastAssistant: string | undefined;

  while (!ep.done) {
    const maxTokens = countTokens ? Math.min(limits.maxTokensPerTurn, limits.maxEpisodeTokens - used) : limits.maxTokensPerTurn;
    if (maxTokens <= 0) {
      ep.stop('token_budget');
      break;
    }
    const input: PolicyInput = { messages: [...messages], turn: turns.length + 1, maxTokens };
    if (lastAssistant !== undefined) input.lastAssistant = lastAssistant;
    const out = await policy(input);
    const text = typeof out === 'string' ? out : out.text;
    const step = ep.step(text);
    messages.push({ role: 'assistant', content: text });
    const rec: TurnRecord<M> = { turn: turns.length + 1, assistant: text };
    if (typeof out !== 'string' && out.meta !== undefined) rec.meta = out.meta;
    if (step.reply !== undefined) {
      rec.reply = step.reply;
      messages.push({ role: 'tool', content: step.reply });
    }
    turns.push(rec);
    if (countTokens) used += countTokens(text) + (step.reply !== undefined ? countTokens(step.reply) : 0);
    lastAssistant = text;
  }

  const { reward, detail } = await ep.score();
  return { rowId: row.id, messages, turns, endReason: ep.endReason!, reward, detail };
}
