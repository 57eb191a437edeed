// Qwen3 config.json -> a validated Qwen3Config, the tensor names and shapes a checkpoint of that
// config holds, and the Qwen3-14B constants (public HF config; see shared/spec/qwen3-facts.md).
// Field names keep HF's spelling so they read the same as config.json and the modeling code.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const TORCH_DTYPES = ['bfloat16', 'float16', 'float32'] as const;
export type TorchDtype = (typeof TORCH_DTYPES)[number];

export interface Qwen3Config {
  readonly hidden_size: number;
  readonly num_hidden_layers: number;
  readonly num_attention_heads: number;
  readonly num_key_value_heads: number;
  readonly head_dim: number;
  readonly intermediate_size: number;
  readonly vocab_size: number;
  readonly max_position_embeddings: number;
  readonly rope_theta: number;
  readonly rms_norm_eps: number;
  readonly tie_word_embeddings: boolean;
  readonly bos_token_id: number | null;
  /** config.json's eos_token_id, always as a list. */
  readonly eos_token_ids: readonly number[];
  readonly torch_dtype: TorchDtype;
}

/** Qwen3-14B (Qwen/Qwen3-14B config.json). */
export const QWEN3_14B: Qwen3Config = Object.freeze({
  hidden_size: 5120,
  num_hidden_layers: 40,
  num_attention_heads: 40,
  num_key_value_heads: 8,
  head_dim: 128,
  intermediate_size: 17408,
  vocab_size: 151936,
  max_position_embeddings: 40960,
  rope_theta: 1_000_000,
  rms_norm_eps: 1e-6,
  tie_word_embeddings: false,
  bos_token_id: 151643,
  eos_token_ids: Object.freeze([151645]),
  torch_dtype: 'bfloat16',
});

const posInt = z.number().int().positive();
const tokenId = z.number().int().nonnegative();

