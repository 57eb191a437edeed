// A small, verifiable environment for fast learning checks, in the spirit of PRIME-RL's
// reverse-text debug task: the user sends a short string, the assistant answers with it reversed,
// in one turn and with no tools. The reward is graded in [0, 1], so partial progress shows:
// (choice) positional accuracy, the characters in place, matches(answer[i] == target[i]) /
// max(|answer|, |target|) (1 only for the exact reversal; an empty answer scores 0). PRIME-RL grades
// by the longest-common-subsequence ratio instead; on a tiny model that ratio paid a degenerate
// policy (8 frequent digits score 0.36 on a 3-digit target, since the target is a subsequence of
// them) and RL learned that, not reversal (measured 2026-12-03); positional accuracy gives such a
// string about 0.1 and credits each character put in its place. The LCS ratio is kept as a metric.
// (choice) Rows are generated from a seed (no data file): strings of `minLength..maxLength`
// characters drawn from `alphabet`. The default alphabet is the ten digits, which Qwen3's tokenizer
// splits one per token, so a tiny model's task is to reorder a few tokens, not to spell.
import { z } from 'zod';
import { Rng } from '../../io/rng.js';
import type { ChatMessage, EnvEpisode, EnvReward, EnvStep, Environment } from '../environment.js';

export const ReverseTextConfig = z.object({
  kind: z.literal('reverse-text'),
  alphabet: z.string().min(2).default('0123456789'),
  minLength: z.number().int().positive().default(3),
  maxLength: z.number().int().positive().default(5),
  trainRows: z.number().int().positive().default(1000),
  evalRows: z.number().int().positive().default(64),
  seed: z.union([z.string(), z.number()]).default(0),
});
export type ReverseTextConfig = z.infer<typeof ReverseTextConfig>;

export interface ReverseRow {
  id: string;
  text: string;
}

export const REVERSE_SYSTEM_PROMPT = 'Reverse the text of the user\'s message, character by character. Reply with the reversed text only.';

const reversed = (s: string): string => [...s].reverse().join('');

/** Length of the longest common subsequence of two strings (code points). */
export function lcsLength(a: string, b: string): number {
  const x = [...a], y = [...b];
  let prev = new Array<number>(y.length + 1).fill(0);
  for (let i = 1; i <= x.length; i++) {
    const cur = new Array<number>(y.length + 1).fill(0);
    for (let j = 1; j <= y.length; j++) cur[j] = x[i - 1] === y[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    prev = cur;
  }
  return prev[y.length]!;
}

/** 2 LCS(answer, target) / (|answer| + |target|), in [0, 1] (a metric; 0 when both are empty). */
export function lcsRatio(answer: string, target: string): number {
  const n = [...answer].length + [...target].length;
  return n === 0 ? 0 : (2 * lcsLength(answer, target)) / n;
}

/** The graded reward of `answer` (trimmed) for `text`: characters in place over the longer length. */
export function reverseReward(text: string, answer: string): number {
  const a = [...answer.trim()], t = [...reversed(text)];
  const n = Math.max(a.length, t.length);
  return n === 0 ? 0 : a.filter((c, i) => c === t[i]).length / n;
}

class ReverseEpisode implements EnvEpisode<{ row: ReverseRow; answer: string }> {
  readonly messages: ChatMessage[];
  done = false;
  endReason: string | undefined;
  private answer = '';

  constructor(private readonly row: ReverseRow) {
    this.messages = [
      { role: 'system', content: REVERSE_SYSTEM_PROMPT },
      { role: 'user', content: row.text },
    ];
  }

  step(text: string): EnvStep {
    if (this.done) throw new Error(`reverse-text ${this.row.id}: the episode already ended (${this.endReason})`);
    this.answer = text;
    this.done = true;
    this.endReason = 'answered';
    return { done: true };
  }

  stop(reason: 'token_budget'): void {
    this.done = true;
    this.endReason ??= reason;
  }

  async score(): Promise<{ reward: EnvReward; detail: { row: ReverseRow; answer: string } }> {
    const r = reverseReward(this.row.text, this.answer);
    const a = this.answer.trim();
    const target = reversed(this.row.text);
    return {
      reward: {
        total: r,
        components: { inPlace: r },
        metrics: { exactRate: a === target ? 1 : 0, lengthMatchRate: [...a].length === [...target].length ? 1 : 0, lcsRatio: lcsRatio(a, target) },
        breakdown: { target, answer: a, inPlace: r },
      },
      detail: { row: this.row, answer: this.answer },
    };
  }
}

export class ReverseTextEnvironment implements Environment<ReverseRow, { row: ReverseRow; answer: string }> {
  readonly name = 'reverse-text';
  readonly tools = [];
  readonly rewardRange = { min: 0, max: 1 };

  constructor(private readonly cfg: ReverseTextConfig) {
    if (cfg.minLength > cfg.maxLength) throw new Error(`reverse-text: minLength ${cfg.minLength} > maxLength ${cfg.maxLength}`);
  }

  /** Seeded rows; train and eval come from different streams. */
  rows(split: 'train' | 'eval'): ReverseRow[] {
    const c = this.cfg;
    const rng = new Rng(`${c.seed}/reverse-text/${split}`);
    const chars = [...c.alphabet];
    const n = split === 'train' ? c.trainRows : c.evalRows;
    return Array.from({ length: n }, (_, i) => {
      const len = rng.int(c.minLength, c.maxLength);
      return { id: `${split}-${String(i).padStart(4, '0')}`, text: Array.from({ length: len }, () => chars[rng.int(0, chars.length - 1)]!).join('') };
    });
  }

  start(row: ReverseRow): ReverseEpisode {
    return new ReverseEpisode(row);
  }

  demonstration(row: ReverseRow): string {
    return reversed(row.text);
  }
}
