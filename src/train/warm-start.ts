// A supervised warm start: a few steps of plain negative log-likelihood on the environment's
// demonstration (Environment.demonstration: for the resume task a well-formed tool call, by
// default `submit`; for reverse-text the reversed string) after each row's opening prompt, before
// the RL steps. A random model never writes a tool call, so every rollout ties and RL has no
// signal; a briefly warm-started one writes it some of the time and RL takes it from there (the
// published run starts from an instruct model instead).
// The reply is tokenized as text and closed with <|im_end|>, exactly where sampled tokens would go.
import type { ChatTemplate, ToolSpec } from '../io/chat-template.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import { QWEN3_SPECIAL_IDS } from '../io/tokenizer.js';
import type { AnyEnvironment } from '../env/environment.js';
import { ConversationTokens } from '../rollout/conversation.js';
import type { TrainSample } from './batch.js';

/** One training sample per row: the row's opening prompt, then its demonstration + <|im_end|>
 *  (the loss tokens). `advantage` is unused by the NLL loss; the temperature is 1 (the model's own softmax). */
export function warmStartSamples(env: AnyEnvironment, rows: readonly { id: string }[], tokenizer: HfTokenizer, template: ChatTemplate, enableThinking: boolean): TrainSample[] {
  const imEnd = QWEN3_SPECIAL_IDS.imEnd;
  const tools: ToolSpec[] | undefined = env.tools.length ? env.tools.map((t) => ({ ...t })) : undefined;
  return rows.map((row) => {
    const replyIds = [...tokenizer.encode(env.demonstration(row)), imEnd];
    const opening = env.start(row, { maxTurns: 1 }).messages;
    const conv = ConversationTokens.fromMessages(tokenizer, template, opening, { imEndId: imEnd, tools, enableThinking });
    conv.appendSampled(replyIds, replyIds.map(() => 0));
    const p = conv.pack();
    return { ids: p.ids, samplerLogprobs: p.logprobs, lossMask: p.lossMask, advantage: 0, temperature: 1 }; // NLL of the plain softmax
  });
}
