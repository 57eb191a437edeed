// The safetensors header: 8-byte little-endian length N, then N bytes of JSON
// {name: {dtype, shape, data_offsets: [begin, end)}, "__metadata__"?: {string: string}}, offsets
// relative to the first byte after the header. Parsing validates everything a reader relies on;
// building reproduces the Rust writer's layout (sorted, compact JSON, padded with spaces to 8).
import { z } from 'zod';
import { SafetensorsError } from './errors.js';
import { DTYPE_SIZES, type Dtype, compareForLayout, describeUnknownDtype, isDtype } from './dtypes.js';

/** The Rust reader refuses headers above 100 MB; so do we (a 14B model's header is ~60 KB). */
export const MAX_HEADER_BYTES = 100_000_000;
export const METADATA_KEY = '__metadata__';

export interface TensorInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Byte range [begin, end) relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface Header {
  /** N, the JSON length (including padding). The data section starts at 8 + N. */
  readonly headerBytes: number;
  readonly dataStart: number;
  /** Tensors in data-offset order. */
  readonly tensors: readonly TensorInfo[];
  readonly byName: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>> | undefined;
  /** One past the last data byte any tensor uses, relative to dataStart. */
  readonly dataBytes: number;
}

const safeUint = z.number().int().nonnegative().refine(Number.isSafeInteger, 'exceeds 2^53');
const TensorEntry = z.object({
  dtype: z.string(),
  shape: z.array(safeUint),
  data_offsets: z.tuple([safeUint, safeUint]),
});
const Metadata = z.record(z.string(), z.string());

/** Number of elements of a shape; throws (via `fail`) when it leaves the safe-integer range. */
export function numel(shape: readonly number[], fail: (why: string) => never = (why) => { throw new RangeError(why); }): number {
  let n = 1;
  for (const d of shape) {
    n *= d;
    if (!Number.isSafeInteger(n)) fail(`shape [${shape.join(', ')}] has more than 2^53 elements`);
  }
  return n;
}

export function byteSize(dtype: Dtype, shape: readonly number[]): number {
  const n = numel(shape) * DTYPE_SIZES[dtype];
  if (!Number.isSafeInteger(n)) throw new RangeError(`shape [${shape.join(', ')}] of ${dtype} exceeds 2^53 bytes`);
  return n;
}

