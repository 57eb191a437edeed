// Append-only token sequence of one multi-turn episode, the thing the trainer scores. It starts
// from the rendered prompt (system + tools + user + generation prompt) and then only ever appends:
// the sampler's token ids exactly as sampled (trainable, with their logprobs), and the tokenized
// environment turns between them (not trainable). History is never re-rendered or re-tokenized,
// so the trainer sees precisely the tokens the sampler conditioned on.
//
// What goes between two assistant turns comes from the Qwen3 template: the assistant turn ends
// with `<|im_end|>\n`; tool results form one user turn
//   `<|im_start|>user` + (`\n<tool_response>\n` + result + `\n</tool_response>`)* + `<|im_end|>\n`
// and the next generation prompt is `<|im_start|>assistant\n` (+ `<think>\n\n</think>\n\n` when
// thinking is disabled).
//
// **(choice)** With thinking disabled, every generation prompt carries the empty think block,
// history included; the template, re-rendered, would drop those blocks from earlier turns. The
// sequence follows what the sampler actually saw, which is what the gradient must use.
import type { ChatMessage, ChatTemplate, ToolSpec } from '../io/chat-template.js';

export interface TokenEncoder {
  encode(text: string): number[];
}

export const IM_START = '<|im_start|>';
export const IM_END = '<|im_end|>';
export const EMPTY_THINK = '<think>\n\n</think>\n\n';

export type SegmentKind = 'prompt' | 'sampled' | 'env';

export interface Segment {
  readonly kind: SegmentKind;
  /** [start, end) into the token sequence. */
  readonly start: number;
  readonly end: number;
}

export interface ConversationOptions {
  /** Id of `<|im_end|>` (151645 for Qwen3). */
  readonly imEndId: number;
  /** false: each generation prompt ends with an empty think block (Qwen3 enable_thinking=false). */
  readonly enableThinking?: boolean;
}

export interface PackedConversation {
  readonly ids: Int32Array;
  /** Sampler logprob of each sampled token; NaN elsewhere. */
  readonly logprobs: Float32Array;
  /** 1 where the token is the policy's own (a loss token), 0 for prompt and environment tokens. */
  readonly lossMask: Uint8Array;
}

export class ConversationTokens {
  private readonly tokens: number[] = [];
  private readonly lps: number[] = [];
  private readonly mask: number[] = [];
  private readonly segs: Segment[] = [];

  constructor(
    private readonly encoder: TokenEncoder,
    promptIds: readonly number[],
    readonly options: ConversationOptions,
  ) {
    if (promptIds.length === 0) throw new Error('conversation: empty prompt');
    this.push('prompt', promptIds, undefined, 0);
  }

  /** Renders the opening messages with the model's template (generation prompt included) and tokenizes them. */
  static fromMessages(
    encoder: TokenEncoder,
    template: ChatTemplate,
    messages: readonly ChatMessage[],
    options: ConversationOptions & { tools?: readonly ToolSpec[] },
  ): ConversationTokens {
    const text = template.render(messages, {
      tools: options.tools,
      addGenerationPrompt: true,
      enableThinking: options.enableThinking,
    });
    return new ConversationTokens(encoder, encoder.encode(text), options);
  }

  get length(): number {
    return this.tokens.length;
  }

  get ids(): readonly number[] {
    return this.tokens;
  }

  get segments(): readonly Segment[] {
    return this.segs;
  }

  /** Whether the assistant turn is closed (the last token is <|im_end|>). */
  get endsWithImEnd(): boolean {
    return this.tokens[this.tokens.length - 1] === this.options.imEndId;
  }

  /**
   * Appends one assistant turn exactly as sampled, <|im_end|> included when the sampler stopped
   * on it. All of it is trainable.
   */
  appendSampled(ids: readonly number[], logprobs: readonly number[]): void {
    if (ids.length !== logprobs.length) {
      throw new Error(`conversation: ${ids.length} sampled tokens but ${logprobs.length} logprobs`);
    }
    const last = this.segs[this.segs.length - 1]!;
    if (last.kind === 'sampled') throw new Error('conversation: two sampled turns in a row; append the environment turn between them');
    for (const lp of logprobs) {
      if (!(lp <= 0)) throw new Error(`conversation: sampler logprob ${lp} is not a log-probability`);
    }
    this.push('sampled', ids, logprobs, 1);
  }

  /**
   * Tool results as one user turn, then the next generation prompt. Result text is tokenized the
   * way a rendered prompt is: a special-token string inside it ('<|im_end|>') becomes that token,
   * exactly as in HF's pipeline, so environments must not echo such strings from untrusted input.
   */
  appendToolResults(results: readonly string[]): void {
    if (results.length === 0) throw new Error('conversation: no tool results to append');
    const body = results.map((r) => `\n<tool_response>\n${r}\n</tool_response>`).join('');
    this.appendEnvTurn(`${IM_START}user${body}${IM_END}\n`);
  }

  /** A plain user message (e.g. environment feedback that is not a tool result), then the next generation prompt. */
  appendUserMessage(content: string): void {
    this.appendEnvTurn(`${IM_START}user\n${content}${IM_END}\n`);
  }

  /** Typed-array form for batching. */
  pack(): PackedConversation {
    return {
      ids: Int32Array.from(this.tokens),
      logprobs: Float32Array.from(this.lps),
      lossMask: Uint8Array.from(this.mask),
    };
  }

  /**
   * Closes the assistant turn if the sampler did not (stop string, length), then appends `turn`
   * (which starts with <|im_start|>) and the generation prompt, tokenized as one piece. The piece
   * starts right after <|im_end|>, a special token, so its tokens are the ones a full-render
   * tokenization would give there.
   */
  private appendEnvTurn(turn: string): void {
    const last = this.segs[this.segs.length - 1]!;
    if (last.kind !== 'sampled') throw new Error('conversation: an environment turn must follow a sampled turn');
    const close = this.endsWithImEnd ? '' : IM_END;
    const gen = `${IM_START}assistant\n${this.options.enableThinking === false ? EMPTY_THINK : ''}`;
    const ids = this.encoder.encode(`${close}\n${turn}${gen}`);
    this.push('env', ids, undefined, 0);
  }

  private push(kind: SegmentKind, ids: readonly number[], logprobs: readonly number[] | undefined, trainable: 0 | 1): void {
    const start = this.tokens.length;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0) throw new Error(`conversation: bad token id ${id} in ${kind} segment`);
      this.tokens.push(id);
      this.lps.push(logprobs ? logprobs[i]! : NaN);
      this.mask.push(trainable);
    }
    this.segs.push({ kind, start, end: this.tokens.length });
  }
}
