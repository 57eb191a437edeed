// A supervised warm start: a few steps of negative log-likelihood on replies after each row's
// opening prompt, before the RL steps. A random model never writes a tool call, so every rollout
// ties and RL has no signal; the published run starts from an instruct model instead, one that
// submits 33% of the time (resume-task.md section 7). The warm start stands in for that base model:
// - by default it teaches the environment's demonstration (Environment.demonstration: for the
//   resume task a well-formed `submit` call; for reverse-text the reversed string);
// - with `replies` it teaches a weighted mixture of replies, each trained after every prompt with
//   its weight, so the reply's first-token distribution converges to the weights (weighted NLL,
//   src/train/passes.ts). A base model's mix of good and bad habits is what RL selects from.
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
 *  tokens), with the reply's weight in `advantage` (the weighted NLL's weight, src/train/passes.ts);
 *  the temperature is 1 (the model's own softmax). Without `replies`: the environment's
 *  demonstration at weight 1. */
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
    return mix.map(({ text, weight }) => {
      const replyIds = [...tokenizer.encode(text), imEnd];
      const n = prompt.ids.length;
      const ids = new Int32Array(n + replyIds.length);
      ids.set(prompt.ids);
      ids.set(replyIds, n);
      const samplerLogprobs = new Float32Array(ids.length).fill(Number.NaN);
      samplerLogprobs.fill(0, n); // unused by the NLL loss
      const lossMask = new Uint8Array(ids.length).fill(1, n);
      return { ids, samplerLogprobs, lossMask, advantage: weight, temperature: 1 };
    });
  });
}
