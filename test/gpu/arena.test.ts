// The scratch arena (src/gpu/arena.ts) on lavapipe: reuse by purpose, growth to the largest size
// asked, current / peak accounting, and the safety rule: no buffer is freed or handed to another
// purpose while recorded, unsubmitted work still reads it.
import { afterAll, describe, expect, it } from 'vitest';
import { createGpu, type Gpu } from '../../src/gpu/gpu.js';
import { cast } from '../../src/ops/cast.js';

// A device of its own: the accounting starts from nothing.
let dev: Promise<Gpu> | null = null;
const device = (): Promise<Gpu> => (dev ??= createGpu());
afterAll(async () => (await dev)?.destroy());

describe('scratch arena: reuse, growth, accounting', () => {
  it('reuses a purpose buffer for requests up to its size, grows it to the largest asked, keeps purposes apart', async () => {
    const gpu = await device();
    const a = gpu.scratch;
    a.trim();
    a.resetPeak();
    const x1 = a.acquire('t.x', [100], 'f32');
    expect(x1.shape).toEqual([100]);
    expect(x1.base !== null).toBe(true); // a view: the arena owns the buffer
    expect(() => x1.destroy()).toThrow(/view/);
    expect(a.acquire('t.x', [50, 2], 'bf16').buffer).toBe(x1.buffer); // smaller: same buffer, any dtype
    expect(a.bytes).toBe(400);
    const y = a.acquire('t.y', [10], 'u32');
    expect(y.buffer).not.toBe(x1.buffer);
    expect(a.bytes).toBe(440);
    const x2 = a.acquire('t.x', [300], 'f32'); // larger: a new buffer of exactly that size
    expect(x2.buffer).not.toBe(x1.buffer);
    expect(x2.buffer.size).toBe(1200);
    expect(a.bytes).toBe(1240);
    expect(a.peak).toBe(1240);
    expect(a.acquire('t.x', [7], 'f32').buffer).toBe(x2.buffer); // never shrinks
    expect(a.report()).toEqual([
      { purpose: 't.x', bytes: 1200, largest: 1200 },
      { purpose: 't.y', bytes: 40, largest: 40 },
    ]);
    a.trim('t.x');
    expect(a.bytes).toBe(40);
    expect(a.peak).toBe(1240); // the peak stays until resetPeak
    expect(a.report()[0]).toEqual({ purpose: 't.x', bytes: 0, largest: 1200 });
    a.resetPeak();
    expect(a.peak).toBe(40);
    expect(a.report()).toEqual([{ purpose: 't.y', bytes: 40, largest: 40 }]);
    a.trim();
    expect(a.bytes).toBe(0);
  });

  it('builds a table once and counts it; a table purpose is not scratch', async () => {
    const gpu = await device();
    const a = gpu.scratch;
    a.trim();
    let builds = 0;
    const make = () => {
      builds++;
      return gpu.upload([1, 2, 3, 4], [4], 'f32', 'tbl');
    };
    const t = a.table('t.table', make);
    expect(a.table('t.table', make)).toBe(t);
    expect(builds).toBe(1);
    expect(a.bytes).toBe(16);
    expect(Array.from(await gpu.readF32(t))).toEqual([1, 2, 3, 4]);
    expect(() => a.acquire('t.table', [4], 'f32')).toThrow(/table/);
    expect(() => a.table('t.view', () => t.view(0, [2]))).toThrow(/view/);
    a.trim();
    expect(a.bytes).toBe(0);
  });
});

describe('scratch arena: safety with recorded work', () => {
  const data = (n: number, k: number) => Float32Array.from({ length: n }, (_, i) => k + i);

  it('a buffer replaced by growth or trimmed during a recording is destroyed only after the submit', async () => {
    const gpu = await device();
    const a = gpu.scratch;
    a.trim();
    await gpu.sync();
    const n = 64;
    const src = gpu.upload(data(n, 1), [n], 'f32');
    const out1 = gpu.empty([n], 'bf16'), out2 = gpu.empty([n], 'bf16');
    const s1 = a.acquire('t.s', [n], 'f32');
    gpu.copy(src, s1);
    cast(gpu, s1, out1); // recorded: reads the first buffer
    expect(gpu.recording).toBe(true);
    const s2 = a.acquire('t.s', [2 * n], 'f32'); // grows: the first buffer is retired, not destroyed
    expect(s2.buffer).not.toBe(s1.buffer);
    expect(a.retiredBytes).toBe(4 * n);
    gpu.copy(src, s2);
    cast(gpu, s2.view(0, [n]), out2);
    a.trim('t.s'); // the second one too, with its reads still unsubmitted
    expect(a.retiredBytes).toBe(12 * n);
    await gpu.sync(); // would fail the batch had either been destroyed before the submit
    expect(a.retiredBytes).toBe(0);
    expect(Array.from(await gpu.readF32(out1))).toEqual(Array.from(data(n, 1)));
    expect(Array.from(await gpu.readF32(out2))).toEqual(Array.from(data(n, 1)));
    for (const t of [src, out1, out2]) t.destroy();
  });

  it('(control) destroying a buffer that recorded work reads fails the batch: what retiring avoids', async () => {
    const gpu = await device();
    const src = gpu.upload(data(8, 0), [8], 'f32');
    const tmp = gpu.empty([8], 'f32'), out = gpu.empty([8], 'bf16');
    gpu.copy(src, tmp);
    cast(gpu, tmp, out);
    tmp.destroy();
    await expect(gpu.sync()).rejects.toThrow(/destroyed/i);
    src.destroy();
    out.destroy();
  });

  it('reuse of one purpose in one recording: each user reads its own contents (GPU writes in order, host writes submit first)', async () => {
    const gpu = await device();
    const a = gpu.scratch;
    const n = 32;
    const outs = [0, 1, 2].map(() => gpu.empty([n], 'bf16'));
    const src = gpu.upload(data(n, 100), [n], 'f32');
    // 1: host write; 2: host write again; 3: a GPU copy: each read recorded before the next write.
    const s = a.acquire('t.r', [n], 'f32');
    gpu.write(s, data(n, 1));
    cast(gpu, s, outs[0]!);
    gpu.write(a.acquire('t.r', [n], 'f32'), data(n, 50));
    cast(gpu, a.acquire('t.r', [n], 'f32'), outs[1]!);
    const other = a.acquire('t.other', [n], 'f32'); // another purpose: never the same memory
    expect(other.buffer).not.toBe(s.buffer);
    gpu.copy(src, a.acquire('t.r', [n], 'f32'));
    gpu.write(other, data(n, 7));
    cast(gpu, a.acquire('t.r', [n], 'f32'), outs[2]!);
    await gpu.sync();
    const got = await Promise.all(outs.map((o) => gpu.readF32(o)));
    expect(Array.from(got[0]!)).toEqual(Array.from(data(n, 1)));
    expect(Array.from(got[1]!)).toEqual(Array.from(data(n, 50)));
    expect(Array.from(got[2]!)).toEqual(Array.from(data(n, 100)));
    expect(Array.from(await gpu.readF32(other))).toEqual(Array.from(data(n, 7)));
    for (const t of [...outs, src]) t.destroy();
    a.trim();
  });

  it('destroy() of the device frees the arena', async () => {
    const gpu = await createGpu();
    gpu.scratch.acquire('t.z', [16], 'f32');
    expect(gpu.scratch.bytes).toBe(64);
    gpu.destroy();
    expect(gpu.scratch.bytes).toBe(0);
  });
});
