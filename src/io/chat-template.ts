// Renders a model's own Jinja chat template (tokenizer_config.json's chat_template) with
// @huggingface/jinja, the way transformers' apply_chat_template does, byte for byte.
//
// One difference had to be fixed: the library's `tojson` formats numbers with JSON.stringify
// (1e-05 -> "0.00001"), while transformers' tojson is Python's json.dumps. Every `| tojson` in the
// parsed template is rewritten into a call to our Python-compatible dumper (src/io/py-json.ts).
// Its separators (", ", ": ") and ensure_ascii=False already matched.
import { Template } from '@huggingface/jinja';
import { PyFloat, pyJsonDumps, type PyJsonOptions } from './py-json.js';

export interface ToolCallFunction {
  readonly name: string;
  /** An object (serialised with tojson) or the raw JSON text the model wrote (emitted verbatim). */
  readonly arguments: Readonly<Record<string, unknown>> | string;
}

export interface ToolCall {
  readonly id?: string;
  readonly type?: 'function';
  readonly function: ToolCallFunction;
}

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant' | 'tool';
  readonly content: string;
  readonly reasoning_content?: string;
  readonly tool_calls?: readonly ToolCall[];
  readonly tool_call_id?: string;
  readonly name?: string;
}

/** An OpenAI-style tool: {type: 'function', function: {name, description, parameters}}. */
export type ToolSpec = Readonly<Record<string, unknown>>;

export interface RenderOptions {
  readonly tools?: readonly ToolSpec[];
  readonly addGenerationPrompt?: boolean;
  /** Qwen3: false appends an empty <think></think> block to the generation prompt. Left out when undefined. */
  readonly enableThinking?: boolean;
  /** Further template variables (like apply_chat_template's **kwargs). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

const PY_TOJSON = '__py_tojson__';

type Node = { type: string; [k: string]: unknown };
const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).type === 'string';

/** tojson filter node -> CallExpression __py_tojson__([operand], kwargs...) (the array keeps the operand's runtime type). */
function rewriteTojson(node: Node): Node {
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) node[key] = value.map((v) => (isNode(v) ? rewriteTojson(v) : v));
    else if (isNode(value)) node[key] = rewriteTojson(value);
  }
  if (node.type !== 'FilterExpression') return node;
  const filter = node['filter'] as Node;
  let kwargs: unknown[] = [];
  if (filter.type === 'Identifier' && filter['value'] === 'tojson') kwargs = [];
  else if (filter.type === 'CallExpression' && isNode(filter['callee']) && filter['callee'].type === 'Identifier' && filter['callee']['value'] === 'tojson') {
    kwargs = filter['args'] as unknown[];
  } else return node;
  return {
    type: 'CallExpression',
    callee: { type: 'Identifier', value: PY_TOJSON },
    args: [{ type: 'ArrayLiteral', value: [node['operand']] }, ...kwargs],
  };
}

/** A @huggingface/jinja runtime value ({type: 'IntegerValue', value: 1}, ...) -> plain data for pyJsonDumps. */
function fromRuntime(v: unknown): unknown {
  if (!isNode(v)) return v;
  const value = (v as { value?: unknown }).value;
  switch (v.type) {
    case 'IntegerValue':
    case 'StringValue':
    case 'BooleanValue':
      return value;
    case 'FloatValue':
      return new PyFloat(value as number);
    case 'NullValue':
      return null;
    case 'UndefinedValue':
      return undefined;
    case 'ArrayValue':
    case 'TupleValue':
      return (value as unknown[]).map((x) => {
        const y = fromRuntime(x);
        return y === undefined ? null : y;
      });
    case 'ObjectValue':
    case 'KeywordArgumentsValue':
    case 'NamespaceValue':
      return new Map([...(value as Map<string, unknown>)].map(([k, x]) => [k, fromRuntime(x)]));
    default:
      throw new Error(`tojson: cannot serialise a ${v.type}`);
  }
}

function pyTojson(wrapped: unknown, kwargs?: unknown): string {
  const [operand] = wrapped as unknown[];
  const opts: { -readonly [K in keyof PyJsonOptions]: PyJsonOptions[K] } = {};
  if (kwargs instanceof Map) {
    for (const [k, raw] of kwargs as Map<string, unknown>) {
      const x = fromRuntime(raw);
      const val = x instanceof PyFloat ? x.value : x;
      if (k === 'indent') opts.indent = val as number | string | null;
      else if (k === 'ensure_ascii') opts.ensureAscii = Boolean(val);
      else if (k === 'sort_keys') opts.sortKeys = Boolean(val);
      else if (k === 'separators') opts.separators = val as [string, string] | null;
      else throw new Error(`tojson: unsupported argument '${k}'`);
    }
  } else if (kwargs !== undefined) {
    throw new Error('tojson: positional arguments are not supported');
  }
  return pyJsonDumps(fromRuntime(operand), opts);
}

export class ChatTemplate {
  private readonly template: Template;

  /**
   * @param source the Jinja template text
   * @param specialTokens template variables transformers passes along (bos_token, eos_token, ...)
   */
  constructor(
    readonly source: string,
    private readonly specialTokens: Readonly<Record<string, string | null>> = {},
  ) {
    this.template = new Template(source);
    this.template.parsed = rewriteTojson(this.template.parsed as unknown as Node) as unknown as typeof this.template.parsed;
  }

  render(messages: readonly ChatMessage[], options: RenderOptions = {}): string {
    const vars: Record<string, unknown> = {
      ...this.specialTokens,
      messages,
      add_generation_prompt: options.addGenerationPrompt ?? false,
      ...options.extra,
      [PY_TOJSON]: pyTojson,
    };
    if (options.tools !== undefined) vars['tools'] = options.tools;
    if (options.enableThinking !== undefined) vars['enable_thinking'] = options.enableThinking;
    return this.template.render(vars);
  }
}
