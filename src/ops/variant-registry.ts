// Where kernel variants outside the main path plug in. The variants nobody runs by default
// (src/ops/experimental: never measured on a GPU) register here when src/ops/experimental/index.ts
// is loaded (benchmarks, tools/device, their tests); an op asked for one by name finds it here.
// The main path never imports them, so they cannot become a dependency by accident (the layer
// test checks it) and a variant is dropped by deleting it there. Which variant a device runs by
// default is src/gpu/variants.ts's choice, not this file's.
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import type { GemmChunk, GemmDesc } from './matmul-plan.js';

export type ExperimentalAttention = 'v2' | 'sgmat';
export type ExperimentalGemm = 'v2';

/** Knobs of the experimental attention variants, carried by AttnOptions. */
export interface ExperimentalAttnOptions {
  /** sgmat: its emulated form (plain loops for the subgroup-matrix builtins), for tests on devices
   *  without subgroup matrices. */
  emulate?: boolean;
  /** v2: the thread grid (query / key tiles are 4*ty x 4*tx). */
  tilesV2?: Partial<{ tx: number; ty: number }>;
  /** v2: subgroup shuffles for the forward's row reductions where the device allows (default
   *  true; false forces the workgroup-memory path, for tests). */
  subgroups?: boolean;
}

/** Knobs of the experimental GEMM (sgmatVariant 'v2'), carried by MatmulOpts.sgmat2. */
export interface Sgmat2Options {
  /** K step (default 32). */
  bk?: 16 | 32;
  /** Workgroup tile rows x columns (default 128x128, 4 subgroups); 256x128 and 128x256 use 8
   *  subgroups of the same 64x64 blocks (larger tiles: fewer loads per multiply). */
  tile?: '128x128' | '256x128' | '128x256';
  /** Double-buffered workgroup memory (default true): 45 KiB at bk 32, over lavapipe's 32 KiB. */
  double?: boolean;
  /** Halves of padding per staged row (default 8; a multiple of 8 keeps rows 16-byte aligned). */
  pad?: number;
  /** Stage a K-major A (stored [K, R]: linearBackwardWeight's dy) as [r][k] (default false). */
  transposeA?: boolean;
  /** Stage a K-major B (stored [K, C]: W in linearBackwardInput, x in linearBackwardWeight) as
   *  [c][k] (default: true for linearBackwardInput only). */
  transposeB?: boolean;
  /** Convert both operands to scaled f16 in a bandwidth-bound pre-pass (matmul-scale.wgsl
   *  `to_f16`), so staging copies f16 words with no per-element conversion: the form of the
   *  268-288 TFLOP/s kernel in architecture.md, whose inputs were f16. Costs one read and write of
   *  each operand (~2-3% of an M=8192 layer GEMM's time at 300 TFLOP/s) and two scratch buffers. */
  prestage?: boolean;
  /** Test-only: plain f32 loops instead of subgroup matrices (runs without them, e.g. lavapipe). */
  emulate?: boolean;
}

/** The forward's tensors and the query-block table it reads (src/ops/attention.ts builds it). */
export interface AttnFwdArgs {
  q: Tensor; k: Tensor; v: Tensor; table: Tensor; nBlocks: number; out: Tensor; lse: Tensor;
  heads: number; kvHeads: number; hd: number; scale: number;
}

/** The backward's tensors, D = rowsum(dO * O), and the query- and key-block tables. */
export interface AttnBwdArgs {
  q: Tensor; k: Tensor; v: Tensor; dOut: Tensor; lse: Tensor; dterm: Tensor;
  qTable: Tensor; qBlocks: number; kTable: Tensor; kBlocks: number;
  dq: Tensor; dk: Tensor; dv: Tensor;
  heads: number; kvHeads: number; hd: number; scale: number;
}

export interface AttentionVariant {
  /** Rows per block of its block tables (query and key blocks alike). Called before anything is
   *  recorded: throws (message starting with `op`) where the device or the shape does not fit. */
  block(gpu: Gpu, op: string, hd: number, opts: ExperimentalAttnOptions): number;
  forward(gpu: Gpu, a: AttnFwdArgs, opts: ExperimentalAttnOptions): void;
  backward(gpu: Gpu, a: AttnBwdArgs, opts: ExperimentalAttnOptions): void;
}

export interface GemmVariant {
  /** Whether its device check passed on this device ('auto' runs it only then). */
  verified(gpu: Gpu): boolean;
  /** Records the GEMM over the planned chunks (inputs bf16; out bf16 or f32). */
  gemm(gpu: Gpu, g: GemmDesc, chunks: GemmChunk[], accumulate: boolean, cap: number, opts?: Sgmat2Options): void;
}

const attention = new Map<ExperimentalAttention, AttentionVariant>();
const gemm = new Map<ExperimentalGemm, GemmVariant>();

export function registerAttention(name: ExperimentalAttention, v: AttentionVariant): void {
  attention.set(name, v);
}

export function registerGemm(name: ExperimentalGemm, v: GemmVariant): void {
  gemm.set(name, v);
}

function notLoaded(what: string): Error {
  return new Error(`${what} is experimental and not loaded: import src/ops/experimental/index.ts first`);
}

/** The attention variant `name`; throws naming the module to load when it is not registered. */
export function attentionVariant(op: string, name: ExperimentalAttention): AttentionVariant {
  const v = attention.get(name);
  if (!v) throw notLoaded(`${op}: attention variant '${name}'`);
  return v;
}

/** The GEMM variant `name`, or undefined when it is not registered ('auto' then runs v1); `op`
 *  set: throws instead (a caller that forced the variant). */
export function gemmVariant(name: ExperimentalGemm, op?: string): GemmVariant | undefined {
  const v = gemm.get(name);
  if (!v && op) throw notLoaded(`${op}: GEMM sgmatVariant '${name}'`);
  return v;
}
