// POST /v1/chat/completions: the messages (and tools) rendered with the model's own chat template,
// generation prompt included, tokenized, generated until <|im_end|>. The reply's text is the
// decoded tokens; when it holds well-formed <tool_call> blocks (src/io/toolcall.ts) they come
// back as OpenAI tool_calls and the content is the text before the first one, as vLLM's hermes
// tool parser does; a reply with any broken block comes back whole as content. Thinking is left in
// the content (no reasoning parser).
import { randomUUID } from 'node:crypto';
import type { ChatMessage, ToolCall } from '../io/chat-template.js';
import { TOOL_CALL_OPEN, parseToolCalls } from '../io/toolcall.js';
import { HttpError, badRequest, parseBody } from './errors.js';
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
import { ChatRequest, type ChatMessageIn, rejectUnsupported } from './protocol.js';

/** OpenAI sends tool-call arguments as JSON text; chat templates (and vLLM) render them as objects. */
function templateArguments(args: string | Record<string, unknown>): ToolCall['function']['arguments'] {
  if (typeof args !== 'string') return args;
  try {
    const v: unknown = JSON.parse(args);
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // not JSON: rendered verbatim
  }
  return args;
}

function templateMessage(m: ChatMessageIn): ChatMessage {
  const content = m.content == null ? '' : typeof m.content === 'string' ? m.content : m.content.map((p) => p.text).join('');
  return {
    role: m.role,
    content,
    ...(m.reasoning_content != null ? { reasoning_content: m.reasoning_content } : {}),
    ...(m.tool_calls != null
      ? { tool_calls: m.tool_calls.map((c) => ({ ...(c.id != null ? { id: c.id } : {}), type: 'function' as const, function: { name: c.function.name, arguments: templateArguments(c.function.arguments) } })) }
      : {}),
    ...(m.tool_call_id != null ? { tool_call_id: m.tool_call_id } : {}),
    ...(m.name != null ? { name: m.name } : {}),
  };
}

/** The assistant message of a reply: content and, when it calls tools, OpenAI tool_calls. */
function replyMessage(text: string, parseTools: boolean) {
  const parsed = parseTools ? parseToolCalls(text) : null;
  if (!parsed || parsed.calls.length === 0 || parsed.errors.length > 0) return { message: { role: 'assistant' as const, content: text }, toolsCalled: false };
  const close = text.lastIndexOf('</think>');
  const first = text.indexOf(TOOL_CALL_OPEN, close === -1 ? 0 : close);
  const before = text.slice(0, first);
  const tool_calls = parsed.calls.map((c) => ({
    id: `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
    type: 'function' as const,
    function: { name: c.name, arguments: JSON.stringify(c.arguments) },
  }));
  return { message: { role: 'assistant' as const, content: before.trim() === '' ? null : before, tool_calls }, toolsCalled: true };
}

export async function chatCompletions(ctx: ServeContext, raw: unknown) {
  const body = parseBody(ChatRequest, raw, 'chat completion request');
  rejectUnsupported(body);
  checkModel(ctx, body.model);
  checkLogprobCount(body.top_logprobs, 'top_logprobs');
  if (!ctx.template) throw new HttpError(400, 'this server has no chat template (the tokenizer has none): use /v1/completions', 'no_chat_template');
  const { enable_thinking: thinking, ...extra } = body.chat_template_kwargs ?? {};
  if (thinking !== undefined && typeof thinking !== 'boolean') throw badRequest(`chat_template_kwargs.enable_thinking must be a boolean, got ${JSON.stringify(thinking)}`, 'invalid_value', 'chat_template_kwargs');
  let rendered: string;
  try {
    rendered = ctx.template.render(body.messages.map(templateMessage), {
      ...(body.tools != null ? { tools: body.tools } : {}),
      addGenerationPrompt: body.add_generation_prompt ?? true,
      ...(thinking !== undefined ? { enableThinking: thinking } : {}),
      extra,
    });
  } catch (e) {
    throw badRequest(`the chat template cannot render these messages: ${(e as Error).message}`, 'invalid_value', 'messages');
  }
  const prompt = ctx.tokenizer.encode(rendered);
  checkTokenIds(ctx, prompt, 'prompt');
  const maxNew = newTokenBudget(ctx, prompt.length, body.max_completion_tokens ?? body.max_tokens, 'rest');
  const imEnd = ctx.tokenizer.tokenToId('<|im_end|>');
  const r = await runGeneration(ctx, generateRequest(ctx, body, prompt, maxNew, imEnd === undefined ? [] : [imEnd]));

  const text = replyText(ctx, r, body);
  const { message, toolsCalled } = replyMessage(text, body.tool_choice !== 'none');
  const asIds = body.return_tokens_as_token_ids ?? false;
  const entry = (t: number, lp: number) => {
    const token = tokenLabel(ctx, t, asIds);
    return { token, logprob: lp, bytes: [...Buffer.from(token, 'utf8')] };
  };
  const logprobs = body.logprobs
    ? { content: r.tokens.map((t, i) => ({ ...entry(t, r.logprobs[i]!), top_logprobs: (body.top_logprobs ?? 0) > 0 ? [entry(t, r.logprobs[i]!)] : [] })) }
    : null;
  const withIds = body.return_token_ids ?? false;
  return {
    id: `chatcmpl-${randomUUID()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: ctx.modelName,
    choices: [
      {
        index: 0,
        message,
        logprobs,
        ...(logprobs ? { model_logprobs: r.modelLogprobs } : {}),
        finish_reason: toolsCalled ? 'tool_calls' : r.finishReason,
        stop_reason: stopReason(r),
        ...(withIds ? { token_ids: r.tokens } : {}),
      },
    ],
    usage: usage(prompt.length, r),
    ...(withIds ? { prompt_token_ids: prompt } : {}),
  };
}
