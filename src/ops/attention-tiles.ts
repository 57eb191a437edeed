// Tile sizes for the attention kernels: the largest preferred tiles whose workgroup memory fits the
// device (lavapipe: 32 KiB; NVIDIA: more), with TPR threads per tile row dividing the work evenly.
import type { Gpu } from '../gpu/gpu.js';

export interface AttnTiles {
  /** forward: query rows, key rows per tile, threads per query row */
  fwdBR: number;
  fwdBC: number;
  fwdTPR: number;
  /** backward dQ: query rows, key rows, threads per query row */
  dqBR: number;
  dqBC: number;
  dqTPR: number;
  /** backward dK/dV: key rows, query rows per tile, threads per key row */
  kvBC: number;
  kvBQ: number;
  kvTPR: number;
}

// H200, T=8192, heads 40/8, hd 128 (scratch sweep, one run): forward BR64 BC32 at 8 threads per
// row 11.1 TFLOP/s vs 9.9 at 4, 10.5 at BR64 BC16; BR32 6.2. Backward dQ 32x32 + dK/dV 32x32 6.2
// TFLOP/s; 16-row variants of either kernel 3.6. So: forward up to 512 threads, backward 256.
const FWD_THREADS = 512;
const BWD_THREADS = 256;

/** Workgroup bytes of each kernel (tiles hold bf16 pairs, rows padded by one word). */
export function fwdBytes(hd: number, br: number, bc: number): number {
  const ws = hd / 2 + 1;
  return 4 * (br * ws + 2 * bc * ws + br * (bc + 1));
}
export function dqBytes(hd: number, br: number, bc: number): number {
  const ws = hd / 2 + 1;
  return 4 * (2 * br * ws + 2 * bc * ws + br * (bc + 1));
}
export function dkdvBytes(hd: number, bc: number, bq: number): number {
  const ws = hd / 2 + 1;
  return 4 * (2 * bc * ws + 2 * bq * ws + 2 * bq + 2 * bc * (bq + 1));
}

function tpr(hd: number, cols: number, rows: number, maxThreads: number, prefs = [4, 2, 1]): number {
  for (const t of prefs) if ((hd / 2) % t === 0 && cols % t === 0 && rows * t <= maxThreads) return t;
  throw new Error(`attention: no thread split for head dim ${hd}, ${cols} columns`);
}

const PAIRS: [number, number][] = [
  [64, 64],
  [64, 32],
  [32, 64],
  [32, 32],
  [16, 32],
  [32, 16],
  [16, 16],
  [8, 16],
  [8, 8],
];

function pick(limit: number, bytes: (a: number, b: number) => number, what: string): [number, number] {
  for (const p of PAIRS) if (bytes(p[0], p[1]) <= limit) return p;
  throw new Error(`attention: no ${what} tile fits ${limit} bytes of workgroup memory`);
}

export function chooseTiles(gpu: Gpu, hd: number, over: Partial<AttnTiles> = {}): AttnTiles {
  const limit = gpu.limits.maxComputeWorkgroupStorageSize ?? 16384;
  const maxInv = gpu.limits.maxComputeInvocationsPerWorkgroup ?? 256;
  const [fwdBR, fwdBC] = over.fwdBR && over.fwdBC ? [over.fwdBR, over.fwdBC] : pick(limit, (a, b) => fwdBytes(hd, a, b), 'forward');
  const [dqBR, dqBC] = over.dqBR && over.dqBC ? [over.dqBR, over.dqBC] : pick(limit, (a, b) => dqBytes(hd, a, b), 'dQ');
  const [kvBC, kvBQ] = over.kvBC && over.kvBQ ? [over.kvBC, over.kvBQ] : pick(limit, (a, b) => dkdvBytes(hd, a, b), 'dK/dV');
  const t: AttnTiles = {
    fwdBR,
    fwdBC,
    fwdTPR: over.fwdTPR ?? tpr(hd, fwdBC, fwdBR, Math.min(FWD_THREADS, maxInv), [8, 4, 2, 1]),
    dqBR,
    dqBC,
    dqTPR: over.dqTPR ?? tpr(hd, dqBC, dqBR, Math.min(BWD_THREADS, maxInv)),
    kvBC,
    kvBQ,
    kvTPR: over.kvTPR ?? tpr(hd, kvBQ, kvBC, Math.min(BWD_THREADS, maxInv)),
  };
  if ((hd / 2) % t.fwdTPR || t.fwdBC % t.fwdTPR || (hd / 2) % t.dqTPR || t.dqBC % t.dqTPR || (hd / 2) % t.kvTPR || t.kvBQ % t.kvTPR) {
    throw new Error(`attention: tiles ${JSON.stringify(t)} do not split head dim ${hd} evenly`);
  }
  if (fwdBytes(hd, t.fwdBR, t.fwdBC) > limit || dqBytes(hd, t.dqBR, t.dqBC) > limit || dkdvBytes(hd, t.kvBC, t.kvBQ) > limit) {
    throw new Error(`attention: tiles ${JSON.stringify(t)} exceed ${limit} bytes of workgroup memory at head dim ${hd}`);
  }
  return t;
}
