// Causal grouped-query attention over packed sequences (flash-style: no tokens x tokens matrix),
// forward and backward. Semantics: src/ops/ref/attention.ts. Kernels: kernels/attention-*.wgsl.
//   forward:  blocks table (GPU, from cu_seqlens) -> attn_fwd per (query block, head)
//   backward: D = rowsum(dO * O) -> dQ per (query block, head) and dK/dV per (key block, kv head),
//             each accumulating in registers: deterministic, no float atomics (WGSL has none).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { chooseTiles, type AttnTiles } from './attention-tiles.js';
import { makeRng } from './ref/random.js';
import { SGMAT_BLOCK, sgmatAttentionBackward, sgmatAttentionForward } from './attention-sgmat.js';
import { dkdvDefV2, dqDefV2, fwdDefV2, v2Config, type AttnTilesV2, type V2Config } from './attention-v2.js';
import { cpuAttentionBackward, cpuAttentionFits, cpuAttentionForward, cpuAttentionPreferred, cpuAttnBlock, type CpuAttnShape } from './attention-cpu.js';
import { variantFor } from '../gpu/variants.js';

export type { AttnTiles } from './attention-tiles.js';
export type { AttnTilesV2 } from './attention-v2.js';

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

export interface AttnOptions {
  /** Kernel generation: 'v1' (one thread per score column group, bf16 tiles; the default until v2
   *  is measured on a GPU) or 'v2' (register-tiled 4x4 micro-tiles, f32 staging, generated code:
   *  src/ops/attention-v2.ts). v2 needs headDim a multiple of 4*tx (16 at the smallest tiles). */
  variant?: 'v1' | 'v2' | 'sgmat' | 'cpu';
  /** cpu (src/ops/attention-cpu.ts, kernels/attention-cpu.wgsl): shaped for a CPU adapter, which
   *  runs it by default (variants.ts) for head dims of 8 to 32 (multiples of 8); asked for, any
   *  multiple of 8. Its rows per invocation / keys per step. */
  cpu?: Partial<CpuAttnShape>;
  /** sgmat (src/ops/attention-sgmat.ts): run its emulated form, for tests on devices without
   *  subgroup matrices. */
  emulate?: boolean;
  /** v1: override the tile sizes (benchmarks, tests); defaults fit the device's workgroup memory. */
  tiles?: Partial<AttnTiles>;
  /** v2: override the thread grid (tiles are 4*ty x 4*tx). */
  tilesV2?: Partial<AttnTilesV2>;
  /** v2: use subgroup shuffles for the forward's row reductions where the device allows (default
   *  true; false forces the workgroup-memory path, for tests). */
  subgroups?: boolean;
}

