// What both generation endpoints share: the server's state, request checks (model name, token ids,
// slot capacity), sampling parameters and seeds, and the run itself behind the reload gate.
import type { ChatTemplate } from '../io/chat-template.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import type { GenerateRequest, GenerateResult } from '../model/generate.js';
import type { SamplingInput } from '../ops/sampling.js';
import type { TurnSampler } from '../rollout/sampler.js';
import { HttpError, badRequest } from './errors.js';
import type { ReloadGate } from './gate.js';

export interface ServeContext {
  /** The sampler behind the admission window (src/serve/window.ts). */
  readonly sampler: TurnSampler;
  readonly gate: ReloadGate;
  readonly tokenizer: HfTokenizer;
  readonly template: ChatTemplate | null;
  readonly modelName: string;
  /** Token ids must be below this (the model's vocab_size). */
  readonly vocabSize: number;
  /** Slot capacity: prompt + max_tokens - 1 must fit (the last new token is never cached). */
  readonly maxTokens: number | undefined;
  /** Ids that end a generation unless ignore_eos (vLLM stops at the model's EOS by default). */
  readonly eosIds: readonly number[];
  /** Seeds of requests that bring none: `${seedBase}/${n}` for the n-th such request. */
  readonly seedBase: string;
  counter: number;
}

export function checkModel(ctx: ServeContext, model: string | null | undefined): void {
  if (model != null && model !== ctx.modelName) {
    throw new HttpError(404, `the model \`${model}\` does not exist: this server serves \`${ctx.modelName}\``, 'model_not_found', 'model');
  }
}

export function checkTokenIds(ctx: ServeContext, ids: readonly number[], param: string): void {
  ids.forEach((t, j) => {
    if (t >= ctx.vocabSize) throw badRequest(`${param}[${j}] = ${t} is outside the vocabulary [0, ${ctx.vocabSize})`, 'invalid_value', param);
  });
}

/** max_tokens as asked, or what is left of a slot (16 when the capacity is unknown); 400 when the
 *  prompt and its new tokens cannot fit a slot. */
export function newTokenBudget(ctx: ServeContext, promptLen: number, asked: number | null | undefined, fallback: 'rest' | number): number {
  if (promptLen === 0) throw badRequest('the prompt is empty', 'invalid_value', 'prompt');
  const cap = ctx.maxTokens;
  const maxNew = asked ?? (fallback === 'rest' ? (cap === undefined ? 16 : cap + 1 - promptLen) : fallback);
  if (cap !== undefined && (maxNew < 1 || promptLen + maxNew - 1 > cap)) {
    throw badRequest(
      `the prompt has ${promptLen} tokens and max_tokens is ${Math.max(maxNew, 1)}: ${promptLen + Math.max(maxNew, 1)} tokens in all, but this sampler's context is ${cap + 1} tokens (slot capacity ${cap}); shorten the prompt or lower max_tokens`,
      'prompt_too_long',
      'prompt',
    );
  }
  return maxNew;
}

export interface CommonFields {
  temperature?: number | null;
  top_p?: number | null;
  top_k?: number | null;
  seed?: number | null;
  stop_token_ids?: number[] | null;
  ignore_eos?: boolean | null;
}

export function samplingOf(body: CommonFields): SamplingInput {
  return { temperature: body.temperature ?? 1, topP: body.top_p ?? 1, topK: body.top_k != null && body.top_k > 0 ? body.top_k : 0 };
}

/** The generator request; `seed` goes through unchanged, so a request with seed s draws exactly
 *  what sampler.sample({..., seed: s}) would. */
export function generateRequest(ctx: ServeContext, body: CommonFields, prompt: readonly number[], maxNewTokens: number, alwaysStop: readonly number[] = []): GenerateRequest {
  const stops = new Set([...alwaysStop, ...(body.ignore_eos ? [] : ctx.eosIds), ...(body.stop_token_ids ?? [])]);
  checkTokenIds(ctx, body.stop_token_ids ?? [], 'stop_token_ids');
  return {
    prompt,
    maxNewTokens,
    stopTokens: [...stops],
    sampling: samplingOf(body),
    seed: body.seed ?? `${ctx.seedBase}/${ctx.counter++}`,
  };
}

export function runGeneration(ctx: ServeContext, req: GenerateRequest): Promise<GenerateResult> {
  return ctx.gate.generation(() => ctx.sampler.sample(req));
}

/** A token as logprob entries name it: its text, or "token_id:N" (vLLM return_tokens_as_token_ids). */
export function tokenLabel(ctx: ServeContext, id: number, asIds: boolean): string {
  return asIds ? `token_id:${id}` : ctx.tokenizer.decode([id]);
}

/** The reply's text: its new tokens decoded, the stop token's only with include_stop_str_in_output. */
export function replyText(ctx: ServeContext, r: GenerateResult, body: { include_stop_str_in_output?: boolean | null; skip_special_tokens?: boolean | null }): string {
  const ids = r.finishReason === 'stop' && !body.include_stop_str_in_output ? r.tokens.slice(0, -1) : r.tokens;
  return ctx.tokenizer.decode(ids, { skipSpecialTokens: body.skip_special_tokens ?? true });
}

/** vLLM's stop_reason: the stop token id that ended the generation, or null. */
export function stopReason(r: GenerateResult): number | null {
  return r.finishReason === 'stop' ? r.tokens[r.tokens.length - 1]! : null;
}

export function usage(promptLen: number, r: GenerateResult) {
  return { prompt_tokens: promptLen, completion_tokens: r.tokens.length, total_tokens: promptLen + r.tokens.length };
}

export function checkLogprobCount(n: number | null | undefined, param: string): void {
  if (n != null && n > 1) {
    throw badRequest(`${param} = ${n} is not supported: the sampler returns only the sampled token's logprob (use 0 or 1)`, 'unsupported', param);
  }
}