// Defaults are HF Qwen3Config's (transformers/models/qwen3/configuration_qwen3.py); the core
// dimensions have no default here because every real config.json states them.
const ConfigJson = z.looseObject({
  architectures: z.array(z.string()),
  model_type: z.string(),
  hidden_size: posInt,
  num_hidden_layers: posInt,
  num_attention_heads: posInt,
  num_key_value_heads: posInt.nullable().optional(),
  // HF's Qwen3Config defaults head_dim to 128 (not hidden_size / heads): do the same.
  head_dim: posInt.default(128),
  intermediate_size: posInt,
  vocab_size: posInt,
  max_position_embeddings: posInt.default(32768),
  rope_theta: z.number().positive().optional(),
  // newer transformers write rope settings here instead of rope_theta / rope_scaling
  rope_parameters: z
    .looseObject({ rope_type: z.literal('default').optional(), rope_theta: z.number().positive().optional() })
    .nullable()
    .optional(),
  rope_scaling: z.null({ error: 'RoPE scaling (YaRN etc.) is not implemented; expected null' }).optional(),
  rms_norm_eps: z.number().positive().default(1e-6),
  tie_word_embeddings: z.boolean().default(false),
  hidden_act: z.literal('silu', { error: "only hidden_act 'silu' is implemented" }).default('silu'),
  attention_bias: z.literal(false, { error: 'Qwen3 has no attention bias; attention_bias must be false' }).default(false),
  use_sliding_window: z.literal(false, { error: 'sliding-window attention is not implemented' }).default(false),
  layer_types: z.array(z.literal('full_attention', { error: "only 'full_attention' layers are implemented" })).optional(),
  bos_token_id: tokenId.nullable().default(null),
  eos_token_id: z.union([tokenId, z.array(tokenId)]).nullable().default(null),
  torch_dtype: z.enum(TORCH_DTYPES).optional(),
  dtype: z.enum(TORCH_DTYPES).optional(), // newer transformers' name for torch_dtype
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${file}: field '${field}': ${detail}`);
  }
}

/** Validates a parsed config.json; `file` names it in errors. */
export function parseQwen3Config(raw: unknown, file = 'config.json'): Qwen3Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(file, '(root)', 'not a JSON object');
  const obj = raw as Record<string, unknown>;
  // Architecture first, so a Llama or Qwen2 config gets that error rather than a field error.
  const arch = obj['architectures'];
  if (!Array.isArray(arch) || !arch.includes('Qwen3ForCausalLM')) {
    throw new ConfigError(file, 'architectures', `must include 'Qwen3ForCausalLM', got ${JSON.stringify(arch)}`);
  }
  if (obj['model_type'] !== 'qwen3') {
    throw new ConfigError(file, 'model_type', `must be 'qwen3', got ${JSON.stringify(obj['model_type'])}`);
  }
  const r = ConfigJson.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new ConfigError(file, issue.path.join('.') || '(root)', issue.message);
  }
  const c = r.data;
  const kv = c.num_key_value_heads ?? c.num_attention_heads;
  if (c.num_attention_heads % kv !== 0) {
    throw new ConfigError(file, 'num_key_value_heads', `${kv} does not divide num_attention_heads ${c.num_attention_heads}`);
  }
  if (c.head_dim % 2 !== 0) throw new ConfigError(file, 'head_dim', `RoPE needs an even head_dim, got ${c.head_dim}`);
  if (c.layer_types && c.layer_types.length !== c.num_hidden_layers) {
    throw new ConfigError(file, 'layer_types', `has ${c.layer_types.length} entries for ${c.num_hidden_layers} layers`);
  }
  const ropeTheta = c.rope_theta ?? c.rope_parameters?.rope_theta ?? 10000;
  if (c.torch_dtype && c.dtype && c.torch_dtype !== c.dtype) {
    throw new ConfigError(file, 'dtype', `'${c.dtype}' disagrees with torch_dtype '${c.torch_dtype}'`);
  }
  const eos = c.eos_token_id;
  return {
    hidden_size: c.hidden_size,
    num_hidden_layers: c.num_hidden_layers,
    num_attention_heads: c.num_attention_heads,
    num_key_value_heads: kv,
    head_dim: c.head_dim,
    intermediate_size: c.intermediate_size,
    vocab_size: c.vocab_size,
    max_position_embeddings: c.max_position_embeddings,
    rope_theta: ropeTheta,
    rms_norm_eps: c.rms_norm_eps,
    tie_word_embeddings: c.tie_word_embeddings,
    bos_token_id: c.bos_token_id,
    eos_token_ids: eos === null ? [] : Array.isArray(eos) ? eos : [eos],
    torch_dtype: c.torch_dtype ?? c.dtype ?? 'bfloat16',
  };
}

export async function loadQwen3Config(path: string): Promise<Qwen3Config> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(path, '(root)', `cannot read JSON: ${(e as Error).message}`);
  }
  return parseQwen3Config(raw, path);
}

/** config.json contents for `c`, in the shape transformers writes for Qwen3. */
export function qwen3ConfigJson(c: Qwen3Config, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    architectures: ['Qwen3ForCausalLM'],
    attention_bias: false,
    attention_dropout: 0.0,
    bos_token_id: c.bos_token_id,
    eos_token_id: c.eos_token_ids.length === 1 ? c.eos_token_ids[0] : [...c.eos_token_ids],
    head_dim: c.head_dim,
    hidden_act: 'silu',
    hidden_size: c.hidden_size,
    initializer_range: 0.02,
    intermediate_size: c.intermediate_size,
    max_position_embeddings: c.max_position_embeddings,
    max_window_layers: c.num_hidden_layers,
    model_type: 'qwen3',
    num_attention_heads: c.num_attention_heads,
    num_hidden_layers: c.num_hidden_layers,
    num_key_value_heads: c.num_key_value_heads,
    rms_norm_eps: c.rms_norm_eps,
    rope_scaling: null,
    rope_theta: c.rope_theta,
    sliding_window: null,
    tie_word_embeddings: c.tie_word_embeddings,
    torch_dtype: c.torch_dtype,
    use_cache: true,
    use_sliding_window: false,
    vocab_size: c.vocab_size,
    ...extra,
  };
}

export type TensorKind =
  | 'embed'
  | 'final_norm'
  | 'lm_head'
  | 'input_norm'
  | 'post_attn_norm'
  | 'q_proj'
  | 'k_proj'
  | 'v_proj'
  | 'o_proj'
  | 'q_norm'
  | 'k_norm'
  | 'gate_proj'
  | 'up_proj'
  | 'down_proj';

export interface ExpectedTensor {
  readonly name: string;
  /** HF layout: Linear weights are [out_features, in_features]. */
  readonly shape: readonly number[];
  readonly kind: TensorKind;
  /** Layer index, or -1 for embeddings / final norm / lm_head. */
  readonly layer: number;
}

/**
 * Every tensor a Qwen3 checkpoint of `c` holds: embeddings, then each layer, then the final norm
 * and (untied only) lm_head.
 */
export function qwen3Tensors(c: Qwen3Config): ExpectedTensor[] {
  const H = c.hidden_size;
  const q = c.num_attention_heads * c.head_dim;
  const kv = c.num_key_value_heads * c.head_dim;
  const I = c.intermediate_size;
  const out: ExpectedTensor[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocab_size, H], kind: 'embed', layer: -1 }];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}`;
    const t = (suffix: string, shape: number[], kind: TensorKind): void => {
      out.push({ name: `${p}.${suffix}`, shape, kind, layer: i });
    };
    t('input_layernorm.weight', [H], 'input_norm');
    t('self_attn.q_proj.weight', [q, H], 'q_proj');
    t('self_attn.k_proj.weight', [kv, H], 'k_proj');
    t('self_attn.v_proj.weight', [kv, H], 'v_proj');
    t('self_attn.o_proj.weight', [H, q], 'o_proj');
    t('self_attn.q_norm.weight', [c.head_dim], 'q_norm');
    t('self_attn.k_norm.weight', [c.head_dim], 'k_norm');
    t('post_attention_layernorm.weight', [H], 'post_attn_norm');
    t('mlp.gate_proj.weight', [I, H], 'gate_proj');
    t('mlp.up_proj.weight', [I, H], 'up_proj');
    t('mlp.down_proj.weight', [H, I], 'down_proj');
  }
  out.push({ name: 'model.norm.weight', shape: [H], kind: 'final_norm', layer: -1 });
  if (!c.tie_word_embeddings) out.push({ name: 'lm_head.weight', shape: [c.vocab_size, H], kind: 'lm_head', layer: -1 });
  return out;
}

