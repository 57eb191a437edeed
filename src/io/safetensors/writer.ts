// Streaming safetensors writer. The header needs every size up front (dtype x shape), the data then
// streams tensor by tensor, each from bytes in memory or an async producer of chunks (e.g. a GPU
// readback). Files are written under a temporary name, synced, then renamed, so a crash never
// leaves a half-written file under the final name.
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { SafetensorsError } from './errors.js';
import { type TensorSpec, buildHeader } from './header.js';
import { asBytes, type ByteTarget } from './reader.js';

export type ChunkSource = Iterable<ByteTarget> | AsyncIterable<ByteTarget>;

export interface TensorSource extends TensorSpec {
  /** The tensor's little-endian bytes, or a function producing them in chunks (called once, when written). */
  readonly data: ByteTarget | (() => ChunkSource);
}

export interface WriteOptions {
  /** `__metadata__` (HF checkpoints carry {"format": "pt"}). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** fsync before the rename (default true; durability is the point of the rename). */
  readonly sync?: boolean;
}

/** Small chunks are coalesced into writes of this size. */
const COALESCE_BYTES = 4 << 20;

class CoalescingWriter {
  private buf = new Uint8Array(COALESCE_BYTES);
  private used = 0;
  position = 0;
  constructor(private readonly fh: FileHandle) {}

  async write(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength >= COALESCE_BYTES) {
      await this.flush();
      await this.writeAll(bytes);
      return;
    }
    if (this.used + bytes.byteLength > COALESCE_BYTES) await this.flush();
    this.buf.set(bytes, this.used);
    this.used += bytes.byteLength;
  }

  async flush(): Promise<void> {
    if (this.used === 0) return;
    const n = this.used;
    this.used = 0;
    await this.writeAll(this.buf.subarray(0, n));
  }

  private async writeAll(bytes: Uint8Array): Promise<void> {
    let done = 0;
    while (done < bytes.byteLength) {
      const { bytesWritten } = await this.fh.write(bytes, done, bytes.byteLength - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }
}

export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes one safetensors file at `path` (atomically, via a temporary name). Returns its size. */
export async function writeSafetensors(path: string, tensors: readonly TensorSource[], options: WriteOptions = {}): Promise<number> {
  const { prefix, layout } = buildHeader(tensors, options.metadata, path);
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const tmp = tempPathFor(path);
  const fh = await open(tmp, 'w');
  let ok = false;
  try {
    const w = new CoalescingWriter(fh);
    await w.write(prefix);
    for (const info of layout) {
      const src = byName.get(info.name)!;
      const want = info.end - info.begin;
      let got = 0;
      const mismatch = (extra: string): SafetensorsError =>
        new SafetensorsError('shape_mismatch', path, info.name, `${info.dtype} [${info.shape.join(', ')}] needs ${want} bytes, data ${extra}`);
      if (typeof src.data === 'function') {
        for await (const chunk of src.data()) {
          const bytes = asBytes(chunk);
          got += bytes.byteLength;
          if (got > want) throw mismatch(`produced more than that (${got} so far)`);
          await w.write(bytes);
        }
      } else {
        const bytes = asBytes(src.data);
        got = bytes.byteLength;
        if (got !== want) throw mismatch(`has ${got}`);
        await w.write(bytes);
      }
      if (got !== want) throw mismatch(`produced ${got}`);
    }
    await w.flush();
    if (options.sync !== false) await fh.sync();
    ok = true;
    return w.position;
  } finally {
    await fh.close();
    if (ok) await rename(tmp, path);
    else await rm(tmp, { force: true });
  }
}
