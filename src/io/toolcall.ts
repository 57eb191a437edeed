// Hermes-style tool calls in Qwen3 assistant text (qwen3-facts.md):
//   <tool_call>\n{"name": "...", "arguments": {...}}\n</tool_call>
// The parser never throws on model text: every problem becomes an error entry, in text order,
// alongside the well-formed calls, so the environment can answer and score it.

export const TOOL_CALL_OPEN = '<tool_call>';
export const TOOL_CALL_CLOSE = '</tool_call>';
const THINK_OPEN = '<think>';
const THINK_CLOSE = '</think>';

export interface ToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /**
   * Qwen sometimes emits "arguments" as a JSON string ("{\"old\": ...}"), the OpenAI wire form.
   * Accepted when the string parses to a JSON object; flagged here so the rate can be tracked.
   */
  argumentsWasString: boolean;
  /** The text between the tags, as generated. */
  raw: string;
}

export type ToolCallErrorKind =
  | 'broken_json'
  | 'unterminated'
  | 'stray_close'
  | 'not_an_object'
  | 'missing_name'
  | 'missing_arguments'
  | 'bad_arguments';

export interface ToolCallError {
  kind: ToolCallErrorKind;
  /** Stable wording, safe to show the model. */
  message: string;
  /** Engine-specific detail (e.g. JSON.parse's message), for logs only. */
  detail?: string;
  raw: string;
}

export type ToolCallBlock = { ok: true; call: ToolCall } | { ok: false; error: ToolCallError };

export interface ParsedToolCalls {
  /** Every <tool_call> attempt in order, good or bad. `blocks.length > 1` means several calls. */
  blocks: ToolCallBlock[];
  calls: ToolCall[];
  errors: ToolCallError[];
  /** The text the calls were read from: the message with its thinking removed. */
  content: string;
}

/**
 * The part of an assistant message that is not thinking. Like Qwen3's chat template, everything up
 * to the last </think> is reasoning (the generation prompt may already hold the opening <think>).
 * A <think> never closed (a turn cut at the token limit) hides the rest of the message.
 */
export function stripThinking(text: string): string {
  const end = text.lastIndexOf(THINK_CLOSE);
  let content = end === -1 ? text : text.slice(end + THINK_CLOSE.length);
  const open = content.indexOf(THINK_OPEN);
  if (open !== -1) content = content.slice(0, open);
  return content;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(kind: ToolCallErrorKind, message: string, raw: string, detail?: string): ToolCallBlock {
  return { ok: false, error: detail === undefined ? { kind, message, raw } : { kind, message, raw, detail } };
}

function parseBody(raw: string): ToolCallBlock {
  let value: unknown;
  try {
    value = JSON.parse(raw.trim());
  } catch (e) {
    return fail('broken_json', 'the tool call is not valid JSON', raw, (e as Error).message);
  }
  if (!isObject(value)) {
    return fail('not_an_object', 'the tool call must be a JSON object {"name": ..., "arguments": {...}}', raw);
  }
  if (!('name' in value)) return fail('missing_name', 'the tool call has no "name"', raw);
  const name = value.name;
  if (typeof name !== 'string' || name === '') {
    return fail('missing_name', 'the tool call\'s "name" must be a non-empty string', raw);
  }
  if (!('arguments' in value)) {
    return fail('missing_arguments', 'the tool call has no "arguments" (use {} for none)', raw);
  }
  let args = value.arguments;
  let argumentsWasString = false;
  if (typeof args === 'string') {
    try {
      args = JSON.parse(args);
      argumentsWasString = true;
    } catch (e) {
      return fail('bad_arguments', 'the tool call\'s "arguments" must be a JSON object', raw, (e as Error).message);
    }
  }
  if (!isObject(args)) return fail('bad_arguments', 'the tool call\'s "arguments" must be a JSON object', raw);
  return { ok: true, call: { name, arguments: args, argumentsWasString, raw } };
}

/** Reads every tool-call block after the thinking. Never throws. */
export function parseToolCalls(text: string): ParsedToolCalls {
  const content = stripThinking(text);
  const blocks: ToolCallBlock[] = [];
  let pos = 0;
  for (;;) {
    const open = content.indexOf(TOOL_CALL_OPEN, pos);
    const close = content.indexOf(TOOL_CALL_CLOSE, pos);
    if (close !== -1 && (open === -1 || close < open)) {
      blocks.push(fail('stray_close', '</tool_call> without an opening <tool_call>', content.slice(pos, close)));
      pos = close + TOOL_CALL_CLOSE.length;
      continue;
    }
    if (open === -1) break;
    const start = open + TOOL_CALL_OPEN.length;
    const end = content.indexOf(TOOL_CALL_CLOSE, start);
    const nextOpen = content.indexOf(TOOL_CALL_OPEN, start);
    if (end === -1 || (nextOpen !== -1 && nextOpen < end)) {
      const stop = nextOpen === -1 ? content.length : nextOpen;
      blocks.push(fail('unterminated', '<tool_call> is not closed by </tool_call>', content.slice(start, stop)));
      pos = stop;
      continue;
    }
    blocks.push(parseBody(content.slice(start, end)));
    pos = end + TOOL_CALL_CLOSE.length;
  }
  return {
    blocks,
    calls: blocks.flatMap((b) => (b.ok ? [b.call] : [])),
    errors: blocks.flatMap((b) => (b.ok ? [] : [b.error])),
    content,
  };
}

/**
 * JSON as Qwen's chat template writes it (`tojson`, i.e. Python's json.dumps with
 * ensure_ascii=False): ", " and ": " separators, non-ASCII kept as is. Enough for tool calls
 * (strings, integers, booleans, null, arrays, objects).
 */
export function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(', ')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${JSON.stringify(k)}: ${pyJson(v)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A tool call as Qwen3 writes it (scripted policies, examples). */
export function formatToolCall(name: string, args: Record<string, unknown> = {}): string {
  return `${TOOL_CALL_OPEN}\n${pyJson({ name, arguments: args })}\n${TOOL_CALL_CLOSE}`;
}

/**
 * The content of the user turn that carries tool results (Qwen3 groups consecutive tool messages
 * into one user turn): each result is `\n<tool_response>\n{content}\n</tool_response>`. The whole
 * turn is `<|im_start|>user` + this + `<|im_end|>\n`: note there is no "\n" after "user" beyond the
 * one this content starts with (Qwen3 chat template, role "tool" branch).
 */
export function toolResponseContent(results: readonly string[]): string {
  return results.map((r) => `\n<tool_response>\n${r}\n</tool_response>`).join('');
}