export function countParameters(c: Qwen3Config): { total: number; embedding: number; nonEmbedding: number } {
  let total = 0;
  let embedding = 0;
  for (const t of qwen3Tensors(c)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    total += n;
    if (t.kind === 'embed' || t.kind === 'lm_head') embedding += n;
  }
  return { total, embedding, nonEmbedding: total - embedding };
}

/**
 * Differences between what `c` expects and what a checkpoint holds (name -> shape). A tied model
 * may still carry lm_head.weight (some exporters write it): that is tolerated, as HF does.
 */
export function checkTensorShapes(c: Qwen3Config, actual: ReadonlyMap<string, readonly number[]>): string[] {
  const problems: string[] = [];
  const expected = qwen3Tensors(c);
  const names = new Set(expected.map((t) => t.name));
  for (const t of expected) {
    const got = actual.get(t.name);
    if (!got) problems.push(`missing tensor '${t.name}' [${t.shape.join(', ')}]`);
    else if (got.length !== t.shape.length || got.some((d, i) => d !== t.shape[i])) {
      problems.push(`tensor '${t.name}' has shape [${got.join(', ')}], config expects [${t.shape.join(', ')}]`);
    }
  }
  for (const name of actual.keys()) {
    if (!names.has(name) && !(c.tie_word_embeddings && name === 'lm_head.weight')) problems.push(`unexpected tensor '${name}'`);
  }
  return problems;
}
