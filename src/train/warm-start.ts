// A supervised warm start: a few steps of plain negative log-likelihood on one scripted first
// assistant turn (by default a well-formed `submit` tool call) after each row's opening prompt,
// before the RL steps. A random model never writes a tool call, so every rollout ties and RL has no
// signal; a warm-started one may write the call some of the time (the published run starts from an
// instruct model instead). Measured on the 2-layer, hidden-64 tiny model (2026-11-26, lavapipe):
// NLL 12.0 -> 0.21 per reply token in 90 steps (lr 0.02, one row per step), yet at temperature 0.7
// all 8 rollouts wrote `<tool_call>{"name": {}}</tool_call>`: well formed, but no tool name, so
// rewards still tied. A larger tiny model or more steps are the next things to try.
// The reply is tokenized as text and closed with <|im_end|>, exactly where sampled tokens would go.
import type { DataRow } from '../data/schema.js';
import type { ChatTemplate, ToolSpec } from '../io/chat-template.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import { QWEN3_SPECIAL_IDS } from '../io/tokenizer.js';
import { initialMessages, TOOL_SCHEMAS } from '../env/resume/prompts.js';
import { ConversationTokens } from '../rollout/conversation.js';
import type { TrainSample } from './batch.js';

const TOOLS: ToolSpec[] = TOOL_SCHEMAS.map((t) => ({ ...t }));

/** One training sample per row: the row's opening prompt, then `reply` + <|im_end|> (the loss
 *  tokens). `advantage` is unused by the NLL loss; the temperature is 1 (the model's own softmax). */
export function warmStartSamples(rows: readonly DataRow[], reply: string, tokenizer: HfTokenizer, template: ChatTemplate, enableThinking: boolean): TrainSample[] {
  const imEnd = QWEN3_SPECIAL_IDS.imEnd;
  const replyIds = [...tokenizer.encode(reply), imEnd];
  return rows.map((row) => {
    const conv = ConversationTokens.fromMessages(tokenizer, template, initialMessages(row.jd, row.resume), { imEndId: imEnd, tools: TOOLS, enableThinking });
    conv.appendSampled(replyIds, replyIds.map(() => 0));
    const p = conv.pack();
    return { ids: p.ids, samplerLogprobs: p.logprobs, lossMask: p.lossMask, advantage: 0, temperature: 1 }; // NLL of the plain softmax
  });
}
