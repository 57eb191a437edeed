// Host transfers without a copy in JS memory (gpu.writeBytes / writeBytesFrom through two MAP_WRITE
// staging buffers, gpu.readMapped / deviceBytes handing out mapped MAP_READ memory) and the three
// host-memory collectives built on them (src/parallel/collectives.ts), on one device with a real
// exchange directory: bytes land where asked, in order with the recorded work, across staging
// pieces; a mapped view holds the staging buffer until released; the 3-rank sum equals the f32 sum
// in rank order rounded once to bf16.
import { afterAll, describe, expect, it } from 'vitest';
import { createGpu, type Gpu } from '../../src/gpu/gpu.js';
import { STAGING_BYTES } from '../../src/gpu/host-data.js';
import { deviceBytes } from '../../src/model/save.js';
import { addInPlace } from '../../src/ops/residual.js';
import { publish, readInto, sumInto } from '../../src/parallel/collectives.js';
import { Exchange, makeExchangeDir, removeExchangeDir } from '../../src/parallel/exchange.js';
import { randn, roundBf16 } from '../gpu/util.js';

let dev: Promise<Gpu> | null = null;
const device = (): Promise<Gpu> => (dev ??= createGpu());
afterAll(async () => (await dev)?.destroy());

/** n (a multiple of 4) bytes of a xorshift32 stream: 134 MB in well under a second. */
const randomBytes = (n: number, seed: number): Uint8Array => {
  const w = new Uint32Array(n / 4);
  let x = seed | 1;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x;
  }
  return new Uint8Array(w.buffer);
};

describe('staged host writes', () => {
  it('writes bytes at an offset across several staging pieces, leaving the rest untouched', async () => {
    const gpu = await device();
    // Two full pieces and an odd tail (in words), at an offset that is not a piece boundary.
    const size = 2 * STAGING_BYTES + 4 * 1237 + 64;
    const t = gpu.empty([size / 4], 'u32', 'staged');
    try {
      const off = 32;
      const len = 2 * STAGING_BYTES + 4 * 1237;
      const src = randomBytes(len, 3);
      await gpu.writeBytes(t, off, src);
      const back = await gpu.readBytes(t.buffer, 0, size);
      expect(back.subarray(0, off).every((b) => b === 0)).toBe(true); // Dawn zero-fills new buffers
      expect(Buffer.compare(back.subarray(off, off + len), src)).toBe(0);
      expect(back.subarray(off + len).every((b) => b === 0)).toBe(true);
      // writeBytesFrom hands each piece its position in the range.
      const starts: number[] = [];
      await gpu.writeBytesFrom(t, 0, size, (dst, at) => {
        starts.push(at);
        dst.fill(at / STAGING_BYTES + 1);
      });
      expect(starts).toEqual([0, STAGING_BYTES, 2 * STAGING_BYTES]);
      const again = await gpu.readBytes(t.buffer, 0, size);
      for (const [i, at] of starts.entries()) expect(again[at]).toBe(i + 1);
      expect(again[size - 1]).toBe(3);
    } finally {
      t.destroy();
    }
  });

  it('keeps its place among recorded dispatches: write, add, write again, add again', async () => {
    const gpu = await device();
    const n = 1001;
    const acc = gpu.upload(new Float32Array(n), [n], 'f32', 'acc');
    const part = gpu.empty([n], 'f32', 'part');
    try {
      const a = Float32Array.from(randn(n, 5));
      const b = Float32Array.from(randn(n, 6));
      await gpu.writeBytes(part, 0, new Uint8Array(a.buffer));
      addInPlace(gpu, acc, part); // recorded, not yet submitted when the next write comes
      await gpu.writeBytes(part, 0, new Uint8Array(b.buffer));
      addInPlace(gpu, acc, part);
      const got = await gpu.readF32(acc);
      for (let i = 0; i < n; i++) expect(got[i]).toBe(Math.fround(a[i] + b[i]));
    } finally {
      acc.destroy();
      part.destroy();
    }
  });

  it('refuses a range that is unaligned or outside the tensor, naming it', async () => {
    const gpu = await device();
    const t = gpu.empty([4], 'f32', 'small');
    try {
      await expect(gpu.writeBytes(t, 2, new Uint8Array(4))).rejects.toThrow(/writeBytes .*small.*4 bytes at 2/);
      await expect(gpu.writeBytes(t, 8, new Uint8Array(12))).rejects.toThrow(/inside 16 bytes/);
      await expect(gpu.writeBytesFrom(t, 0, 16, () => { throw new Error('fill failed'); })).rejects.toThrow(/fill failed/);
      await gpu.writeBytes(t, 0, new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer)); // usable after a failed fill
      expect(Array.from(await gpu.readF32(t))).toEqual([1, 2, 3, 4]);
    } finally {
      t.destroy();
    }
  });
});

