// One GEMM C[R,C] (+)= sum_k A(r,k) B(k,c) described by which dimension each stored matrix's rows
// and columns run along, and its split into chunks whose bindings each fit one storage binding.
// Why our own chunking rather than gpu.rowChunks alone: one dimension is shared by two or three
// tensors whose rows have different byte sizes, so a chunk boundary cannot be aligned for all of
// them. Each binding starts at its row chunk's offset rounded DOWN to the storage alignment and
// the kernel gets the remainder as an element offset (plus the column chunk's start).
import type { Binding, Gpu, KernelDef } from '../gpu/gpu.js';
import { DTYPE_BYTES, type Tensor } from '../gpu/tensor.js';

export type Dim = 'r' | 'c' | 'k';

/** A stored row-major matrix whose rows run along dimension `rows` and columns along `cols`. */
export interface Mat {
  t: Tensor;
  rows: Dim;
  cols: Dim;
}

export interface GemmDesc {
  op: string;
  a: Mat; // rows/cols: r,k or k,r
  b: Mat; // c,k or k,c
  c: Mat; // r,c
  R: number;
  C: number;
  K: number;
}

export interface Range {
  start: number;
  size: number;
}

export interface BoundMat {
  binding: GPUBufferBinding;
  /** Element offset of (chunk row 0, chunk col 0) inside the binding. */
  off: number;
  ld: number;
}

export interface GemmChunk {
  r: Range;
  c: Range;
  k: Range;
  kIndex: number;
  a: BoundMat;
  b: BoundMat;
  c_: BoundMat;
}

export function lastDim(t: Tensor): number {
  return t.shape[t.shape.length - 1];
}

function dimSize(g: GemmDesc, d: Dim): number {
  return d === 'r' ? g.R : d === 'c' ? g.C : g.K;
}

/** Ranges of dimension d such that every matrix whose rows run along d fits one binding per chunk.
 *  Chunk sizes are multiples of `quantum` (a tile size: keeps bf16 column chunks even). */
function splitDim(g: GemmDesc, d: Dim, mats: Mat[], cap: number, align: number, quantum: number): Range[] {
  const n = dimSize(g, d);
  let per = n;
  for (const m of mats) {
    if (m.rows !== d) continue;
    const rowBytes = lastDim(m.t) * DTYPE_BYTES[m.t.dtype];
    if (m.t.byteSize <= cap) continue;
    let rows = Math.floor((cap - align - 4) / rowBytes);
    if (rows >= quantum) rows -= rows % quantum;
    else rows -= rows % 2;
    if (rows < 1) throw new Error(`${g.op}: a row of ${m.t.describe()} (${rowBytes} bytes) does not fit one storage binding of ${cap} bytes`);
    per = Math.min(per, rows);
  }
  const out: Range[] = [];
  for (let s = 0; s < n; s += per) out.push({ start: s, size: Math.min(per, n - s) });
  return out;
}

function bind(m: Mat, rowRange: Range, colStart: number, align: number): BoundMat {
  const t = m.t;
  const ld = lastDim(t);
  const eb = DTYPE_BYTES[t.dtype];
  const firstByte = (rowRange.start * ld + colStart) * eb;
  const aligned = Math.floor(firstByte / align) * align;
  const endByte = Math.min(t.byteSize, Math.ceil(((rowRange.start + rowRange.size) * ld * eb) / 4) * 4);
  return { binding: t.range(aligned, endByte - aligned), off: (firstByte - aligned) / eb, ld };
}

/** All chunks of a GEMM, K chunks outermost (later K chunks accumulate onto earlier ones). */
export function planGemm(gpu: Gpu, g: GemmDesc, cap: number, quantum: number): GemmChunk[] {
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const mats = [g.a, g.b, g.c];
  const split = {
    r: splitDim(g, 'r', mats, cap, align, quantum),
    c: splitDim(g, 'c', mats, cap, align, quantum),
    k: splitDim(g, 'k', mats, cap, align, quantum),
  };
  const chunks: GemmChunk[] = [];
  split.k.forEach((k, kIndex) => {
    for (const r of split.r) {
      for (const c of split.c) {
        const ranges: Record<Dim, Range> = { r, c, k };
        const bm = (m: Mat): BoundMat => bind(m, ranges[m.rows], ranges[m.cols].start, align);
        chunks.push({ r, c, k, kIndex, a: bm(g.a), b: bm(g.b), c_: bm(g.c) });
      }
    }
  });
  return chunks;
}

/** The chunk parameters every GEMM kernel takes (kernels/matmul*.wgsl declare them in this order). */
export const GEMM_PARAMS = { R: 'u32', C: 'u32', K: 'u32', lda: 'u32', ldb: 'u32', ldc: 'u32', off_a: 'u32', off_b: 'u32', off_c: 'u32', accumulate: 'u32' } as const;

/** Records one dispatch per planned chunk: BM x BN output tiles per workgroup, the chunk's sizes,
 *  leading dims and element offsets as parameters (then `extra.params`), a, b, c bound first (then
 *  `extra.bindings`). Every chunk after the first along K accumulates onto the previous ones. */
export function dispatchGemmChunks(
  gpu: Gpu,
  g: GemmDesc,
  def: KernelDef,
  chunks: GemmChunk[],
  tile: { BM: number; BN: number },
  accumulate: boolean,
  extra: { params?: Record<string, number>; bindings?: Binding[] } = {},
): void {
  for (const ch of chunks) {
    const wx = Math.ceil(ch.c.size / tile.BN), wy = Math.ceil(ch.r.size / tile.BM);
    if (wx > 65535 || wy > 65535) throw new Error(`${g.op}: grid ${wx}x${wy} too large`);
    gpu.dispatch(def, {
      params: {
        R: ch.r.size, C: ch.c.size, K: ch.k.size,
        lda: ch.a.ld, ldb: ch.b.ld, ldc: ch.c_.ld,
        off_a: ch.a.off, off_b: ch.b.off, off_c: ch.c_.off,
        accumulate: accumulate || ch.kIndex > 0 ? 1 : 0,
        ...extra.params,
      },
      bindings: [ch.a.binding, ch.b.binding, ch.c_.binding, ...(extra.bindings ?? [])],
      workgroups: [wx, wy, 1],
    });
  }
}
