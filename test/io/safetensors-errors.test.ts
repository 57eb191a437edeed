import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SafetensorsError, SafetensorsFile, writeSafetensors } from '../../src/io/safetensors/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'st-err-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file with a hand-written header (no validation on the way in). */
async function rawFile(name: string, header: string, dataBytes: number, headerLen?: bigint): Promise<string> {
  const json = Buffer.from(header, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLen ?? BigInt(json.byteLength));
  const path = join(dir, name);
  await writeFile(path, Buffer.concat([prefix, json, Buffer.alloc(dataBytes)]));
  return path;
}

async function openError(path: string): Promise<SafetensorsError> {
  try {
    const f = await SafetensorsFile.open(path);
    await f.close();
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    return e as SafetensorsError;
  }
  throw new Error(`${path} opened without error`);
}

describe('corrupt files raise named errors', () => {
  it('truncated data section', async () => {
    const path = join(dir, 'cut.safetensors');
    await writeSafetensors(path, [
      { name: 'a', dtype: 'F32', shape: [4], data: new Float32Array(4) },
      { name: 'b', dtype: 'F32', shape: [4], data: new Float32Array(4) },
    ]);
    const size = (await readFile(path)).byteLength;
    await truncate(path, size - 3);
    const e = await openError(path);
    expect(e.code).toBe('truncated');
    expect(e.tensor).toBe('b');
    expect(e.message).toContain(path);
    expect(e.message).toContain("'b'");
  });

  it('file shorter than the length prefix, or than the header', async () => {
    const tiny = join(dir, 'tiny.safetensors');
    await writeFile(tiny, Buffer.from([1, 2, 3]));
    expect((await openError(tiny)).code).toBe('truncated');
    const short = await rawFile('short.safetensors', '{}', 0, 4000n);
    const e = await openError(short);
    expect(e.code).toBe('truncated');
    expect(e.message).toMatch(/header of 4000 bytes/);
  });

  it('absurd header length and malformed JSON', async () => {
    expect((await openError(await rawFile('huge.safetensors', '{}', 0, 1n << 40n))).code).toBe('bad_header');
    const bad = await openError(await rawFile('json.safetensors', '{"a": {"dtype": "F32",', 0));
    expect(bad.code).toBe('bad_header');
    expect(bad.message).toMatch(/not valid JSON/);
    const notObj = await openError(await rawFile('arr.safetensors', '[1,2]   ', 0));
    expect(notObj.code).toBe('bad_header');
    const schema = await openError(await rawFile('schema.safetensors', '{"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', 4));
    expect(schema.code).toBe('bad_header');
    expect(schema.tensor).toBe('w');
    const meta = await openError(await rawFile('meta.safetensors', '{"__metadata__":{"n":1}}', 0));
    expect(meta.code).toBe('bad_header');
    expect(meta.message).toContain('__metadata__');
  });

  it('header lying about offsets: overlap, and size disagreeing with the shape', async () => {
    const overlap = await openError(
      await rawFile(
        'overlap.safetensors',
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        12,
      ),
    );
    expect(overlap.code).toBe('bad_offsets');
    expect(overlap.tensor).toBe('b');
    expect(overlap.message).toMatch(/overlap 'a'/);
    const size = await openError(
      await rawFile('size.safetensors', '{"w":{"dtype":"BF16","shape":[3,3],"data_offsets":[0,16]}}', 16),
    );
    expect(size.code).toBe('bad_offsets');
    expect(size.message).toMatch(/\[0, 16\) hold 16 bytes but BF16 \[3, 3\] needs 18/);
    const reversed = await openError(await rawFile('rev.safetensors', '{"w":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}}', 8));
    expect(reversed.code).toBe('bad_offsets');
  });

  it('unknown and unsupported dtypes are named', async () => {
    const q = await openError(await rawFile('q4.safetensors', '{"w":{"dtype":"Q4_K","shape":[2],"data_offsets":[0,2]}}', 2));
    expect(q.code).toBe('unknown_dtype');
    expect(q.message).toMatch(/unknown dtype 'Q4_K'/);
    expect(q.tensor).toBe('w');
    const f4 = await openError(await rawFile('f4.safetensors', '{"w":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}', 1));
    expect(f4.code).toBe('unknown_dtype');
    expect(f4.message).toMatch(/sub-byte/);
  });

  it('integer dtypes are readable', async () => {
    const path = await rawFile('ints.safetensors', '{"i":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}', 16);
    const f = await SafetensorsFile.open(path);
    expect(f.info('i')).toMatchObject({ dtype: 'I64', shape: [2] });
    await f.close();
  });

  it('missing tensor, bad range and small destination', async () => {
    const path = join(dir, 'ok.safetensors');
    await writeSafetensors(path, [{ name: 'a', dtype: 'F32', shape: [4], data: new Float32Array(4) }]);
    const f = await SafetensorsFile.open(path);
    try {
      expect(() => f.info('nope')).toThrow(SafetensorsError);
      await expect(f.read('nope')).rejects.toMatchObject({ code: 'missing_tensor', tensor: 'nope' });
      await expect(f.read('a', undefined, { offset: 8, length: 16 })).rejects.toMatchObject({ code: 'shape_mismatch' });
      await expect(f.read('a', new Uint8Array(15))).rejects.toThrow(/destination has 15 bytes, 16 needed/);
    } finally {
      await f.close();
    }
  });
});

