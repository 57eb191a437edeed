// Causal grouped-query attention over packed sequences (flash-style: no tokens x tokens matrix),
// forward and backward. Semantics: src/ops/ref/attention.ts. Kernels: kernels/attention-*.wgsl.
//   forward:  blocks table (GPU, from cu_seqlens) -> attn_fwd per (query block, head)
//   backward: D = rowsum(dO * O) -> dQ per (query block, head) and dK/dV per (key block, kv head),
//             each accumulating in registers: deterministic, no float atomics (WGSL has none).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { chooseTiles, type AttnTiles } from './attention-tiles.js';
import { cpuAttentionBackward, cpuAttentionFits, cpuAttentionForward, cpuAttentionPreferred, cpuAttnBlock, type CpuAttnShape } from './attention-cpu.js';
import { attentionVariant, type ExperimentalAttention, type ExperimentalAttnOptions } from './variant-registry.js';
import { variantFor } from '../gpu/variants.js';

export type { AttnTiles } from './attention-tiles.js';

export interface AttnDims {
  heads: number;
  kvHeads: number;
  headDim: number;
  /** Default 1/sqrt(headDim). */
  scale?: number;
}

export interface SeqInfo {
  /** Number of packed sequences (cuSeqlens has nSeq + 1 entries). */
  nSeq: number;
  /** Longest sequence (bounds the block table). */
  maxSeqLen: number;
}

export interface AttnOptions extends ExperimentalAttnOptions {
  /** Kernel variant: 'v1' (one thread per score column group, bf16 tiles: the default on GPUs),
   *  'cpu' (below), or one of src/ops/experimental once loaded (variant-registry.ts): 'v2'
   *  (register-tiled 4x4 micro-tiles, f32 staging; headDim a multiple of 4*tx) or 'sgmat' (f16
   *  subgroup matrices). */
  variant?: 'v1' | 'cpu' | ExperimentalAttention;
  /** cpu (src/ops/attention-cpu.ts, kernels/attention-cpu.wgsl): shaped for a CPU adapter, which
   *  runs it by default (variants.ts) for head dims of 8 to 32 (multiples of 8); asked for, any
   *  multiple of 8. Its rows per invocation / keys per step. */
  cpu?: Partial<CpuAttnShape>;
  /** v1: override the tile sizes (benchmarks, tests); defaults fit the device's workgroup memory. */
  tiles?: Partial<AttnTiles>;
}

/** The registered experimental variant `opts` asks for, or null for v1 / cpu. */
function experimental(op: string, opts: AttnOptions) {
  return opts.variant && opts.variant !== 'v1' && opts.variant !== 'cpu' ? attentionVariant(op, opts.variant) : null;
}

/** The variant to run: the caller's, else the device's (variants.ts) where the shape fits it. */
function resolveVariant(gpu: Gpu, op: string, hd: number, opts: AttnOptions): NonNullable<AttnOptions['variant']> {
  if (opts.variant === 'cpu' && !cpuAttentionFits(hd)) throw new Error(`${op}: variant 'cpu' needs headDim % 8 == 0, got ${hd}`);
  if (opts.variant) return opts.variant;
  return variantFor(gpu, 'attention') === 'cpu' && cpuAttentionPreferred(hd) ? 'cpu' : 'v1';
}

const blocksDef: KernelDef = {
  name: 'attn_blocks',
  file: 'attention-blocks.wgsl',
  entry: 'attn_blocks',
  params: { nSeq: 'u32', block: 'u32', nMax: 'u32', desc: 'u32' },
};

const HEAD_PARAMS = { heads: 'u32', kvHeads: 'u32', scale: 'f32' } as const;

/** Scratch purposes (src/gpu/arena.ts): the block tables and the backward's D term. */
export const ATTN_TABLES = ['fwd-blocks', 'dq-blocks', 'dkdv-blocks'] as const;
export const attnPurpose = (name: (typeof ATTN_TABLES)[number] | 'D'): string => `attention.${name}`;

/** Blocks of `block` rows over packed sequences (an upper bound: each sequence ends a block). */
export function attnBlocks(T: number, seq: SeqInfo, block: number): number {
  return Math.min(seq.nSeq + Math.ceil(T / block), seq.nSeq * Math.ceil(seq.maxSeqLen / block));
}

function checkDims(op: string, dims: AttnDims): { heads: number; kvHeads: number; hd: number; scale: number } {
  const { heads, kvHeads, headDim } = dims;
  for (const [n, x] of [['heads', heads], ['kvHeads', kvHeads], ['headDim', headDim]] as const) {
    if (!Number.isInteger(x) || x <= 0) throw new Error(`${op}: dims.${n} must be a positive integer, got ${x}`);
  }
  if (heads % kvHeads !== 0) throw new Error(`${op}: dims.heads (${heads}) must be a multiple of dims.kvHeads (${kvHeads})`);
  if (headDim % 2 !== 0) throw new Error(`${op}: dims.headDim (${headDim}) must be even (bf16 pairs)`);
  const scale = dims.scale ?? 1 / Math.sqrt(headDim);
  if (!Number.isFinite(scale)) throw new Error(`${op}: dims.scale ${scale} is not finite`);
  return { heads, kvHeads, hd: headDim, scale };
}

