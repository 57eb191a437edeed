// Figures the step-time plan uses that no bench results directory holds, each with its source.
// `basis` says how far to trust it: 'notes' = measured, but recorded in prose (README.md,
// shared/spec/architecture.md) rather than in a bench JSON file; 'derived' = computed from measured
// figures; 'assumed' = not measured on our stack at all.

export type Basis = 'measured' | 'nearest' | 'notes' | 'derived' | 'assumed';

export interface Figure {
  value: number;
  basis: Basis;
  source: string;
}

/** Peak dense bf16 tensor throughput per card, TFLOP/s. */
export const PEAK_BF16_TFLOPS: Record<string, Figure> = {
  H200: { value: 989.4, basis: 'assumed', source: 'NVIDIA H200 datasheet: BF16 Tensor Core 1,979 TFLOPS with 2:4 sparsity, i.e. 989 dense (same SXM5 tensor cores as the H100)' },
};

/** Device memory per card, bytes (decimal GB, as src/parallel/memory.ts and its test quote it). */
export const CARD_MEMORY: Record<string, Figure> = {
  H200: { value: 141e9, basis: 'assumed', source: 'NVIDIA H200 datasheet: 141 GB HBM3e' },
};

/** The published run's step: ~10 hours for 160 steps (shared/spec/resume-task.md section 6). */
export const PUBLISHED_STEP_SECONDS: Figure = { value: (10 * 3600) / 160, basis: 'notes', source: 'shared/spec/resume-task.md section 6: 160 steps in about 10 hours' };

const ARCH = 'shared/spec/architecture.md, "Facts measured on an H200", one run';

/** Host <-> device transfers of 256 MiB on the H200 (webgpu 0.6.2). */
export const HOST = {
  /** copyBufferToBuffer + mapAsync(READ) + copy into JS memory: what gpu.readBytes does. */
  deviceToHost: { value: 8.1, basis: 'notes', source: ARCH } as Figure,
  /** The same without the copy into JS memory: gpu.readMapped, what deviceBytes streams to files. */
  deviceToHostNoJsCopy: { value: 47, basis: 'notes', source: ARCH } as Figure,
  /** queue.writeBuffer: what gpu.writeBytes (src/gpu/gpu.ts) did before its staging buffers. */
  hostToDeviceWriteBuffer: { value: 2.5, basis: 'notes', source: ARCH } as Figure,
  /** A reused MAP_WRITE staging buffer: what gpu.writeBytes does (two of them, taking turns). */
  hostToDeviceStaging: { value: 8.9, basis: 'notes', source: ARCH } as Figure,
};

/** One memcpy through host memory (a /dev/shm file write or read is one): from the two
 *  device->host figures, 1 / (1/8.1 - 1/47) GB/s, the cost of the JS copy alone. */
export const HOST_MEMCPY: Figure = {
  value: 1 / (1 / HOST.deviceToHost.value - 1 / HOST.deviceToHostNoJsCopy.value),
  basis: 'derived',
  source: `${ARCH}: device->host 8.1 GB/s with the copy into JS memory, 47 without: 1/(1/8.1 - 1/47)`,
};

/** One tiny dispatch recorded in a shared compute pass. */
export const DISPATCH_SECONDS: Figure = { value: 3.8e-6, basis: 'notes', source: ARCH };

/** GEMM dispatches per linear(): two max-abs passes per bf16 operand for the f16 scale
 *  (src/ops/f16-stage.ts recordShifts: partial + finish) plus the GEMM itself. */
export const DISPATCHES_PER_GEMM = 5;

const README = 'README.md "Measured (2026-11-26, one NVIDIA H200 ...)": "Other kernels on the same card", not in bench/results';

/** Kernels measured on the 2026-11-26 H200 run whose numbers live only in README.md. `stale`:
 *  the kernel was rewritten after that run (README: the elementwise kernels and RMSNorm), so the
 *  figure is of the previous version. */
export const README_NOTES_2026_11_26 = {
  card: 'H200',
  source: README,
  /** Causal GQA attention, T = 8192 as 2 x 4096, 40/8 heads, hd 128, v1 kernels. */
  attention: [
    { pass: 'fwd' as const, nSeq: 2, seqLen: 4096, tflops: 9.9 },
    { pass: 'bwd' as const, nSeq: 2, seqLen: 4096, tflops: 6.2 },
  ],
  /** GB/s per memory-bound kernel family (keys as src/plan/ops.ts MemKernel). */
  memory: {
    rope: { gbs: 2170, stale: true },
    'swiglu.fwd': { gbs: 767, stale: true },
    'swiglu.bwd': { gbs: 808, stale: true },
    add: { gbs: 776, stale: true },
    'embedding.fwd': { gbs: 380, stale: true },
    'embedding.bwd': { gbs: 766, stale: true },
    'rmsnorm.fwd': { gbs: 315, stale: true },
    'rmsnorm.bwd': { gbs: 222, stale: true },
    adamw: { gbs: 3120, stale: false },
  } as Record<string, { gbs: number; stale: boolean }>,
  /** lm_head forward T=4096, V=151936: 62.8 ms, GEMM-bound (a cross-check, not used). */
  lmHeadForwardTFLOPs: 101,
};