/** Reads N from the first 8 bytes, checking it against the file size. */
export function parseHeaderLength(prefix: Uint8Array, file: string, fileSize: number): number {
  if (fileSize < 8 || prefix.byteLength < 8) {
    throw new SafetensorsError('truncated', file, undefined, `file has ${fileSize} bytes, fewer than the 8-byte header length`);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError('bad_header', file, undefined, `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  }
  const len = Number(n);
  if (len < 2) throw new SafetensorsError('bad_header', file, undefined, `header length ${len} is too small for a JSON object`);
  if (8 + len > fileSize) {
    throw new SafetensorsError('truncated', file, undefined, `header of ${len} bytes does not fit in a ${fileSize}-byte file`);
  }
  return len;
}

/** Parses and validates the JSON header. `fileSize` bounds the data offsets. */
export function parseHeader(json: Uint8Array, file: string, fileSize: number): Header {
  const headerBytes = json.byteLength;
  const bad = (why: string, tensor?: string): never => {
    throw new SafetensorsError('bad_header', file, tensor, why);
  };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(json);
  } catch {
    return bad('header is not valid UTF-8');
  }
  if (!text.startsWith('{')) bad(`header does not start with '{' (starts with ${JSON.stringify(text.slice(0, 16))})`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return bad(`header is not valid JSON: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('header is not a JSON object');

  let metadata: Record<string, string> | undefined;
  const tensors: TensorInfo[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      const m = Metadata.safeParse(value);
      if (!m.success) bad(`${METADATA_KEY} must map strings to strings: ${z.prettifyError(m.error)}`);
      metadata = m.data;
      continue;
    }
    const t = TensorEntry.safeParse(value);
    if (!t.success) bad(`malformed entry: ${z.prettifyError(t.error)}`, name);
    const { dtype, shape, data_offsets } = t.data!;
    if (!isDtype(dtype)) throw new SafetensorsError('unknown_dtype', file, name, describeUnknownDtype(dtype));
    const [begin, end] = data_offsets;
    const n = numel(shape, (why) => bad(why, name));
    const expected = n * DTYPE_SIZES[dtype];
    if (!Number.isSafeInteger(expected)) bad(`byte size exceeds 2^53`, name);
    if (end < begin || end - begin !== expected) {
      throw new SafetensorsError(
        'bad_offsets',
        file,
        name,
        `data_offsets [${begin}, ${end}) hold ${end - begin} bytes but ${dtype} [${shape.join(', ')}] needs ${expected}`,
      );
    }
    tensors.push({ name, dtype, shape, begin, end });
  }

  // Offsets must not overlap (gaps are tolerated; the Rust writer never leaves any).
  tensors.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let dataBytes = 0;
  let prev: TensorInfo | undefined;
  for (const t of tensors) {
    if (prev && t.begin < prev.end) {
      throw new SafetensorsError(
        'bad_offsets',
        file,
        t.name,
        `data_offsets [${t.begin}, ${t.end}) overlap '${prev.name}' [${prev.begin}, ${prev.end})`,
      );
    }
    if (t.end > t.begin) prev = t;
    dataBytes = Math.max(dataBytes, t.end);
  }
  const dataStart = 8 + headerBytes;
  const available = fileSize - dataStart;
  if (dataBytes > available) {
    const last = tensors.find((t) => t.end > available)!;
    throw new SafetensorsError(
      'truncated',
      file,
      last.name,
      `data section has ${available} bytes but the header needs ${dataBytes} (tensor ends at ${last.end})`,
    );
  }
  return {
    headerBytes,
    dataStart,
    tensors,
    byName: new Map(tensors.map((t) => [t.name, t])),
    metadata,
    dataBytes,
  };
}

export interface TensorSpec {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
}

export interface BuiltHeader {
  /** 8-byte length followed by the padded JSON: the file's first bytes. */
  readonly prefix: Uint8Array;
  /** Tensors in the order their data must follow. */
  readonly layout: readonly TensorInfo[];
  readonly dataBytes: number;
}

/**
 * Header for `specs` laid out like the Rust writer: sorted by descending dtype then name,
 * contiguous, compact JSON (dtype, shape, data_offsets key order), padded with spaces to a multiple
 * of 8 so the data section is 8-byte aligned. Metadata keys are sorted for determinism.
 */
export function buildHeader(specs: readonly TensorSpec[], metadata?: Readonly<Record<string, string>>, file = '<new file>'): BuiltHeader {
  const seen = new Set<string>();
  for (const s of specs) {
    if (s.name === METADATA_KEY) throw new SafetensorsError('bad_header', file, s.name, `'${METADATA_KEY}' is reserved`);
    if (seen.has(s.name)) throw new SafetensorsError('bad_header', file, s.name, 'duplicate tensor name');
    seen.add(s.name);
    if (!isDtype(s.dtype)) throw new SafetensorsError('unknown_dtype', file, s.name, describeUnknownDtype(s.dtype));
    for (const d of s.shape) {
      if (!Number.isSafeInteger(d) || d < 0) {
        throw new SafetensorsError('shape_mismatch', file, s.name, `shape [${s.shape.join(', ')}] has a non-integer or negative dimension`);
      }
    }
  }
  const sorted = [...specs].sort(compareForLayout);
  const layout: TensorInfo[] = [];
  let offset = 0;
  for (const s of sorted) {
    const n = byteSize(s.dtype, s.shape);
    layout.push({ name: s.name, dtype: s.dtype, shape: [...s.shape], begin: offset, end: offset + n });
    offset += n;
  }
  const parts: string[] = [];
  if (metadata) {
    const keys = Object.keys(metadata).sort();
    parts.push(`${JSON.stringify(METADATA_KEY)}:{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(metadata[k])}`).join(',')}}`);
  }
  for (const t of layout) {
    parts.push(`${JSON.stringify(t.name)}:{"dtype":${JSON.stringify(t.dtype)},"shape":[${t.shape.join(',')}],"data_offsets":[${t.begin},${t.end}]}`);
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const padded = json.byteLength + ((8 - (json.byteLength % 8)) % 8);
  const prefix = new Uint8Array(8 + padded).fill(0x20, 8 + json.byteLength);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(padded), true);
  prefix.set(json, 8);
  return { prefix, layout, dataBytes: offset };
}
