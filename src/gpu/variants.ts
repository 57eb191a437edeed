// Which kernel variant each op family runs on a device: the one selection point. Today a fixed
// rule (a CPU adapter such as lavapipe runs the CPU-shaped kernels, every other device the
// portable / GPU-shaped ones), overridable per run (the config's kernels.variants, applied to every
// rank's device at startup) and by tests and benchmarks; an autotuner that times the variants on
// the device and caches its choice is meant to replace `measuredDefaults` without touching the ops.
// Ops ask `variantFor` and fall back to their portable kernel where a shape is outside what the
// chosen variant takes. Variants nobody runs by default (src/ops/experimental) are not chosen here:
// a caller names them (benchmarks, tests) and the ops find them through src/ops/variant-registry.ts.
import { z } from 'zod';
import type { Gpu } from './gpu.js';

export const DeviceVariants = z.strictObject({
  /** GEMMs without subgroup matrices (those are chosen by checkMatmulPaths): src/ops/matmul.ts. */
  gemm: z.enum(['portable', 'cpu']),
  /** Training / prefill attention: src/ops/attention.ts ('v1' the workgroup-tiled kernels). */
  attention: z.enum(['v1', 'cpu']),
  /** The log-softmax parts of the fused lm_head: src/ops/lm-head.ts. */
  lmHead: z.enum(['portable', 'cpu']),
  /** The optimizer's memory-bound kernels: AdamW (src/ops/adamw.ts), the gradient norm's sum of
   *  squares (src/ops/grad-norm.ts). */
  optimizer: z.enum(['portable', 'cpu']),
});
export type DeviceVariants = z.infer<typeof DeviceVariants>;

const chosen = new WeakMap<Gpu, DeviceVariants>();

function measuredDefaults(gpu: Gpu): DeviceVariants {
  return gpu.isCpu
    ? { gemm: 'cpu', attention: 'cpu', lmHead: 'cpu', optimizer: 'cpu' }
    : { gemm: 'portable', attention: 'v1', lmHead: 'portable', optimizer: 'portable' };
}

/** Every family's variant on this device. */
export function variantsOf(gpu: Gpu): DeviceVariants {
  let v = chosen.get(gpu);
  if (!v) chosen.set(gpu, (v = measuredDefaults(gpu)));
  return v;
}

/** The variant of `family` for this device. */
export function variantFor<F extends keyof DeviceVariants>(gpu: Gpu, family: F): DeviceVariants[F] {
  return variantsOf(gpu)[family];
}

/** Overrides the choice for this device (a run's kernels.variants, tests, benchmarks, a future
 *  autotuner); returns the previous choice so a caller can restore it. */
export function setVariants(gpu: Gpu, v: Partial<DeviceVariants>): DeviceVariants {
  const prev = { ...variantsOf(gpu) };
  chosen.set(gpu, { ...prev, ...Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) });
  return prev;
}
