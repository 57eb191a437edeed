// Streaming safetensors reader: reads only the header up front, then positional reads of single
// tensors (or byte ranges of them) into caller-supplied memory. Never buffers the whole file, so a
// 30 GB checkpoint can be uploaded to the GPU in staging-buffer-sized pieces.
import { open, type FileHandle } from 'node:fs/promises';
import { SafetensorsError } from './errors.js';
import { type Header, type TensorInfo, parseHeader, parseHeaderLength } from './header.js';

/** Node refuses single reads above 2 GiB - 1; stay well below. */
const MAX_READ = 1 << 30;

export type ByteTarget = Uint8Array | ArrayBuffer | ArrayBufferView;

export interface ByteRange {
  /** Offset into the tensor's bytes. */
  readonly offset: number;
  readonly length: number;
}

export function asBytes(target: ByteTarget): Uint8Array {
  if (target instanceof Uint8Array) return target;
  if (ArrayBuffer.isView(target)) return new Uint8Array(target.buffer, target.byteOffset, target.byteLength);
  return new Uint8Array(target);
}

/** Reads exactly `dst.byteLength` bytes at `position`, looping over short reads. */
export async function readFully(fh: FileHandle, dst: Uint8Array, position: number, file: string, tensor?: string): Promise<void> {
  let done = 0;
  while (done < dst.byteLength) {
    const want = Math.min(dst.byteLength - done, MAX_READ);
    const { bytesRead } = await fh.read(dst, done, want, position + done);
    if (bytesRead === 0) {
      throw new SafetensorsError('truncated', file, tensor, `unexpected end of file at byte ${position + done}`);
    }
    done += bytesRead;
  }
}

export class SafetensorsFile {
  private constructor(
    readonly path: string,
    readonly header: Header,
    readonly fileSize: number,
    private fh: FileHandle | undefined,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    const fh = await open(path, 'r');
    try {
      const { size } = await fh.stat();
      const prefix = new Uint8Array(8);
      if (size >= 8) await readFully(fh, prefix, 0, path);
      const n = parseHeaderLength(prefix, path, size);
      const json = new Uint8Array(n);
      await readFully(fh, json, 8, path);
      return new SafetensorsFile(path, parseHeader(json, path, size), size, fh);
    } catch (e) {
      await fh.close();
      throw e;
    }
  }

  /** Tensor names in data order. */
  get names(): string[] {
    return this.header.tensors.map((t) => t.name);
  }

  get metadata(): Readonly<Record<string, string>> | undefined {
    return this.header.metadata;
  }

  has(name: string): boolean {
    return this.header.byName.has(name);
  }

  info(name: string): TensorInfo {
    const t = this.header.byName.get(name);
    if (!t) throw new SafetensorsError('missing_tensor', this.path, name, 'no such tensor in this file');
    return t;
  }

  /**
   * Reads a tensor (or `range` of its bytes) into `dst` (allocated when omitted; when given it
   * must have room for the bytes, which land at its start). Returns a view of exactly those bytes.
   */
  async read(name: string, dst?: ByteTarget, range?: ByteRange): Promise<Uint8Array> {
    const t = this.info(name);
    const size = t.end - t.begin;
    const offset = range?.offset ?? 0;
    const length = range?.length ?? size - offset;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
      throw new SafetensorsError('shape_mismatch', this.path, name, `byte range [${offset}, ${offset + length}) is outside the tensor's ${size} bytes`);
    }
    let out: Uint8Array;
    if (dst === undefined) {
      out = new Uint8Array(length);
    } else {
      const bytes = asBytes(dst);
      if (bytes.byteLength < length) {
        throw new SafetensorsError('shape_mismatch', this.path, name, `destination has ${bytes.byteLength} bytes, ${length} needed`);
      }
      out = bytes.subarray(0, length);
    }
    await readFully(this.handle(), out, this.header.dataStart + t.begin + offset, this.path, name);
    return out;
  }

  /**
   * Yields the tensor's bytes in pieces of at most `chunkBytes`, each read into `buffer` (reused:
   * consume a piece before asking for the next).
   */
  async *chunks(name: string, chunkBytes: number, buffer?: ByteTarget): AsyncGenerator<{ offset: number; bytes: Uint8Array }> {
    const t = this.info(name);
    if (!(chunkBytes > 0)) throw new RangeError(`chunkBytes must be positive, got ${chunkBytes}`);
    const size = t.end - t.begin;
    const buf = buffer ? asBytes(buffer) : new Uint8Array(Math.min(chunkBytes, size));
    const step = Math.min(chunkBytes, buf.byteLength);
    if (step <= 0 && size > 0) throw new SafetensorsError('shape_mismatch', this.path, name, 'chunk buffer is empty');
    for (let off = 0; off < size; off += step) {
      const len = Math.min(step, size - off);
      yield { offset: off, bytes: await this.read(name, buf, { offset: off, length: len }) };
    }
  }

  async close(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    await fh?.close();
  }

  private handle(): FileHandle {
    if (!this.fh) throw new Error(`${this.path}: safetensors file is closed`);
    return this.fh;
  }
}