describe('mapped readback', () => {
  it('hands out mapped views that hold the staging buffer until released, also when a loop over deviceBytes stops early', async () => {
    const gpu = await device();
    const n = 3001;
    const vals = randn(n, 9);
    const t = gpu.upload(vals, [n], 'f32', 'mapped');
    try {
      const m = await gpu.readMapped(t.buffer, t.byteOffset, t.byteSize);
      expect(Array.from(new Float32Array(m.bytes.slice().buffer))).toEqual(Array.from(vals));
      let done = false;
      const next = gpu.readBytes(t.buffer, 0, 16).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 100));
      expect(done).toBe(false); // waits for the release
      m.release();
      m.release(); // twice is harmless
      await next;
      // Pieces of 4 KiB: the last one is short; a consumer that stops early releases the buffer too.
      const pieces: number[] = [];
      for await (const piece of deviceBytes(gpu, t, t.byteSize, 4096)) pieces.push(piece.length);
      expect(pieces).toEqual([4096, 4096, 4 * n - 8192]);
      for await (const piece of deviceBytes(gpu, t, t.byteSize, 4096)) if (piece.length) break;
      expect((await gpu.readF32(t))[n - 1]).toBe(vals[n - 1]);
    } finally {
      t.destroy();
    }
  });
});

describe('collectives through the exchange', () => {
  it('sums three ranks gradients in f32 rounded once to bf16 and reads a published tensor back, across pieces', async () => {
    const gpu = await device();
    const n = 4099; // odd: the last piece is short
    const piece = 4 * 1024; // bytes: 5 pieces of bf16 (the real size is 64 MiB)
    const dir = makeExchangeDir(1 << 20);
    const ex = new Exchange(dir);
    const grads = [0, 1, 2].map((r) => randn(n, 20 + r, 1, true));
    const ts = grads.map((g, r) => gpu.upload(g, [n], 'bf16', `g${r}`));
    try {
      for (const r of [1, 2]) await publish(gpu, ex, 'grad', r, 'w', ts[r]!, piece);
      await sumInto(gpu, ex, 'w', ts[0]!, 0, 3, piece);
      const got = await gpu.readF32(ts[0]!);
      for (let i = 0; i < n; i++) expect(got[i]).toBe(roundBf16(Math.fround(Math.fround(grads[0]![i]! + grads[1]![i]!) + grads[2]![i]!)));
      // rank 0 publishes its summed tensor as a weight; rank 1's copy becomes it
      await publish(gpu, ex, 'weight', 0, 'w', ts[0]!, piece);
      await readInto(gpu, ex, 'weight', 0, 'w', ts[1]!);
      expect(Array.from(await gpu.readF32(ts[1]!))).toEqual(Array.from(got));
      await expect(readInto(gpu, ex, 'weight', 2, 'w', ts[2]!)).rejects.toThrow(/rank 2 has not published its weight of w/);
    } finally {
      for (const t of ts) t.destroy();
      removeExchangeDir(dir);
    }
  });
});
