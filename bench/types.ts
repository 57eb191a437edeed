// A benchmark case: one kernel (or fused op) at one shape. run() records one iteration's
// dispatches; the harness times many iterations with GPU timestamps.
import type { Gpu } from '../src/gpu/gpu.js';

export type BenchScale = 'full' | 'small';

export interface BenchInstance {
  /** e.g. "M=8192 N=5120 K=17408 bf16". */
  shape: string;
  /** Floating-point operations per iteration (for TFLOP/s). */
  flops?: number;
  /** Bytes moved to and from memory per iteration, at minimum (for GB/s). */
  bytes?: number;
  /** The same work in PyTorch, for bench/torch-peer (tools/device/torch_peer.py), run on the same
   *  card in the same session: an op name it knows and its sizes. Ops: copy{bytes},
   *  mm{M,N,K,layout: xwT|dyW|dyTx}, sdpa{seqs,seqlen,heads,kv,hd,pass: fwd|bwd}, rmsnorm{rows,dim,pass},
   *  rope{T,heads,hd}, swiglu{n,pass}, add{n}, embedding{T,V,H,pass}, lmhead{T,H,V,pass}, adamw{numel},
   *  sample{B,V,temperature,topK,topP}. */
  torch?: { op: string; args: Record<string, number | string> };
  /** One iteration's GPU dispatches (timed with GPU timestamps). */
  run?(): void;
  /** Or: one iteration of host-side work (transfers, files: the sharded step's collectives),
   *  timed by the wall clock; its GB/s is also compared with the host.ceiling case. */
  host?(): Promise<void>;
  dispose(): void;
}

export interface BenchCase {
  name: string;
  /** Not yet run on a GPU (unmeasured kernel variants): such cases run after all others, so a
   *  device lost in one of them cannot cost the measured ones. */
  experimental?: boolean;
  /** Family, e.g. "gemm", "attention", "norm", "optimizer". */
  group: string;
  setup(gpu: Gpu, scale: BenchScale): Promise<BenchInstance>;
}

/** Thrown by a case's setup when the device lacks what it needs (e.g. the tensor-core GEMM on a
 *  device without subgroup matrices): reported as skipped, not as a failure. */
export class BenchUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUnavailable';
  }
}
