// The sharded step's host-memory collectives (src/parallel/collectives.ts) on one tensor of the
// Qwen3-14B MLP shape [17408, 5120] (89M elements): the device readback and upload they are made
// of, publishing a gradient, the owner's 3-rank sum (two peers' files + its own readback, f32 adds,
// the result uploaded), and reading a published weight into the device. Timed by the wall clock and
// compared with host.ceiling: writing and reading the same bytes as a plain file in the exchange
// directory (/dev/shm when it has room), what the collectives cannot beat.
// Per step of Qwen3-14B on 3 ranks with bf16 gradients, each rank publishes ~19.7 GB of gradients,
// sums ~9.8 GB of owned gradients from 3 sources, publishes ~9.8 GB and reads ~19.7 GB of weights.
import { open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { deviceBytes } from '../../src/model/save.js';
import { PIECE, publish, readInto, sumInto } from '../../src/parallel/collectives.js';
import { Exchange, makeExchangeDir, removeExchangeDir } from '../../src/parallel/exchange.js';
import type { BenchCase, BenchInstance, BenchScale } from '../types.js';

const shapeOf = (scale: BenchScale): [number, number] => (scale === 'full' ? [17408, 5120] : [1024, 1024]);

/** A tensor of `dtype` with arbitrary finite contents, an exchange directory, and cleanup. */
function fixture(gpu: Gpu, scale: BenchScale, dtype: 'f32' | 'bf16'): { t: Tensor; ex: Exchange; dispose: () => void; shape: string } {
  const [R, C] = shapeOf(scale);
  const t = gpu.upload(Float32Array.from({ length: R * C }, (_, i) => Math.sin(i * 0.1)), [R, C], dtype, 'exchange-bench');
  const dir = makeExchangeDir(4 * t.byteSize);
  return { t, ex: new Exchange(dir), shape: `[${R}, ${C}] ${dtype} via ${dir.startsWith('/dev/shm') ? '/dev/shm' : 'tmp'}`, dispose: () => (t.destroy(), removeExchangeDir(dir)) };
}

const hostCase = (name: string, setup: (gpu: Gpu, scale: BenchScale) => Promise<BenchInstance>, group = 'exchange'): BenchCase => ({ name, group, setup });

/** One bf16 tensor moved between device and host memory by `move` (a piece of 1s to upload at hand). */
const pieceCase = (name: string, move: (gpu: Gpu, t: Tensor, piece: Uint8Array<ArrayBuffer>) => Promise<void>): BenchCase =>
  hostCase(name, async (gpu, scale) => {
    const f = fixture(gpu, scale, 'bf16');
    const piece = new Uint8Array(Math.min(PIECE, f.t.byteSize)).fill(1);
    return { shape: f.shape, bytes: f.t.byteSize, host: () => move(gpu, f.t, piece), dispose: f.dispose };
  });

export const cases: BenchCase[] = [
  hostCase(
    'host.ceiling',
    async (_gpu, scale) => {
      const [R, C] = shapeOf(scale);
      const bytes = 2 * R * C;
      const dir = makeExchangeDir(2 * bytes);
      const data = new Uint8Array(bytes).fill(7);
      const buf = new Uint8Array(PIECE);
      const file = join(dir, 'ceiling.bin');
      return {
        shape: `${bytes} B file write + read`,
        bytes: 2 * bytes,
        async host() {
          await writeFile(file, data);
          const fh = await open(file, 'r');
          for (let off = 0; off < bytes; off += PIECE) await fh.read(buf, 0, Math.min(PIECE, bytes - off), off);
          await fh.close();
          await rm(file);
        },
        dispose: () => removeExchangeDir(dir),
      };
    },
    'ceiling',
  ),
  // What publish streams to the file: views of mapped staging memory (deviceBytes).
  pieceCase('exchange.readback', async (gpu, t) => {
    for await (const piece of deviceBytes(gpu, t, t.byteSize, PIECE)) void piece;
  }),
  // Its peer: each piece copied into JS memory (gpu.readBytes), what the exchanges did before
  // 2026-12-03 (architecture.md on an H200: 8.1 against 47 GB/s). Bench-only.
  pieceCase('exchange.readback.copy', async (gpu, t) => {
    for (let off = 0; off < t.byteSize; off += PIECE) await gpu.readBytes(t.buffer, t.byteOffset + off, Math.min(PIECE, t.byteSize - off));
  }),
  // gpu.writeBytes: two reused MAP_WRITE staging buffers taking turns.
  pieceCase('exchange.upload', async (gpu, t, piece) => {
    for (let off = 0; off < t.byteSize; off += PIECE) await gpu.writeBytes(t, off, piece.subarray(0, Math.min(PIECE, t.byteSize - off)));
    await gpu.sync();
  }),
  // Its peer: queue.writeBuffer, what gpu.writeBytes did before its staging buffers (3.5x slower
  // on an H200 per architecture.md). Bench-only.
  pieceCase('exchange.upload.writeBuffer', async (gpu, t, piece) => {
    gpu.flush();
    for (let off = 0; off < t.byteSize; off += PIECE) gpu.device.queue.writeBuffer(t.buffer, t.byteOffset + off, piece, 0, Math.min(PIECE, t.byteSize - off));
    await gpu.sync();
  }),
  hostCase('exchange.publish.bf16', async (gpu, scale) => {
    const f = fixture(gpu, scale, 'bf16');
    return { shape: f.shape, bytes: f.t.byteSize, host: () => publish(gpu, f.ex, 'grad', 1, 'g', f.t), dispose: f.dispose };
  }),
  hostCase('exchange.sum3.bf16', async (gpu, scale) => {
    const f = fixture(gpu, scale, 'bf16');
    // Two peers' gradients (ranks 1, 2) already published; rank 0 owns the tensor.
    for (const r of [1, 2]) await publish(gpu, f.ex, 'grad', r, 'g', f.t);
    return {
      shape: `${f.shape}, 3 ranks`,
      // Three sources read (two files, one readback) and one upload.
      bytes: 4 * f.t.byteSize,
      host: () => sumInto(gpu, f.ex, 'g', f.t, 0, 3),
      dispose: f.dispose,
    };
  }),
  hostCase('exchange.gather.bf16', async (gpu, scale) => {
    const f = fixture(gpu, scale, 'bf16');
    await publish(gpu, f.ex, 'weight', 1, 'w', f.t);
    return { shape: f.shape, bytes: f.t.byteSize, host: () => readInto(gpu, f.ex, 'weight', 1, 'w', f.t), dispose: f.dispose };
  }),
];
