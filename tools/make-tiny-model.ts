// npm run make-tiny-model -- --out DIR [--layers 2 --hidden 64 --heads 4 --kv-heads 2 --head-dim 16
//   --intermediate 128 --vocab 151936 --tied --seed 0 --dtype bf16|f32 --shards N | --max-shard-size 5MB]
// Writes a randomly initialised Hugging Face Qwen3 directory (see src/model/tiny.ts).
import { parseArgs } from 'node:util';
import { makeTinyModel } from '../src/model/tiny.js';

const USAGE =
  'usage: make-tiny-model --out DIR [--layers N] [--hidden N] [--heads N] [--kv-heads N] [--head-dim N] ' +
  '[--intermediate N] [--vocab N] [--tied] [--seed N] [--dtype bf16|f32] [--shards N | --max-shard-size SIZE]';

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
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      layers: { type: 'string' },
      hidden: { type: 'string' },
      heads: { type: 'string' },
      'kv-heads': { type: 'string' },
      'head-dim': { type: 'string' },
      intermediate: { type: 'string' },
      vocab: { type: 'string' },
      tied: { type: 'boolean' },
      seed: { type: 'string' },
      dtype: { type: 'string' },
      shards: { type: 'string' },
      'max-shard-size': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.out) throw new Error(`--out is required\n${USAGE}`);
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