function expectShape(op: string, name: string, t: Tensor, shape: number[], dtypes: readonly string[]): void {
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${op}: ${name} is ${t.describe()}, expected shape [${shape.join('x')}]`);
  }
  if (!dtypes.includes(t.dtype)) throw new Error(`${op}: ${name} is ${t.describe()}, expected dtype ${dtypes.join(' or ')}`);
}

function checkSeq(op: string, cu: Tensor, T: number, seq: SeqInfo): void {
  if (!Number.isInteger(seq.nSeq) || seq.nSeq <= 0) throw new Error(`${op}: seqInfo.nSeq must be a positive integer, got ${seq.nSeq}`);
  if (!Number.isInteger(seq.maxSeqLen) || seq.maxSeqLen <= 0 || seq.maxSeqLen > T) {
    throw new Error(`${op}: seqInfo.maxSeqLen must be an integer in [1, ${T}], got ${seq.maxSeqLen}`);
  }
  expectShape(op, 'cuSeqlens', cu, [seq.nSeq + 1], ['u32', 'i32']);
}

/** Record the block table for `block`-row blocks; returns the table and its (upper bound) size. */
function blockTable(gpu: Gpu, name: (typeof ATTN_TABLES)[number], cu: Tensor, T: number, seq: SeqInfo, block: number, desc: boolean): { table: Tensor; n: number } {
  const n = attnBlocks(T, seq, block);
  if (n > 65535) throw new Error(`attention: ${n} blocks of ${block} rows exceed one dispatch dimension (65535)`);
  const table = gpu.scratch.acquire(attnPurpose(name), [4 * n], 'u32');
  gpu.dispatch(blocksDef, { params: { nSeq: seq.nSeq, block, nMax: n, desc: desc ? 1 : 0 }, bindings: [cu, table], workgroups: 1 });
  return { table, n };
}

/** The forward's tensors, which the backward takes too: dims checked, T from q. */
function checkInputs(op: string, dims: AttnDims, q: Tensor, k: Tensor, v: Tensor, out: Tensor, lse: Tensor) {
  const d = checkDims(op, dims);
  const T = q.shape[0] ?? 0;
  expectShape(op, 'q', q, [T, d.heads * d.hd], ['bf16']);
  expectShape(op, 'k', k, [T, d.kvHeads * d.hd], ['bf16']);
  expectShape(op, 'v', v, [T, d.kvHeads * d.hd], ['bf16']);
  expectShape(op, 'out', out, [T, d.heads * d.hd], ['bf16']);
  expectShape(op, 'lse', lse, [T, d.heads], ['f32']);
  return { ...d, T };
}

/**
 * out = softmax(scale q k^T, causal within each packed sequence) v, per query head (GQA), and
 * lse = logsumexp of each score row (natural log). q [T, heads*hd] bf16, k/v [T, kvHeads*hd] bf16,
 * cuSeqlens u32 [nSeq+1], out [T, heads*hd] bf16, lse f32 [T, heads].
 */
export function attentionForward(
  gpu: Gpu,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  cuSeqlens: Tensor,
  out: Tensor,
  lse: Tensor,
  dims: AttnDims,
  seqInfo: SeqInfo,
  opts: AttnOptions = {},
): void {
  const op = 'attentionForward';
  const { heads, kvHeads, hd, scale, T } = checkInputs(op, dims, q, k, v, out, lse);
  checkSeq(op, cuSeqlens, T, seqInfo);
  if (T === 0) return;
  opts = { ...opts, variant: resolveVariant(gpu, op, hd, opts) };
  if (opts.variant === 'cpu') {
    const { table, n } = blockTable(gpu, 'fwd-blocks', cuSeqlens, T, seqInfo, cpuAttnBlock(gpu, hd, opts.cpu), true);
    cpuAttentionForward(gpu, { q, k, v, table, nBlocks: n, out, lse, heads, kvHeads, hd, scale }, opts.cpu);
    return;
  }
  const x = experimental(op, opts);
  if (x) {
    const { table, n } = blockTable(gpu, 'fwd-blocks', cuSeqlens, T, seqInfo, x.block(gpu, op, hd, opts), true);
    x.forward(gpu, { q, k, v, table, nBlocks: n, out, lse, heads, kvHeads, hd, scale }, opts);
    return;
  }
  const t = chooseTiles(gpu, hd, opts.tiles);
  const { table, n } = blockTable(gpu, 'fwd-blocks', cuSeqlens, T, seqInfo, t.fwdBR, true);
  gpu.dispatch(
    { name: 'attn_fwd', file: 'attention-fwd.wgsl', entry: 'attn_fwd', consts: { BR: t.fwdBR, BC: t.fwdBC, TPR: t.fwdTPR, HD: hd }, params: HEAD_PARAMS },
    { params: { heads, kvHeads, scale }, bindings: [q, k, v, table, out, lse], workgroups: [n, heads] },
  );
}

/**
 * Gradients of attentionForward. dOut like out (bf16); dq like q, dk/dv like k/v (bf16 or f32;
 * dk/dv sum over the query heads of each group). All three are overwritten.
 */
export function attentionBackward(
  gpu: Gpu,
  dOut: Tensor,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  out: Tensor,
  lse: Tensor,
  cuSeqlens: Tensor,
  dq: Tensor,
  dk: Tensor,
  dv: Tensor,
  dims: AttnDims,
  seqInfo: SeqInfo,
  opts: AttnOptions = {},
): void {
  const op = 'attentionBackward';
  const { heads, kvHeads, hd, scale, T } = checkInputs(op, dims, q, k, v, out, lse);
  expectShape(op, 'dOut', dOut, [T, heads * hd], ['bf16']);
  expectShape(op, 'dq', dq, [T, heads * hd], ['bf16', 'f32']);
  expectShape(op, 'dk', dk, [T, kvHeads * hd], ['bf16', 'f32']);
  expectShape(op, 'dv', dv, [T, kvHeads * hd], ['bf16', 'f32']);
  if (dk.dtype !== dv.dtype) throw new Error(`${op}: dk ${dk.describe()} and dv ${dv.describe()} must share a dtype`);
  checkSeq(op, cuSeqlens, T, seqInfo);
  if (T === 0) return;
  opts = { ...opts, variant: resolveVariant(gpu, op, hd, opts) };
  // An experimental variant's block size is checked before anything is recorded.
  const x = experimental(op, opts);
  const xBlock = x ? x.block(gpu, op, hd, opts) : 0;
  const t = x || opts.variant === 'cpu' ? null : chooseTiles(gpu, hd, opts.tiles);

  const dterm = gpu.scratch.acquire(attnPurpose('D'), [T * heads], 'f32');
  gpu.dispatch(
    { name: 'attn_bwd_d', file: 'attention-bwd-d.wgsl', entry: 'attn_bwd_d', consts: { HD: hd }, params: { n: 'u32' } },
    { params: { n: T * heads }, bindings: [dOut, out, dterm], workgroups: Math.ceil((T * heads) / 64) },
  );

  if (opts.variant === 'cpu') {
    const block = cpuAttnBlock(gpu, hd, opts.cpu);
    const qb = blockTable(gpu, 'dq-blocks', cuSeqlens, T, seqInfo, block, true);
    const kb = blockTable(gpu, 'dkdv-blocks', cuSeqlens, T, seqInfo, block, false);
    cpuAttentionBackward(
      gpu,
      { q, k, v, dOut, lse, dterm, qTable: qb.table, qBlocks: qb.n, kTable: kb.table, kBlocks: kb.n, dq, dk, dv, heads, kvHeads, hd, scale },
      opts.cpu,
    );
    return;
  }
  if (x) {
    const qb = blockTable(gpu, 'dq-blocks', cuSeqlens, T, seqInfo, xBlock, true);
    const kb = blockTable(gpu, 'dkdv-blocks', cuSeqlens, T, seqInfo, xBlock, false);
    x.backward(gpu, { q, k, v, dOut, lse, dterm, qTable: qb.table, qBlocks: qb.n, kTable: kb.table, kBlocks: kb.n, dq, dk, dv, heads, kvHeads, hd, scale }, opts);
    return;
  }
  if (!t) throw new Error(`${op}: no tiles`);
  const qb = blockTable(gpu, 'dq-blocks', cuSeqlens, T, seqInfo, t.dqBR, true);
  gpu.dispatch(
    {
      name: 'attn_bwd_dq',
      file: 'attention-bwd-dq.wgsl',
      entry: 'attn_bwd_dq',
      consts: { BR: t.dqBR, BC: t.dqBC, TPR: t.dqTPR, HD: hd, OUT_F32: dq.dtype === 'f32' },
      params: HEAD_PARAMS,
    },
    { params: { heads, kvHeads, scale }, bindings: [q, k, v, dOut, lse, dterm, qb.table, dq], workgroups: [qb.n, heads] },
  );

  const kb = blockTable(gpu, 'dkdv-blocks', cuSeqlens, T, seqInfo, t.kvBC, false);
  gpu.dispatch(
    {
      name: 'attn_bwd_dkdv',
      file: 'attention-bwd-dkdv.wgsl',
      entry: 'attn_bwd_dkdv',
      consts: { BC: t.kvBC, BQ: t.kvBQ, TPR: t.kvTPR, HD: hd, OUT_F32: dk.dtype === 'f32' },
      params: HEAD_PARAMS,
    },
    { params: { heads, kvHeads, scale }, bindings: [q, k, v, dOut, lse, dterm, kb.table, dk, dv], workgroups: [kb.n, kvHeads] },
  );
}
