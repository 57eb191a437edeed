// Hugging Face checkpoint directories: either one `model.safetensors`, or shards
// `model-00001-of-0000N.safetensors` listed by `model.safetensors.index.json`
// ({"metadata": {"total_size": bytes}, "weight_map": {tensor: shard file}}).
import { readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { SafetensorsError } from './errors.js';
import { type TensorInfo, byteSize } from './header.js';
import { type ByteRange, type ByteTarget, SafetensorsFile } from './reader.js';
import { type TensorSource, type WriteOptions, tempPathFor, writeSafetensors } from './writer.js';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

export function shardFileName(index: number, count: number, prefix = 'model'): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return `${prefix}-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

const SHARD_NAME_RE = /^model-\d{5}-of-\d{5}\.safetensors$/;

export const SafetensorsIndex = z.object({
  metadata: z.looseObject({ total_size: z.number().int().nonnegative().optional() }).optional(),
  weight_map: z.record(
    z.string(),
    z
      .string()
      .min(1)
      .refine((f) => !f.includes('/') && !f.includes('\\') && f !== '..', 'shard must be a plain file name in the same directory'),
  ),
});
export type SafetensorsIndex = z.infer<typeof SafetensorsIndex>;

export async function readIndex(path: string): Promise<SafetensorsIndex> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (e) {
    throw new SafetensorsError('bad_header', path, undefined, `cannot read index: ${(e as Error).message}`);
  }
  const r = SafetensorsIndex.safeParse(raw);
  if (!r.success) throw new SafetensorsError('bad_header', path, undefined, `invalid index: ${z.prettifyError(r.error)}`);
  return r.data;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** A checkpoint directory opened lazily: shard headers are read on first use. */
export class ShardedSafetensors {
  private readonly open = new Map<string, Promise<SafetensorsFile>>();

  private constructor(
    readonly dir: string,
    /** Tensor name -> file name within `dir`. */
    readonly weightMap: ReadonlyMap<string, string>,
    /** The index file, or undefined for a single-file checkpoint. */
    readonly indexPath: string | undefined,
    readonly totalSize: number | undefined,
  ) {}

  /** Opens `dir` (prefers the index when both an index and model.safetensors exist). */
  static async open(dir: string): Promise<ShardedSafetensors> {
    const indexPath = join(dir, INDEX_FILE);
    if (await exists(indexPath)) {
      const index = await readIndex(indexPath);
      return new ShardedSafetensors(dir, new Map(Object.entries(index.weight_map)), indexPath, index.metadata?.total_size);
    }
    const single = join(dir, SINGLE_FILE);
    if (!(await exists(single))) throw new Error(`${dir}: no ${INDEX_FILE} or ${SINGLE_FILE} found`);
    const file = await SafetensorsFile.open(single);
    const ckpt = new ShardedSafetensors(dir, new Map(file.names.map((n) => [n, SINGLE_FILE])), undefined, file.header.dataBytes);
    ckpt.open.set(SINGLE_FILE, Promise.resolve(file));
    return ckpt;
  }

  /** Tensor names, sorted. */
  get names(): string[] {
    return [...this.weightMap.keys()].sort();
  }

  get files(): string[] {
    return [...new Set(this.weightMap.values())].sort();
  }

  has(name: string): boolean {
    return this.weightMap.has(name);
  }

  /** The opened file holding `name` (opening its shard on first use). */
  async fileOf(name: string): Promise<SafetensorsFile> {
    const fileName = this.weightMap.get(name);
    if (fileName === undefined) {
      throw new SafetensorsError('missing_tensor', this.indexPath ?? join(this.dir, SINGLE_FILE), name, 'tensor is not in the checkpoint');
    }
    let f = this.open.get(fileName);
    if (!f) {
      f = SafetensorsFile.open(join(this.dir, fileName));
      this.open.set(fileName, f);
      f.catch(() => this.open.delete(fileName)); // let a later call retry and see the error again
    }
    const file = await f;
    if (!file.has(name)) {
      throw new SafetensorsError('missing_tensor', file.path, name, `the index ${this.indexPath} maps it to this shard but the shard lacks it`);
    }
    return file;
  }

  async info(name: string): Promise<TensorInfo> {
    return (await this.fileOf(name)).info(name);
  }

  async read(name: string, dst?: ByteTarget, range?: ByteRange): Promise<Uint8Array> {
    return (await this.fileOf(name)).read(name, dst, range);
  }

  /** Opens every shard and checks that the index and the shard headers agree. */
  async verify(): Promise<void> {
    for (const name of this.weightMap.keys()) await this.fileOf(name);
    for (const fileName of this.files) {
      const file = await this.open.get(fileName)!;
      for (const n of file.names) {
        if (this.weightMap.get(n) !== fileName) {
          throw new SafetensorsError('missing_tensor', this.indexPath ?? file.path, n, `shard ${fileName} holds it but the index does not map it there`);
        }
      }
    }
  }

  async close(): Promise<void> {
    const files = [...this.open.values()];
    this.open.clear();
    for (const f of files) {
      try {
        await (await f).close();
      } catch {
        // a shard that failed to open has nothing to close
      }
    }
  }
}

/**
 * Splits tensors (in the given order) into shards. With `maxShardBytes`, greedy like HF's
 * split_state_dict_into_shards: start a new shard when the next tensor would overflow the current
 * one; a tensor larger than the limit gets a shard of its own. With `shards`, cuts the order into
 * that many contiguous groups of roughly equal size (fewer if there are fewer tensors).
 */
export function planShards(
  tensors: readonly { name: string; bytes: number }[],
  opts: { maxShardBytes?: number; shards?: number },
): number[][] {
  const groups: number[][] = [];
  if (opts.shards !== undefined) {
    const n = Math.min(Math.max(1, Math.floor(opts.shards)), Math.max(1, tensors.length));
    const total = tensors.reduce((s, t) => s + t.bytes, 0);
    let cum = 0;
    for (let i = 0; i < tensors.length; i++) {
      const mid = cum + tensors[i]!.bytes / 2; // place each tensor by its midpoint
      cum += tensors[i]!.bytes;
      let g = total > 0 ? Math.min(n - 1, Math.floor((mid / total) * n)) : Math.floor((i * n) / tensors.length);
      const cur = groups.length - 1;
      // Never go back, never skip a group, and keep one tensor for each group still to fill.
      g = Math.max(g, cur, 0);
      g = Math.min(g, cur + 1);
      if (tensors.length - i <= n - 1 - cur) g = cur + 1;
      if (g > cur) groups.push([]);
      groups[groups.length - 1]!.push(i);
    }
    return groups;
  }
  const max = opts.maxShardBytes ?? Infinity;
  if (!(max > 0)) throw new RangeError(`maxShardBytes must be positive, got ${max}`);
  let size = 0;
  for (let i = 0; i < tensors.length; i++) {
    const b = tensors[i]!.bytes;
    const cur = groups[groups.length - 1];
    if (b > max) {
      groups.push([i]);
      size = Infinity; // nothing joins an oversized tensor
    } else if (!cur || size + b > max) {
      groups.push([i]);
      size = b;
    } else {
      cur.push(i);
      size += b;
    }
  }
  return groups;
}

export interface ShardedWriteOptions extends WriteOptions {
  readonly maxShardBytes?: number;
  readonly shards?: number;
}

export interface ShardedWriteResult {
  /** File names written in `dir` (shards; the index is not listed). */
  readonly files: string[];
  readonly totalSize: number;
  readonly indexWritten: boolean;
}

/**
 * Writes a checkpoint into `dir`: `model.safetensors` when everything fits one shard (and no
 * index, as HF does), else numbered shards plus the index (written last, sorted, indent 2 like
 * HF's json.dumps(..., indent=2, sort_keys=True)). Files left by an earlier save in the other
 * layout (a stale index, single file or shards of another count) are removed afterwards, so the
 * directory never mixes two checkpoints.
 */
export async function writeShardedSafetensors(
  dir: string,
  tensors: readonly TensorSource[],
  options: ShardedWriteOptions = {},
): Promise<ShardedWriteResult> {
  const sized = tensors.map((t) => ({ name: t.name, bytes: byteSize(t.dtype, t.shape) }));
  const totalSize = sized.reduce((s, t) => s + t.bytes, 0);
  const plan = planShards(sized, options);
  if (plan.length === 0) plan.push([]);
  const files: string[] = [];
  const weightMap: Record<string, string> = {};
  for (let s = 0; s < plan.length; s++) {
    const fileName = plan.length === 1 ? SINGLE_FILE : shardFileName(s, plan.length);
    const group = plan[s]!.map((i) => tensors[i]!);
    await writeSafetensors(join(dir, fileName), group, options);
    files.push(fileName);
    for (const t of group) weightMap[t.name] = fileName;
  }
  const indexWritten = plan.length > 1;
  if (indexWritten) {
    const sortedMap = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]!]));
    const index = { metadata: { total_size: totalSize }, weight_map: sortedMap };
    const path = join(dir, INDEX_FILE);
    const tmp = tempPathFor(path);
    await writeFile(tmp, JSON.stringify(index, null, 2) + '\n');
    await rename(tmp, path);
  }
  // Clean up the other layout's leftovers.
  const keep = new Set(files);
  if (indexWritten) keep.add(INDEX_FILE);
  for (const f of await readdir(dir)) {
    if (keep.has(f)) continue;
    if (f === INDEX_FILE || f === SINGLE_FILE || SHARD_NAME_RE.test(f)) await rm(join(dir, f), { force: true });
  }
  return { files, totalSize, indexWritten };
}
