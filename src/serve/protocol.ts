// Request bodies of the OpenAI-compatible endpoints, following vLLM's (vLLM CompletionRequest and
// ChatCompletionRequest, vllm/entrypoints/openai/protocol.py) so the rollout code talks to this
// server and to a production vLLM sampler alike:
//   - standard fields: model, prompt (a string or a list of token ids), max_tokens, temperature,
//     top_p, seed, n (1 only), logprobs, stream (false only);
//   - vLLM extras: top_k, stop_token_ids, ignore_eos, skip_special_tokens,
//     include_stop_str_in_output, return_token_ids (choices carry `token_ids`, the prompt's ids come
//     back as `prompt_token_ids`), return_tokens_as_token_ids (logprob tokens as "token_id:123"),
//     chat_template_kwargs.
// Like vLLM, unknown fields are ignored; known fields this sampler cannot honour (n > 1, streaming,
// stop strings, penalties, beam search, ...) are refused with a 400 instead of silently ignored.
//
// Logprobs: vLLM returns logprobs of the raw model distribution unless it is started with
// `--logprobs-mode processed_logprobs`; ours are log mu, the distribution actually sampled from
// (temperature, top-k, top-p applied; src/ops/sampling.ts), which the AIPO ratio needs. Only the
// sampled token's logprob exists (the GPU sampler returns no alternatives), so logprobs / top_logprobs
// may be 0 or 1 and each top_logprobs entry holds the sampled token. Our extension
// `model_logprobs` (a choice field) carries the raw softmax logprobs as well.
import { z } from 'zod';
import { badRequest } from './errors.js';

const TokenIds = z.array(z.int().nonnegative());

/** Fields shared by /v1/completions and /v1/chat/completions. */
const Common = {
  model: z.string().nullish(),
  max_tokens: z.int().positive().nullish(),
  temperature: z.number().nonnegative().nullish(),
  top_p: z.number().gt(0).max(1).nullish(),
  /** vLLM: -1 (or 0) = no limit. */
  top_k: z.int().min(-1).nullish(),
  seed: z.int().nullish(),
  n: z.int().nullish(),
  stream: z.boolean().nullish(),
  stop_token_ids: TokenIds.nullish(),
  ignore_eos: z.boolean().nullish(),
  skip_special_tokens: z.boolean().nullish(),
  include_stop_str_in_output: z.boolean().nullish(),
  return_token_ids: z.boolean().nullish(),
  return_tokens_as_token_ids: z.boolean().nullish(),
};

export const CompletionRequest = z.looseObject({
  ...Common,
  prompt: z.union([z.string(), TokenIds], { error: 'prompt must be a string or a list of token ids (one prompt per request)' }),
  logprobs: z.int().nonnegative().nullish(),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

const TextPart = z.looseObject({ type: z.literal('text'), text: z.string() });

const MessageToolCall = z.looseObject({
  id: z.string().nullish(),
  type: z.literal('function').nullish(),
  function: z.looseObject({ name: z.string(), arguments: z.union([z.string(), z.record(z.string(), z.unknown())]) }),
});

export const ChatMessageIn = z.looseObject({
  role: z.enum(['system', 'user', 'assistant', 'tool']),
  content: z.union([z.string(), z.array(TextPart)]).nullish(),
  reasoning_content: z.string().nullish(),
  tool_calls: z.array(MessageToolCall).nullish(),
  tool_call_id: z.string().nullish(),
  name: z.string().nullish(),
});
export type ChatMessageIn = z.infer<typeof ChatMessageIn>;

const Tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), description: z.string().nullish(), parameters: z.record(z.string(), z.unknown()).nullish() }),
});

export const ChatRequest = z.looseObject({
  ...Common,
  messages: z.array(ChatMessageIn).min(1),
  tools: z.array(Tool).nullish(),
  /** 'none': the reply is not parsed for tool calls (the tools are still shown, as vLLM does). */
  tool_choice: z.enum(['auto', 'none']).nullish(),
  max_completion_tokens: z.int().positive().nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().nonnegative().nullish(),
  add_generation_prompt: z.boolean().nullish(),
  chat_template_kwargs: z.record(z.string(), z.unknown()).nullish(),
});
export type ChatRequest = z.infer<typeof ChatRequest>;

/** Known fields that would change the output if ignored, with the value that means "off". */
const UNSUPPORTED: readonly [field: string, off: (v: unknown) => boolean, why: string][] = [
  ['n', (v) => v === 1, 'this sampler returns one choice per request (n = 1)'],
  ['best_of', (v) => v === 1, 'this sampler returns one choice per request (best_of = 1)'],
  ['stream', (v) => v === false, 'responses come whole: send stream = false'],
  ['echo', (v) => v === false, 'echo is not supported: use return_token_ids for the prompt ids'],
  ['suffix', (v) => v === '', 'suffix is not supported'],
  ['stop', (v) => v === '' || (Array.isArray(v) && v.length === 0), 'stop strings are not supported: use stop_token_ids'],
  ['presence_penalty', (v) => v === 0, 'penalties are not supported'],
  ['frequency_penalty', (v) => v === 0, 'penalties are not supported'],
  ['repetition_penalty', (v) => v === 1, 'penalties are not supported'],
  ['min_p', (v) => v === 0, 'min_p is not supported'],
  ['min_tokens', (v) => v === 0, 'min_tokens is not supported'],
  ['logit_bias', (v) => typeof v === 'object' && v !== null && Object.keys(v).length === 0, 'logit_bias is not supported'],
  ['prompt_logprobs', () => false, 'prompt_logprobs is not supported'],
  ['use_beam_search', (v) => v === false, 'beam search is not supported'],
];

/** 400 for the first field set to something this sampler does not do. */
export function rejectUnsupported(body: Record<string, unknown>): void {
  for (const [field, off, why] of UNSUPPORTED) {
    const v = body[field];
    if (v !== undefined && v !== null && !off(v)) throw badRequest(`${field} = ${JSON.stringify(v)} is not supported: ${why}`, 'unsupported', field);
  }
}