describe('fuzzed corruption', () => {
  // Seeded mutations of a valid file (byte flips anywhere, in the header above all, truncations,
  // insertions): opening and reading every tensor either works and returns exactly the declared
  // sizes, or fails with a SafetensorsError carrying a code and the file name; never another error.
  it('every corrupt variant fails with a named SafetensorsError or reads consistently', async () => {
    const path = join(dir, 'fuzz-src.safetensors');
    await writeSafetensors(path, [
      { name: 'weight', dtype: 'BF16', shape: [3, 5], data: new Uint8Array(30).map((_, i) => i) },
      { name: 'bias', dtype: 'F32', shape: [5], data: new Float32Array([1, 2, 3, 4, 5]) },
      { name: 'norm', dtype: 'F16', shape: [2], data: new Uint8Array(4).fill(7) },
    ], { metadata: { format: 'pt' } });
    const good = await readFile(path);
    const headerEnd = 8 + Number(good.readBigUInt64LE(0));
    let s = 12345;
    const rnd = (n: number): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s % n;
    };
    const codes = new Map<string, number>();
    let opened = 0;
    for (let i = 0; i < 400; i++) {
      let b = Buffer.from(good);
      const kind = i % 4;
      if (kind === 0) for (let j = 0; j < 1 + rnd(3); j++) b[rnd(headerEnd)] = rnd(256); // header bytes
      else if (kind === 1) b[8 + rnd(headerEnd - 8)] = '0123456789,:"{}[]'.charCodeAt(rnd(17)); // plausible JSON
      else if (kind === 2) b = b.subarray(0, rnd(b.byteLength)); // truncation
      else b = Buffer.concat([b.subarray(0, 8 + rnd(headerEnd - 8)), Buffer.from([rnd(256)]), b.subarray(8 + rnd(headerEnd - 8))]);
      const p = join(dir, `fuzz-${i}.safetensors`);
      await writeFile(p, b);
      try {
        const f = await SafetensorsFile.open(p);
        try {
          for (const name of f.names) {
            const info = f.info(name);
            const bytes = await f.read(name);
            expect(bytes.byteLength, `${p} ${name}`).toBe(info.end - info.begin);
          }
          opened++;
        } finally {
          await f.close();
        }
      } catch (e) {
        if (!(e instanceof SafetensorsError)) throw new Error(`fuzz case ${i} (kind ${kind}) threw a non-SafetensorsError: ${String(e)}`);
        expect(e.message, `case ${i}`).toContain(p);
        codes.set(e.code, (codes.get(e.code) ?? 0) + 1);
      }
      await rm(p);
    }
    console.log(`fuzz: ${opened} of 400 still valid; errors ${JSON.stringify(Object.fromEntries(codes))}`);
    expect(codes.size).toBeGreaterThanOrEqual(3);
  });
});
