// npm run make-tiny-model -- --out DIR [options] (`--help` lists them with their defaults)
// Writes a randomly initialised Hugging Face Qwen3 directory (see src/model/tiny.ts).
import { makeTinyModel, tinyConfig } from '../src/model/tiny.js';
import { parseCli, usage, type CliSpec } from '../src/cli/args.js';

// The defaults shown are tinyConfig's own (src/model/tiny.ts), read from it rather than repeated.
const D = tinyConfig();
const SPEC = {
  command: 'npm run make-tiny-model --',
  summary: 'Writes a randomly initialised Hugging Face Qwen3 directory (config.json, safetensors, the real Qwen3\ntokenizer and chat template): src/model/tiny.ts.',
  options: {
    out: { type: 'string', value: 'DIR', help: 'the directory to write (required)' },
    layers: { type: 'string', value: 'N', default: String(D.num_hidden_layers), help: 'decoder layers' },
    hidden: { type: 'string', value: 'N', default: String(D.hidden_size), help: 'hidden size' },
    heads: { type: 'string', value: 'N', default: String(D.num_attention_heads), help: 'attention heads' },
    'kv-heads': { type: 'string', value: 'N', default: String(D.num_key_value_heads), help: 'key/value heads (divides --heads)' },
    'head-dim': { type: 'string', value: 'N', default: String(D.head_dim), help: 'head dimension (even)' },
    intermediate: { type: 'string', value: 'N', default: String(D.intermediate_size), help: 'MLP intermediate size' },
    vocab: { type: 'string', value: 'N', default: String(D.vocab_size), help: "vocabulary size (the default is Qwen3's)" },
    tied: { type: 'boolean', help: 'tied input and output embeddings (default: untied)' },
    seed: { type: 'string', value: 'N', default: '0', help: 'weight initialisation seed' },
    dtype: { type: 'string', value: 'bf16|f32', default: 'bf16', help: 'weight dtype' },
    shards: { type: 'string', value: 'N', help: 'exactly N safetensors shards (default: one model.safetensors)' },
    'max-shard-size': { type: 'string', value: 'SIZE', help: 'or: shards of at most SIZE, e.g. 5MB, 2GiB' },
  },
} satisfies CliSpec;

/** "123", "5MB", "1.5GiB" -> bytes (decimal units like HF's max_shard_size, binary with "i"). */
function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)(i?)B?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size '${s}' (examples: 1000000, 500MB, 2GiB)`);
  const pow = ' KMGT'.indexOf(m[2]!.toUpperCase() || ' ');
  return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** pow);
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be an integer, got '${v}'`);
  return n;
}

async function main(): Promise<void> {
  const parsed = parseCli(SPEC, process.argv.slice(2));
  if (parsed.help) {
    console.log(usage(SPEC));
    return;
  }
  const values = parsed.values;
  if (!values.out) throw new Error('--out DIR is required (npm run make-tiny-model -- --help for the options)');
  if (values.dtype !== undefined && values.dtype !== 'bf16' && values.dtype !== 'f32') throw new Error(`--dtype must be bf16 or f32`);
  if (values.shards !== undefined && values['max-shard-size'] !== undefined) throw new Error('give --shards or --max-shard-size, not both');
  const t0 = performance.now();
  const res = await makeTinyModel(values.out, {
    layers: int('layers', values.layers),
    hidden: int('hidden', values.hidden),
    heads: int('heads', values.heads),
    kvHeads: int('kv-heads', values['kv-heads']),
    headDim: int('head-dim', values['head-dim']),
    intermediate: int('intermediate', values.intermediate),
    vocab: int('vocab', values.vocab),
    tied: values.tied ?? false,
    seed: int('seed', values.seed),
    dtype: values.dtype as 'bf16' | 'f32' | undefined,
    shards: int('shards', values.shards),
    maxShardBytes: values['max-shard-size'] === undefined ? undefined : parseSize(values['max-shard-size']),
  });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(
    `wrote ${values.out}: ${(res.parameters / 1e6).toFixed(2)}M parameters, ${(res.weightBytes / 1e6).toFixed(1)} MB of weights in ` +
      `${res.files.filter((f) => f.endsWith('.safetensors')).length} file(s), ${secs}s`,
  );
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
