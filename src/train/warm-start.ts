// A supervised warm start: a few steps of negative log-likelihood on replies after each row's
// opening prompt, before the RL steps. A random model never writes a tool call, so every rollout
// ties and RL has no signal; the published run starts from an instruct model instead, one that
// submits 33% of the time (resume-task.md section 7). The warm start stands in for that base model:
// - by default it teaches the environment's demonstration (Environment.demonstration: for the
//   resume task a well-formed `submit` call; for reverse-text the reversed string);
// - with `replies` it teaches a weighted mixture of replies, all trained after every prompt, so
//   the model samples reply k with probability w_k / sum w. Where replies share a prefix and then
//   part (the token after `<|im_start|>assistant`, the tool name), each one's token is weighted by
//   its w_k / max w: at that fork the weighted NLL's optimum is the mixture. Every other token has
//   one possible successor in the mixture, so its weight moves no optimum and stays 1: a reply
//   with a small share is learned as fast as any (a tiny model needs every step it gets to
//   write a tool call's JSON exactly). A base model's mix of habits is what RL selects from.
// A reply is tokenized as text and closed with <|im_end|>, exactly where sampled tokens would go.
import type { ChatTemplate, ToolSpec } from '../io/chat-template.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import { QWEN3_SPECIAL_IDS } from '../io/tokenizer.js';
import type { AnyEnvironment } from '../env/environment.js';
import { ConversationTokens } from '../rollout/conversation.js';
import type { TrainSample } from './batch.js';

export interface WeightedReply {
  text: string;
  weight: number;
}

/** Per row, one sample per reply: the row's opening prompt, then the reply + <|im_end|> (the loss
 *  tokens) with their NLL weights (forkWeights) in `tokenWeights`; the temperature is 1 (the
 *  model's own softmax). Without `replies`: the environment's demonstration at weight 1. */
export function warmStartSamples(
  env: AnyEnvironment,
  rows: readonly { id: string }[],
  tokenizer: HfTokenizer,
  template: ChatTemplate,
  enableThinking: boolean,
  replies?: readonly WeightedReply[],
): TrainSample[] {
  const imEnd = QWEN3_SPECIAL_IDS.imEnd;
  const tools: ToolSpec[] | undefined = env.tools.length ? env.tools.map((t) => ({ ...t })) : undefined;
  return rows.flatMap((row) => {
    const opening = env.start(row, { maxTurns: 1 }).messages;
    const conv = ConversationTokens.fromMessages(tokenizer, template, opening, { imEndId: imEnd, tools, enableThinking });
    const prompt = conv.pack();
    const mix = replies ?? [{ text: env.demonstration(row), weight: 1 }];
    const replyIds = mix.map(({ text }) => [...tokenizer.encode(text), imEnd]);
    const weights = forkWeights(replyIds, mix.map((r) => r.weight));
    return replyIds.map((replyIds, k) => {
      const n = prompt.ids.length;
      const ids = new Int32Array(n + replyIds.length);
      ids.set(prompt.ids);
      ids.set(replyIds, n);
      const samplerLogprobs = new Float32Array(ids.length).fill(Number.NaN);
      samplerLogprobs.fill(0, n); // unused by the NLL loss
      const lossMask = new Uint8Array(ids.length).fill(1, n);
      const tokenWeights = new Float32Array(ids.length).fill(1);
      tokenWeights.set(weights[k]!, n);
      return { ids, samplerLogprobs, lossMask, advantage: 1, tokenWeights, temperature: 1 };
    });
  });
}

/** NLL weight of each token of each reply: w_k / max w where replies sharing the token's prefix
 *  continue differently (a fork of the mixture), 1 elsewhere. */
export function forkWeights(replies: readonly (readonly number[])[], w: readonly number[]): number[][] {
  const wMax = Math.max(...w);
  const key = (ids: readonly number[], j: number): string => ids.slice(0, j).join(',');
  const next = new Map<string, Set<number>>(); // prefix -> the tokens that follow it
  for (const ids of replies) {
    ids.forEach((t, j) => {
      const k = key(ids, j);
      if (!next.has(k)) next.set(k, new Set());
      next.get(k)!.add(t);
    });
  }
  return replies.map((ids, r) => ids.map((_, j) => (next.get(key(ids, j))!.size > 1 ? w[r]! / wMax : 1)));
}
