// Saves GPU weights as a Hugging Face Qwen3 directory (config.json, sharded BF16 safetensors with
// model.safetensors.index.json, tokenizer and generation files copied from the source checkpoint):
// what transformers and vLLM load, and what Qwen3Model.load reads back bit for bit.
// Each tensor streams from its device buffer in pieces (a 14B model is 29.5 GB; JS memory holds
// one piece). The directory is built under a temporary sibling name and renamed into place at the
// end, so an interrupted save leaves no half-written checkpoint and never touches an existing one
// unless `overwrite` is set (the old one is then removed only after the new one is in place).
import { access, copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDirAtomic } from '../io/atomic.js';
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { hfJsonText } from '../io/py-json.js';
import { type TensorSource, writeShardedSafetensors } from '../io/safetensors/index.js';
import { type Qwen3Config, parseQwen3Config, qwen3ConfigJson, qwen3Tensors } from './config.js';
import type { Qwen3Weights } from './qwen3-weights.js';

export interface SaveOptions {
  /** Shard size limit in bytes (default 4 GB, close to the official Qwen3 checkpoints' shards). */
  maxShardBytes?: number;
  /** A HF directory whose config.json (when it describes the same model), tokenizer and
   *  generation files are copied verbatim, so the saved checkpoint keeps their exact bytes. */
  copyFrom?: string;
  /** Replace an existing directory (default false: an existing `dir` is an error). */
  overwrite?: boolean;
  /** Bytes per device readback (default 64 MiB). */
  pieceBytes?: number;
  /** Called after each tensor with bytes written so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

/** Files copied from `copyFrom` when present (besides config.json). */
const SIDE_FILES = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json', 'vocab.json', 'merges.txt', 'special_tokens_map.json', 'added_tokens.json'];

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** Streams `t`'s first `bytes` bytes from the device in pieces of at most `piece` bytes. Each piece
 *  is a view of mapped staging memory, valid until the next one is asked for (or the loop ends):
 *  a consumer writes it out or copies it before (the exchange's put and the safetensors writer
 *  do), and every other read of the device waits until then. */
export async function* deviceBytes(gpu: Gpu, t: Tensor, bytes: number, piece: number): AsyncGenerator<Uint8Array> {
  const step = Math.max(4, piece - (piece % 4)); // copyBufferToBuffer sizes are multiples of 4
  for (let off = 0; off < bytes; off += step) {
    const want = Math.min(step, bytes - off);
    const m = await gpu.readMapped(t.buffer, t.byteOffset + off, Math.ceil(want / 4) * 4);
    try {
      yield m.bytes.subarray(0, want); // mapped memory: valid until the consumer asks for the next piece
    } finally {
      m.release();
    }
  }
}

/** Writes `weights` (bf16 on `gpu`) as a HF checkpoint directory at `dir`. */
export async function saveWeights(gpu: Gpu, config: Qwen3Config, weights: Qwen3Weights, dir: string, o: SaveOptions = {}): Promise<{ files: string[]; totalSize: number }> {
  const piece = o.pieceBytes ?? 64 << 20;
  const specs = qwen3Tensors(config);
  const total = specs.reduce((s, t) => s + 2 * t.shape.reduce((a, b) => a * b, 1), 0);
  let done = 0;
  const sources: TensorSource[] = specs.map((s) => {
    const t = weights.byName.get(s.name);
    if (!t) throw new Error(`save: no weight tensor ${s.name}`);
    if (t.dtype !== 'bf16' || t.shape.join(',') !== s.shape.join(',')) throw new Error(`save: ${s.name} is ${t.describe()}, expected bf16 [${s.shape.join(', ')}]`);
    const bytes = 2 * t.numel;
    return {
      name: s.name,
      dtype: 'BF16',
      shape: s.shape,
      data: async function* () {
        yield* deviceBytes(gpu, t, bytes, piece);
        done += bytes;
        o.onProgress?.(done, total);
      },
    };
  });
  return writeDirAtomic(
    dir,
    async (tmp) => {
      const res = await writeShardedSafetensors(tmp, sources, { metadata: { format: 'pt' }, maxShardBytes: o.maxShardBytes ?? 4e9 });
      const files = [...res.files];
      if (res.indexWritten) files.push('model.safetensors.index.json');
      // config.json: the source's own bytes when it describes this model, else ours.
      let configText = hfJsonText(qwen3ConfigJson(config));
      if (o.copyFrom && (await exists(join(o.copyFrom, 'config.json')))) {
        const src = await readFile(join(o.copyFrom, 'config.json'), 'utf8');
        const parsed = parseQwen3Config(JSON.parse(src), join(o.copyFrom, 'config.json'));
        if (JSON.stringify(parsed) !== JSON.stringify(config)) throw new Error(`save: ${o.copyFrom}/config.json describes another model than the weights being saved`);
        configText = src;
      }
      await writeFile(join(tmp, 'config.json'), configText);
      files.push('config.json');
      if (o.copyFrom) {
        for (const f of SIDE_FILES) {
          if (!(await exists(join(o.copyFrom, f)))) continue;
          await copyFile(join(o.copyFrom, f), join(tmp, f));
          files.push(f);
        }
      }
      return { files, totalSize: res.totalSize };
    },
    { overwrite: o.overwrite },
  );
}
