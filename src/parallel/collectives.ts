// The three host-memory collectives of a sharded step, one tensor at a time (shard-sync.ts runs
// them over a rank's tensors; bench/cases/exchange.ts times them): publish a device tensor into
// the exchange, sum every rank's copy of a gradient into the owner's, read a published tensor into
// a device tensor. Tensors stream in pieces of at most PIECE bytes (JS holds a few at a time).
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { cast } from '../ops/cast.js';
import { addInPlace } from '../ops/residual.js';
import { deviceBytes } from '../model/save.js';
import type { Exchange, ExchangeKind } from './exchange.js';

export const PIECE = 64 << 20;
/** sumInto's arena purposes (src/gpu/arena.ts): one piece's f32 sum and gradient-dtype part. */
export const SUM_ACC = 'collectives.sum-acc';
export const SUM_PART = 'collectives.sum-part';

/** Rank `rank`'s `t` into the exchange as its `kind` of `name`. */
export function publish(gpu: Gpu, ex: Exchange, kind: ExchangeKind, rank: number, name: string, t: Tensor, piece = PIECE): Promise<void> {
  return ex.put(kind, rank, name, deviceBytes(gpu, t, t.byteSize, piece));
}

/** g = the sum over ranks 0..world-1 of their gradient of `name`: this rank's is `g` itself, the
 *  others' are read from the exchange (the caller removes them: only the owner reads them). The
 *  adds run on the GPU, in f32, in rank order, so the sum does not depend on which rank owns the
 *  tensor; bf16 gradients get the sum rounded once. Host work is only file bytes to the device. */
export async function sumInto(gpu: Gpu, ex: Exchange, name: string, g: Tensor, rank: number, world: number, piece = PIECE): Promise<void> {
  if (g.dtype !== 'bf16' && g.dtype !== 'f32') throw new Error(`sumInto ${g.describe()}: gradients are f32 or bf16`);
  const eb = g.dtype === 'bf16' ? 2 : 4;
  const step = Math.min(piece - (piece % 4), g.byteSize);
  const readers = await Promise.all(Array.from({ length: world }, (_, r) => (r === rank ? null : ex.reader('grad', r, name, g.byteSize))));
  // One piece's f32 sum and the rank's part, in the device's arena (reused by every tensor).
  const acc = gpu.scratch.acquire(SUM_ACC, [step / eb], 'f32');
  const part = gpu.scratch.acquire(SUM_PART, [step / eb], g.dtype);
  try {
    for (let off = 0; off < g.byteSize; off += step) {
      const len = Math.min(step, g.byteSize - off);
      const n = len / eb;
      const gv = g.view(off, [n]);
      const a = n === acc.numel ? acc : acc.view(0, [n]);
      const p = n === part.numel ? part : part.view(0, [n]);
      for (let r = 0; r < world; r++) {
        if (r === rank) gpu.copy(gv, p, len);
        else await gpu.writeBytesFrom(p, 0, len, (dst, at) => readers[r]!.readInto(off + at, dst));
        if (r === 0) {
          if (eb === 4) gpu.copy(p, a, len);
          else cast(gpu, p, a);
        } else addInPlace(gpu, a, p);
      }
      if (eb === 4) gpu.copy(a, gv, len);
      else cast(gpu, a, gv);
    }
    await gpu.sync();
  } finally {
    for (const rd of readers) await rd?.close();
  }
}

/** `t` = rank `owner`'s published `kind` of `name`. */
export async function readInto(gpu: Gpu, ex: Exchange, kind: ExchangeKind, owner: number, name: string, t: Tensor): Promise<void> {
  const rd = await ex.reader(kind, owner, name, t.byteSize);
  try {
    // Straight from the file into the device's mapped staging memory, a staging piece at a time.
    await gpu.writeBytesFrom(t, 0, t.byteSize, (dst, at) => rd.readInto(at, dst));
  } finally {
    await rd.close();
  }
}
