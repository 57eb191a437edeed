// Attention kernels shaped for a CPU adapter (kernels/attention-cpu.wgsl): one workgroup of
// LANES invocations per block of LANES * TQ rows and kv head, all G query heads of the kv head in
// it, no workgroup memory. Called by attention.ts when its variant is 'cpu' (variants.ts picks it
// on CPU adapters); needs headDim % 8 == 0 (rows are read as vec4 words).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';

export interface CpuAttnShape {
  /** Rows per invocation (query rows in forward / dq, key rows in dk/dv). */
  TQ: number;
  /** Keys per online-softmax step of the forward. */
  BK: number;
}

// Measured on lavapipe (2-core EPYC, tiny model: hd 16, 4 heads / 2 kv heads, 4 x ~1830 tokens):
// TQ 2 with BK 16 beat TQ 1 (2x: each K/V load feeds twice the rows) and TQ 4 (spills, above all in
// the backward); BK 16 beat 8 in the forward.
const DEFAULT: CpuAttnShape = { TQ: 2, BK: 16 };

export function cpuAttentionFits(hd: number): boolean {
  return hd % 8 === 0;
}

function def(gpu: Gpu, entry: string, G: number, hd: number, s: CpuAttnShape, outF32: boolean): KernelDef {
  return {
    name: `${entry}_cpu`,
    file: 'attention-cpu.wgsl',
    entry,
    consts: { LANES: gpu.cpuLanes, TQ: s.TQ, G, HD: hd, BK: s.BK, OUT_F32: outF32 },
    params: { heads: 'u32', kvHeads: 'u32', scale: 'f32' },
  };
}

/** Rows per block (the block tables' block size). */
export function cpuAttnBlock(gpu: Gpu, over: Partial<CpuAttnShape> = {}): number {
  return gpu.cpuLanes * (over.TQ ?? DEFAULT.TQ);
}

export interface CpuFwdArgs {
  q: Tensor; k: Tensor; v: Tensor; table: Tensor; nBlocks: number; out: Tensor; lse: Tensor;
  heads: number; kvHeads: number; hd: number; scale: number;
}

export function cpuAttentionForward(gpu: Gpu, a: CpuFwdArgs, over: Partial<CpuAttnShape> = {}): void {
  const s = { ...DEFAULT, ...over };
  gpu.dispatch(def(gpu, 'attn_fwd', a.heads / a.kvHeads, a.hd, s, false), {
    params: { heads: a.heads, kvHeads: a.kvHeads, scale: a.scale },
    bindings: [a.q, a.k, a.v, a.table, a.out, a.lse],
    workgroups: [a.nBlocks, a.kvHeads],
  });
}

export interface CpuBwdArgs {
  q: Tensor; k: Tensor; v: Tensor; dOut: Tensor; lse: Tensor; dterm: Tensor;
  qTable: Tensor; qBlocks: number; kTable: Tensor; kBlocks: number;
  dq: Tensor; dk: Tensor; dv: Tensor;
  heads: number; kvHeads: number; hd: number; scale: number;
}

export function cpuAttentionBackward(gpu: Gpu, a: CpuBwdArgs, over: Partial<CpuAttnShape> = {}): void {
  const s = { ...DEFAULT, ...over };
  const G = a.heads / a.kvHeads;
  const params = { heads: a.heads, kvHeads: a.kvHeads, scale: a.scale };
  const inputs = [a.q, a.k, a.v, a.dOut, a.lse, a.dterm];
  gpu.dispatch(def(gpu, 'attn_dq', G, a.hd, s, a.dq.dtype === 'f32'), { params, bindings: [...inputs, a.qTable, a.dq], workgroups: [a.qBlocks, a.kvHeads] });
  gpu.dispatch(def(gpu, 'attn_dkdv', G, a.hd, s, a.dk.dtype === 'f32'), { params, bindings: [...inputs, a.kTable, a.dk, a.dv], workgroups: [a.kBlocks, a.kvHeads] });
}
