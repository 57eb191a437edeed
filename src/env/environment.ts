// What the orchestrator knows of a task: an Environment (as verifiers environments plug into
// PRIME-RL). An episode is opening messages, then one assistant message at a time answered by the
// environment (a tool reply) until it is done, then a reward with named components and metrics.
// The rollout loop (src/env/episode.ts), the trainer and the evaluation see only this; the
// resume task (src/env/resume) and the small debug tasks (src/env/reverse) implement it.
import type { ChatMessage, ToolSchema } from './chat.js';

export type { ChatMessage, ToolSchema } from './chat.js';

export interface EnvStep {
  /** The environment's answer (sent as a tool message); absent when the message ended the
   *  episode without one (no tool call, or a single-turn task's answer). */
  reply?: string;
  done: boolean;
}

export interface EnvReward {
  /** Undefined when the reward could not be computed (a failed judge): never a silent 0. */
  total: number | undefined;
  /** Named parts that add up to `total` (e.g. tool / layout / content). */
  components: Record<string, number>;
  /** Per-rollout numbers averaged over a step (rates as 0 / 1, counts). */
  metrics: Record<string, number>;
  /** Why `total` is undefined. */
  error?: string;
  /** The environment's full breakdown, as written to the rollout logs (JSON). */
  breakdown?: unknown;
}

/** One episode's state; `D` is the environment's own record of it (eval reports, renderings). */
export interface EnvEpisode<D = unknown> {
  /** The opening messages (system, user). */
  readonly messages: readonly ChatMessage[];
  readonly done: boolean;
  /** Why it ended (e.g. 'submit', 'no_tool_call', 'answered', 'token_budget'). */
  readonly endReason: string | undefined;
  /** One assistant message. Throws only on misuse (stepping a finished episode). */
  step(text: string): EnvStep;
  /** Ends the episode from outside (the token budget). */
  stop(reason: 'token_budget'): void;
  /** The reward of the finished episode, and the environment's record of it. */
  score(): Promise<{ reward: EnvReward; detail: D }>;
}

export interface Environment<Row extends { id: string } = { id: string }, D = unknown> {
  /** The config's `env.kind`. */
  readonly name: string;
  /** Tools the chat template lists in the system turn (empty: plain-text answers). */
  readonly tools: readonly ToolSchema[];
  /** Reward range, for reports and the normalised score. */
  readonly rewardRange: { min: number; max: number };
  /** The training or evaluation rows (read from the configured files, validated, or generated
   *  from a seed); a bad row's error names it. */
  rows(split: 'train' | 'eval'): Row[];
  /** A fresh episode of `row` with at most `maxTurns` assistant messages. */
  start(row: Row, limits: { maxTurns: number }): EnvEpisode<D>;
  /** A good first assistant message for `row` (the supervised warm start's target). */
  demonstration(row: Row): string;
}

/** An environment whose row and record types the caller does not need (the trainer's view). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyEnvironment = Environment<any, any>;
