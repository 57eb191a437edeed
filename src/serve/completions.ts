// POST /v1/completions: a prompt (token ids, or text tokenized with the model's tokenizer without
// special tokens added) -> one completion, in vLLM's response shape (see protocol.ts).
import { randomUUID } from 'node:crypto';
import { parseBody } from './errors.js';
import {
  type ServeContext,
  checkLogprobCount,
  checkModel,
  checkTokenIds,
  generateRequest,
  newTokenBudget,
  replyText,
  runGeneration,
  stopReason,
  tokenLabel,
  usage,
} from './generation.js';
import { CompletionRequest, rejectUnsupported } from './protocol.js';

/** vLLM CompletionRequest's default max_tokens. */
const DEFAULT_MAX_TOKENS = 16;

export async function completions(ctx: ServeContext, raw: unknown) {
  const body = parseBody(CompletionRequest, raw, 'completion request');
  rejectUnsupported(body);
  checkModel(ctx, body.model);
  checkLogprobCount(body.logprobs, 'logprobs');
  const prompt = typeof body.prompt === 'string' ? ctx.tokenizer.encode(body.prompt) : body.prompt;
  checkTokenIds(ctx, prompt, 'prompt');
  const maxNew = newTokenBudget(ctx, prompt.length, body.max_tokens, DEFAULT_MAX_TOKENS);
  const req = generateRequest(ctx, body, prompt, maxNew);
  const r = await runGeneration(ctx, req);

  const asIds = body.return_tokens_as_token_ids ?? false;
  const text = replyText(ctx, r, body);
  let logprobs = null;
  if (body.logprobs != null) {
    const labels = r.tokens.map((t) => tokenLabel(ctx, t, asIds));
    // Offsets into the concatenated token texts (a character split across tokens shifts them, as in vLLM).
    let at = 0;
    const textOffset = r.tokens.map((t) => {
      const o = at;
      at += ctx.tokenizer.decode([t]).length;
      return o;
    });
    logprobs = {
      tokens: labels,
      token_logprobs: r.logprobs,
      top_logprobs: labels.map((l, i) => ({ [l]: r.logprobs[i]! })),
      text_offset: textOffset,
    };
  }
  const withIds = body.return_token_ids ?? false;
  return {
    id: `cmpl-${randomUUID()}`,
    object: 'text_completion',
    created: Math.floor(Date.now() / 1000),
    model: ctx.modelName,
    choices: [
      {
        index: 0,
        text,
        finish_reason: r.finishReason,
        stop_reason: stopReason(r),
        logprobs,
        ...(logprobs ? { model_logprobs: r.modelLogprobs } : {}),
        ...(withIds ? { token_ids: r.tokens, prompt_token_ids: prompt } : {}),
      },
    ],
    usage: usage(prompt.length, r),
  };
}
