import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SafetensorsFile,
  type TensorSource,
  buildHeader,
  writeSafetensors,
} from '../../src/io/safetensors/index.js';
import { bytesOf, f32ArrayToBf16, f32ArrayToF16 } from '../../src/io/dtype.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

const f32 = (xs: number[]): Uint8Array => bytesOf(new Float32Array(xs));
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

describe('header layout matches the Rust writer', () => {
  // Expected bytes come from the safetensors crate's own serialization tests.
  it('one F32 tensor: compact JSON, already 8-aligned', () => {
    const { prefix } = buildHeader([{ name: 'attn.0', dtype: 'F32', shape: [1, 2, 3] }]);
    const json = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(json.length).toBe(64);
    expect([...prefix.subarray(0, 8)]).toEqual([64, 0, 0, 0, 0, 0, 0, 0]);
    expect(latin1(prefix.subarray(8))).toBe(json);
  });

  it('pads the header with spaces to a multiple of 8', () => {
    const { prefix } = buildHeader([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3] }]);
    expect(prefix[0]).toBe(72);
    expect(latin1(prefix.subarray(8))).toBe('{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ');
  });

  it('writes __metadata__ first; an empty file is "{}" plus padding', () => {
    expect(latin1(buildHeader([]).prefix)).toBe('\x08\0\0\0\0\0\0\0{}      ');
    const { prefix } = buildHeader([], { framework: 'pt' });
    expect(prefix[0]).toBe(40);
    expect(latin1(prefix.subarray(8))).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it('orders tensors by descending dtype, then name, contiguously', () => {
    const { layout } = buildHeader([
      { name: 'b', dtype: 'BF16', shape: [3] },
      { name: 'a', dtype: 'BF16', shape: [1] },
      { name: 'z', dtype: 'F32', shape: [2] },
      { name: 'i', dtype: 'I64', shape: [1] },
      { name: 'u', dtype: 'U8', shape: [5] },
    ]);
    expect(layout.map((t) => [t.name, t.begin, t.end])).toEqual([
      ['i', 0, 8],
      ['z', 8, 16],
      ['a', 16, 18],
      ['b', 18, 24],
      ['u', 24, 29],
    ]);
  });
});

describe('write -> read round trip', () => {
  const src = new Float32Array(Array.from({ length: 37 }, (_, i) => Math.sin(i) * 10 ** (i % 7 - 3)));
  const tensors: TensorSource[] = [
    { name: 'w.f32', dtype: 'F32', shape: [37], data: src },
    { name: 'w.bf16', dtype: 'BF16', shape: [37, 1], data: f32ArrayToBf16(src) },
    { name: 'w.f16', dtype: 'F16', shape: [1, 37], data: f32ArrayToF16(src) },
    // raw random bits, NaN payloads included: must survive untouched
    { name: 'noise.bf16', dtype: 'BF16', shape: [64, 33], data: randomBytes(64 * 33 * 2, 1) },
    { name: 'noise.f32', dtype: 'F32', shape: [5, 7, 3], data: randomBytes(5 * 7 * 3 * 4, 2) },
    { name: 'ids', dtype: 'I32', shape: [4], data: new Int32Array([1, -2, 3, 2 ** 31 - 1]) },
    { name: 'mask', dtype: 'U8', shape: [3], data: new Uint8Array([0, 1, 255]) },
    { name: 'scalar', dtype: 'F32', shape: [], data: new Float32Array([42]) },
    { name: 'empty', dtype: 'BF16', shape: [0, 4], data: new Uint8Array(0) },
  ];

  it('is bit-exact for every dtype, with metadata', async () => {
    const path = join(dir, 'rt.safetensors');
    const size = await writeSafetensors(path, tensors, { metadata: { format: 'pt', note: 'héllo' } });
    const raw = await readFile(path);
    expect(raw.byteLength).toBe(size);
    const f = await SafetensorsFile.open(path);
    try {
      expect(f.metadata).toEqual({ format: 'pt', note: 'héllo' });
      expect(f.header.dataStart % 8).toBe(0);
      expect([...f.names].sort()).toEqual(tensors.map((t) => t.name).sort());
      for (const t of tensors) {
        const info = f.info(t.name);
        expect(info.dtype).toBe(t.dtype);
        expect(info.shape).toEqual(t.shape);
        const want = ArrayBuffer.isView(t.data) ? bytesOf(t.data) : new Uint8Array(0);
        expect(Buffer.from(await f.read(t.name)).equals(Buffer.from(want))).toBe(true);
      }
      // data section ends exactly at the end of the file
      expect(f.header.dataStart + f.header.dataBytes).toBe(raw.byteLength);
    } finally {
      await f.close();
    }
  });

  it('streams async producers in odd-sized chunks and reads byte ranges and chunks back', async () => {
    const big = randomBytes(10_000, 3);
    const path = join(dir, 'stream.safetensors');
    await writeSafetensors(path, [
      {
        name: 'big',
        dtype: 'BF16',
        shape: [100, 50],
        data: async function* () {
          for (let o = 0; o < big.length; o += 777) yield big.subarray(o, Math.min(o + 777, big.length));
        },
      },
      { name: 'small', dtype: 'F32', shape: [2], data: () => [f32([1]), f32([2])] },
    ]);
    const f = await SafetensorsFile.open(path);
    try {
      const part = new Uint8Array(300);
      const got = await f.read('big', part, { offset: 1234, length: 300 });
      expect(got.buffer).toBe(part.buffer);
      expect(Buffer.from(got).equals(Buffer.from(big.subarray(1234, 1534)))).toBe(true);
      // a larger destination (e.g. a staging buffer) is filled from its start
      const staging = new ArrayBuffer(64);
      const head = await f.read('small', staging);
      expect(head.byteLength).toBe(8);
      expect([...new Float32Array(staging, 0, 2)]).toEqual([1, 2]);
      const pieces: Uint8Array[] = [];
      const offsets: number[] = [];
      for await (const c of f.chunks('big', 4096)) {
        offsets.push(c.offset);
        pieces.push(c.bytes.slice());
      }
      expect(offsets).toEqual([0, 4096, 8192]);
      expect(Buffer.concat(pieces).equals(Buffer.from(big))).toBe(true);
    } finally {
      await f.close();
    }
  });

  it('rejects data whose size disagrees with dtype x shape and leaves no file behind', async () => {
    const sub = await mkdtemp(join(dir, 'bad-'));
    const path = join(sub, 'bad.safetensors');
    await expect(
      writeSafetensors(path, [{ name: 'x', dtype: 'F32', shape: [3], data: f32([1, 2]) }]),
    ).rejects.toMatchObject({ code: 'shape_mismatch', tensor: 'x' });
    await expect(
      writeSafetensors(path, [{ name: 'y', dtype: 'BF16', shape: [2], data: () => [new Uint8Array(2), new Uint8Array(4)] }]),
    ).rejects.toThrow(/tensor 'y'.*needs 4 bytes/);
    await expect(
      writeSafetensors(path, [{ name: 'z', dtype: 'BF16', shape: [4], data: () => [new Uint8Array(2)] }]),
    ).rejects.toThrow(/produced 2/);
    expect(await readdir(sub)).toEqual([]);
  });

  it('overwrites an existing file atomically', async () => {
    const path = join(dir, 'over.safetensors');
    await writeFile(path, 'old contents');
    await writeSafetensors(path, [{ name: 'a', dtype: 'F32', shape: [1], data: f32([5]) }]);
    const f = await SafetensorsFile.open(path);
    expect([...new Float32Array((await f.read('a')).slice().buffer)]).toEqual([5]);
    await f.close();
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});
