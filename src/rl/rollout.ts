// One rollout: an episode of an environment (src/env/episode.ts) whose policy is the model
// behind a BatchedSampler, recorded token for token (src/rollout/conversation.ts): the rendered
// opening, each assistant turn exactly as sampled with its sampler logprobs, each tool reply as the
// template would wrap it. The trainer scores these tokens; history is never re-rendered.
import type { ChatTemplate, ToolSpec } from '../io/chat-template.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import { QWEN3_SPECIAL_IDS } from '../io/tokenizer.js';
import { SamplingParams, type SamplingInput } from '../ops/sampling.js';
import type { Environment } from '../env/environment.js';
import { ConversationTokens, type PackedConversation } from '../rollout/conversation.js';
import { runEpisode, type Episode } from '../env/episode.js';
import type { TurnSampler } from '../rollout/sampler.js';

type Row = { id: string };

export interface RolloutOptions<D = unknown> {
  row: Row;
  env: Environment<Row, D>;
  sampler: TurnSampler;
  tokenizer: HfTokenizer;
  template: ChatTemplate;
  sampling: SamplingInput;
  /** Seed of this rollout's draws (each turn's request derives its own from it). */
  seed: string;
  maxTurns: number;
  maxTokensPerTurn: number;
  maxEpisodeTokens: number;
  enableThinking: boolean;
}

export interface Rollout<D = unknown> {
  episode: Episode<D>;
  tokens: PackedConversation;
  /** Assistant turns that stopped at <|im_end|> (the rest hit the token cap). */
  finishedTurns: number;
  /** The sampling temperature its tokens were drawn at (their logprobs are log softmax(logits / T)
   *  terms); the trainer scores the tokens at the same temperature. */
  temperature: number;
}

export async function runRollout<D>(o: RolloutOptions<D>): Promise<Rollout<D>> {
  const imEnd = QWEN3_SPECIAL_IDS.imEnd;
  const tools: ToolSpec[] | undefined = o.env.tools.length ? o.env.tools.map((t) => ({ ...t })) : undefined;
  let conv: ConversationTokens | null = null;
  let finished = 0;
  const limits = { maxTurns: o.maxTurns, maxTokensPerTurn: o.maxTokensPerTurn, maxEpisodeTokens: o.maxEpisodeTokens, countTokens: (text: string) => o.tokenizer.encode(text).length };
  const episode = await runEpisode(o.env, o.row, async (input) => {
      if (!conv) {
        conv = ConversationTokens.fromMessages(o.tokenizer, o.template, input.messages, { imEndId: imEnd, tools, enableThinking: o.enableThinking });
      } else {
        // The environment's reply to the previous turn (the episode ends on a turn without one).
        const last = input.messages[input.messages.length - 1]!;
        if (last.role !== 'tool') throw new Error(`rollout ${o.seed}: turn ${input.turn} follows a ${last.role} message, expected a tool reply`);
        conv.appendToolResults([last.content]);
      }
      const r = await o.sampler.sample({
        prompt: conv.ids,
        maxNewTokens: input.maxTokens,
        stopTokens: [imEnd],
        sampling: o.sampling,
        seed: `${o.seed}/turn${input.turn}`,
      });
      conv.appendSampled(r.tokens, r.logprobs);
      if (r.finishReason === 'stop') finished++;
      const body = r.finishReason === 'stop' ? r.tokens.slice(0, -1) : r.tokens;
      return o.tokenizer.decode(body, { skipSpecialTokens: false });
    }, limits);
  if (!conv) throw new Error(`rollout ${o.seed}: the episode ended before the first turn`);
  return { episode, tokens: (conv as ConversationTokens).pack(), finishedTurns: finished, temperature: SamplingParams.parse(o.sampling).temperature };
}

/** Everything a rollout needs but its row and seed. */
export type RolloutContext<D = unknown> = Omit<RolloutOptions<D>, 'row' | 'seed'>;

/** `groupSize` rollouts of each row, all at once (the sampler batches them), in row-major order:
 *  rollout g of row e is result e * groupSize + g, seeded `${seedPrefix}/ex${e}/g${g}`. */
export function runGroups<D>(rows: readonly Row[], groupSize: number, ctx: RolloutContext<D>, seedPrefix: string, progress?: (done: number, total: number) => void): Promise<Rollout<D>[]> {
  const total = rows.length * groupSize;
  let done = 0;
  return Promise.all(
    rows.flatMap((row, e) =>
      Array.from({ length: groupSize }, (_, g) =>
        runRollout({ ...ctx, row, seed: `${seedPrefix}/ex${e}/g${g}` }).then((r) => {
          progress?.(++done, total);
          return r;
        }),
      ),
    ),
  );
}

/** The row's weakness when the environment's record names one (the resume task's does). */
function weaknessOf(detail: unknown): string | undefined {
  const w = typeof detail === 'object' && detail !== null ? (detail as { weakness?: unknown }).weakness : undefined;
  return typeof w === 'string' ? w : undefined;
}

/** One JSONL line of a rollout log (training steps, evaluations): row, its weakness (when the
 *  environment has one), reward (total, components, metrics and the environment's breakdown), end,
 *  each turn's message and reply. Enough to recompute an evaluation's report from the log alone
 *  (test/eval/compare-recompute.test.ts); fields are only ever added, so old logs still read. */
export function rolloutLogLine(r: Rollout): string {
  const weakness = weaknessOf(r.episode.detail);
  return JSON.stringify({
    row: r.episode.rowId,
    ...(weakness !== undefined ? { weakness } : {}),
    reward: r.episode.reward,
    endReason: r.episode.endReason,
    turns: r.episode.turns.map((t) => ({ assistant: t.assistant, reply: t.reply })),
  });
}