function configV2(gpu: Gpu, op: string, hd: number, opts: AttnOptions): V2Config {
  try {
    return v2Config(gpu, hd, opts.tilesV2, opts.subgroups ?? true);
  } catch (e) {
    throw new Error(`${op}: ${e instanceof Error ? e.message : String(e)}`);
  }
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

// Scratch buffers per device, grown on demand and reused (recorded commands run in order, so a
// later call may overwrite a table an earlier dispatch has already consumed).
const scratch = new WeakMap<Gpu, Map<string, Tensor>>();

function scratchTensor(gpu: Gpu, name: string, numel: number, dtype: 'u32' | 'f32'): Tensor {
  let m = scratch.get(gpu);
  if (!m) scratch.set(gpu, (m = new Map()));
  let t = m.get(name);
  if (!t || t.numel < numel) {
    // The old buffer may still be used by recorded, unsubmitted work: drop it, never destroy it.
    t = gpu.empty([Math.max(numel, 64)], dtype, `attention ${name}`);
    m.set(name, t);
  }
  return t;
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
function blockTable(gpu: Gpu, name: string, cu: Tensor, T: number, seq: SeqInfo, block: number, desc: boolean): { table: Tensor; n: number } {
  const n = Math.min(seq.nSeq + Math.ceil(T / block), seq.nSeq * Math.ceil(seq.maxSeqLen / block));
  if (n > 65535) throw new Error(`attention: ${n} blocks of ${block} rows exceed one dispatch dimension (65535)`);
  const table = scratchTensor(gpu, name, 4 * n, 'u32');
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
  if (opts.variant === 'sgmat') {
    if (!opts.emulate && !(gpu.features.subgroupMatrix && gpu.features.f16)) throw new Error(`${op}: variant 'sgmat' needs f16 subgroup matrices; the device has none`);
    const { table, n } = blockTable(gpu, 'fwd-blocks', cuSeqlens, T, seqInfo, SGMAT_BLOCK, true);
    sgmatAttentionForward(gpu, { q, k, v, table, nBlocks: n, out, lse, heads, kvHeads, hd, scale }, !!opts.emulate);
    return;
  }
  if (opts.variant === 'v2') {
    const c = configV2(gpu, op, hd, opts);
    const { table, n } = blockTable(gpu, 'fwd-blocks', cuSeqlens, T, seqInfo, 4 * c.ty, true);
    gpu.dispatch(fwdDefV2(c), { params: { heads, kvHeads, scale }, bindings: [q, k, v, table, out, lse], workgroups: [n, heads] });
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
  if (opts.variant === 'sgmat' && !opts.emulate && !(gpu.features.subgroupMatrix && gpu.features.f16)) throw new Error(`${op}: variant 'sgmat' needs f16 subgroup matrices; the device has none`);
  const v2 = opts.variant === 'v2' ? configV2(gpu, op, hd, opts) : null;
  const t = v2 || opts.variant === 'sgmat' || opts.variant === 'cpu' ? null : chooseTiles(gpu, hd, opts.tiles);

  const dterm = scratchTensor(gpu, 'D', T * heads, 'f32');
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
  if (opts.variant === 'sgmat') {
    const qb = blockTable(gpu, 'dq-blocks', cuSeqlens, T, seqInfo, SGMAT_BLOCK, true);
    const kb = blockTable(gpu, 'dkdv-blocks', cuSeqlens, T, seqInfo, SGMAT_BLOCK, false);
    sgmatAttentionBackward(
      gpu,
      { q, k, v, dOut, lse, dterm, qTable: qb.table, qBlocks: qb.n, kTable: kb.table, kBlocks: kb.n, dq, dk, dv, heads, kvHeads, hd, scale },
      !!opts.emulate,
    );
    return;
  }
  if (v2) {
    const qb = blockTable(gpu, 'dq-blocks', cuSeqlens, T, seqInfo, 4 * v2.ty, true);
    gpu.dispatch(dqDefV2(v2, dq.dtype === 'f32'), { params: { heads, kvHeads, scale }, bindings: [q, k, v, dOut, lse, dterm, qb.table, dq], workgroups: [qb.n, heads] });
    const kb = blockTable(gpu, 'dkdv-blocks', cuSeqlens, T, seqInfo, 4 * v2.ty, false);
    gpu.dispatch(dkdvDefV2(v2, dk.dtype === 'f32'), { params: { heads, kvHeads, scale }, bindings: [q, k, v, dOut, lse, dterm, kb.table, dk, dv], workgroups: [kb.n, kvHeads] });
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

const sgmatChecks = new WeakMap<Gpu, Promise<{ status: 'unavailable' | 'ok' | 'rejected'; detail: string }>>();

/** Whether the tensor-core kernels (variant 'sgmat') may be trusted on this device: they compile
 *  and agree with v1 on seeded inputs (packed lengths across block edges, GQA, inputs beyond f16's
 *  range): out and each gradient within 2e-2 * max|v1| + 8e-3 |v1|, lse within 1e-3 (1 + |lse|).
 *  Run once per device; benchmarks call it before timing the path. */
export function checkAttentionSgmat(gpu: Gpu, opts: { emulate?: boolean; headDim?: number } = {}): Promise<{ status: 'unavailable' | 'ok' | 'rejected'; detail: string }> {
  // Tests of the check itself (emulated kernels, a smaller head dim: lavapipe compiles them
  // slowly), never cached.
  if (opts.emulate) return runSgmatCheck(gpu, true, opts.headDim ?? 128);
  let r = sgmatChecks.get(gpu);
  if (!r) sgmatChecks.set(gpu, (r = runSgmatCheck(gpu, false, 128)));
  return r;
}

async function runSgmatCheck(gpu: Gpu, emulate: boolean, hd: number): Promise<{ status: 'unavailable' | 'ok' | 'rejected'; detail: string }> {
  if (!(emulate || gpu.features.subgroupMatrix) || !gpu.features.f16 || !gpu.features.subgroups) {
    return { status: 'unavailable', detail: `device ${gpu.describe()} lacks f16 subgroup matrices or subgroups` };
  }
  const lines: string[] = [];
  let ok = true;
  const cases = [
    { lengths: [70, 1, 130], heads: 8, kvHeads: 2, hd, scale: 1 },
    { lengths: [300], heads: 5, kvHeads: 1, hd, scale: 3e5 },
  ];
  for (const [ci, c] of cases.entries()) {
    const T = c.lengths.reduce((a, b) => a + b, 0);
    const cu = [0];
    for (const L of c.lengths) cu.push(cu[cu.length - 1]! + L);
    const rand = (n: number, seed: number, sc: number): Float32Array => {
      const r = makeRng(seed);
      return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * sc);
    };
    const q = gpu.upload(rand(T * c.heads * c.hd, 11 + ci, c.scale), [T, c.heads * c.hd], 'bf16', 'chk.q');
    const k = gpu.upload(rand(T * c.kvHeads * c.hd, 23 + ci, 1 / c.scale), [T, c.kvHeads * c.hd], 'bf16', 'chk.k');
    const v = gpu.upload(rand(T * c.kvHeads * c.hd, 37 + ci, c.scale), [T, c.kvHeads * c.hd], 'bf16', 'chk.v');
    const cuT = gpu.upload(cu, [cu.length], 'u32', 'chk.cu');
    const dOut = gpu.upload(rand(T * c.heads * c.hd, 41 + ci, 1 / c.scale), [T, c.heads * c.hd], 'bf16', 'chk.dout');
    const outs = ['v1', 'sgmat'].map(() => ({
      out: gpu.empty([T, c.heads * c.hd], 'bf16', 'chk.out'),
      lse: gpu.empty([T, c.heads], 'f32', 'chk.lse'),
      dq: gpu.empty([T, c.heads * c.hd], 'f32', 'chk.dq'),
      dk: gpu.empty([T, c.kvHeads * c.hd], 'f32', 'chk.dk'),
      dv: gpu.empty([T, c.kvHeads * c.hd], 'f32', 'chk.dv'),
    }));
    const dims = { heads: c.heads, kvHeads: c.kvHeads, headDim: c.hd };
    const seq = { nSeq: c.lengths.length, maxSeqLen: Math.max(...c.lengths) };
    try {
      for (const [i, variant] of (['v1', 'sgmat'] as const).entries()) {
        const o = outs[i]!;
        attentionForward(gpu, q, k, v, cuT, o.out, o.lse, dims, seq, { variant, emulate });
        // Both backwards from v1's forward: only the backward differs.
        attentionBackward(gpu, dOut, q, k, v, outs[0]!.out, outs[0]!.lse, cuT, o.dq, o.dk, o.dv, dims, seq, { variant, emulate });
      }
      const worst = async (name: 'out' | 'dq' | 'dk' | 'dv'): Promise<number> => {
        const [a, b] = [await gpu.readF32(outs[0]![name]), await gpu.readF32(outs[1]![name])];
        let max = 0, w = 0;
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i]! - b[i]!) / (2e-2 * max + 8e-3 * Math.abs(a[i]!) + 1e-30);
          if (!(d <= w)) w = Number.isNaN(d) ? Infinity : d;
        }
        return w;
      };
      const [l1, l2] = [await gpu.readF32(outs[0]!.lse), await gpu.readF32(outs[1]!.lse)];
      let dL = 0;
      for (let i = 0; i < l1.length; i++) {
        const d = Math.abs(l1[i]! - l2[i]!) / (1e-3 * (1 + Math.abs(l1[i]!)));
        if (!(d <= dL)) dL = Number.isNaN(d) ? Infinity : d;
      }
      const w = { out: await worst('out'), lse: dL, dq: await worst('dq'), dk: await worst('dk'), dv: await worst('dv') };
      const pass = Object.values(w).every((x) => x <= 1);
      ok &&= pass;
      lines.push(`${pass ? 'ok ' : 'BAD'} lengths ${c.lengths.join('/')} heads ${c.heads}/${c.kvHeads} scale ${c.scale}: ${Object.entries(w).map(([k, x]) => `${k} ${x.toFixed(3)}`).join(', ')} of tolerance`);
    } catch (e) {
      ok = false;
      lines.push(`BAD lengths ${c.lengths.join('/')}: failed: ${(e instanceof Error ? e.message : String(e)).slice(0, 2000)}`);
    } finally {
      for (const t of [q, k, v, dOut, cuT, ...outs.flatMap((o) => Object.values(o))]) t.destroy();
    }
  }
  return { status: ok ? 'ok' : 'rejected', detail: lines.join('\n') };
}
