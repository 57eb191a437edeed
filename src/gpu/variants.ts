// Which kernel variant each op family runs on a device: the one selection point. Three layers, the
// later winning family by family:
//   1. measuredDefaults: a fixed rule (a CPU adapter such as lavapipe runs the CPU-shaped kernels,
//      every other device the tensor-core GEMM where checkMatmulPaths verified it, else the
//      portable / GPU-shaped ones): what runs when nothing was tuned (autotune off: the config's
//      kernels.autotune false, or RLVR_AUTOTUNE=0, which the test suite sets);
//   2. the autotuner's choice (src/ops/autotune): on a device's first use every family with more
//      than one variant that can run there is checked against its portable variant (one that
//      fails is never chosen) and timed at the shapes the model will run; the fastest correct one
//      is kept and cached per adapter, driver, kernel sources and shape class in
//      $XDG_CACHE_HOME/rlvr-ts/kernel-choices.json (~/.cache when unset; RLVR_KERNEL_CACHE names
//      another file), so later runs only read it (`--retune` on train/eval/serve/bench redoes it);
//   3. overrides: the config's kernels.variants (applied to every rank's device at startup),
//      tests, benchmarks. The tuner does not time an overridden family.
// Ops ask `variantFor` and fall back to their portable kernel where a shape is outside what the
// chosen variant takes. Variants nobody runs by default (src/ops/experimental) are not chosen here:
// a caller names them (benchmarks, tests) and the ops find them through src/ops/variant-registry.ts.
import { z } from 'zod';
import type { Gpu } from './gpu.js';

export const DeviceVariants = z.strictObject({
  /** GEMMs (src/ops/matmul.ts): 'subgroup-matrix' the tensor-core kernel, run only where
   *  checkMatmulPaths verified it on this device and both inputs are bf16 (else 'portable'). */
  gemm: z.enum(['portable', 'cpu', 'subgroup-matrix']),
  /** Training / prefill attention: src/ops/attention.ts ('v1' the workgroup-tiled kernels). */
  attention: z.enum(['v1', 'cpu']),
  /** The log-softmax parts of the fused lm_head: src/ops/lm-head.ts. */
  lmHead: z.enum(['portable', 'cpu']),
  /** The optimizer's memory-bound kernels: AdamW (src/ops/adamw.ts), the gradient norm's sum of
   *  squares (src/ops/grad-norm.ts). */
  optimizer: z.enum(['portable', 'cpu']),
  /** The model's memory-bound kernels: residual adds, casts, SwiGLU (src/ops/elementwise.ts's
   *  runFlat), RoPE (src/ops/rope.ts) and RMSNorm (src/ops/rmsnorm.ts): 'cpu' runs them in
   *  workgroups of one SIMD vector with a loop per invocation (docs/kernels.md). */
  memory: z.enum(['portable', 'cpu']),
  /** Next-token sampling (src/ops/sample.ts): 'cpu' runs kernels/sample-cpu.wgsl, a workgroup of
   *  one SIMD vector per row with the portable kernel's sums in the same order (same bits). */
  sample: z.enum(['portable', 'cpu']),
});
export type DeviceVariants = z.infer<typeof DeviceVariants>;
export type VariantFamily = keyof DeviceVariants;
export const VARIANT_FAMILIES = Object.keys(DeviceVariants.shape) as VariantFamily[];

/** Where a family's variant comes from: the fixed rule, the tuner, or an override. */
export type VariantSource = 'default' | 'tuned' | 'override';

interface DeviceChoice {
  tuned: Partial<DeviceVariants>;
  overrides: Partial<DeviceVariants>;
  merged: DeviceVariants | null;
}

const chosen = new WeakMap<Gpu, DeviceChoice>();

/** The fixed rule, used where nothing was tuned or overridden. */
export function measuredDefaults(gpu: Pick<Gpu, 'isCpu'>): DeviceVariants {
  return gpu.isCpu
    ? { gemm: 'cpu', attention: 'cpu', lmHead: 'cpu', optimizer: 'cpu', memory: 'cpu', sample: 'cpu' }
    : { gemm: 'subgroup-matrix', attention: 'v1', lmHead: 'portable', optimizer: 'portable', memory: 'portable', sample: 'portable' };
}

function stateOf(gpu: Gpu): DeviceChoice {
  let s = chosen.get(gpu);
  if (!s) chosen.set(gpu, (s = { tuned: {}, overrides: {}, merged: null }));
  return s;
}

const defined = <T extends object>(v: T): Partial<T> => Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as Partial<T>;

/** Every family's variant on this device. */
export function variantsOf(gpu: Gpu): DeviceVariants {
  const s = stateOf(gpu);
  s.merged ??= { ...measuredDefaults(gpu), ...s.tuned, ...s.overrides };
  return s.merged;
}

/** The variant of `family` for this device. */
export function variantFor<F extends VariantFamily>(gpu: Gpu, family: F): DeviceVariants[F] {
  return variantsOf(gpu)[family];
}

/** Overrides the choice for this device (a run's kernels.variants, tests, benchmarks): wins over
 *  the tuner's; returns the previous choice so a caller can restore it. */
export function setVariants(gpu: Gpu, v: Partial<DeviceVariants>): DeviceVariants {
  const prev = { ...variantsOf(gpu) };
  const s = stateOf(gpu);
  s.overrides = { ...s.overrides, ...defined(v) };
  s.merged = null;
  return prev;
}

/** The families overridden on this device (the tuner leaves them alone). */
export function overridesOf(gpu: Gpu): Partial<DeviceVariants> {
  return { ...stateOf(gpu).overrides };
}

/** The autotuner's choice for this device (src/ops/autotune), below any override. */
export function setTunedVariants(gpu: Gpu, v: Partial<DeviceVariants>): void {
  const s = stateOf(gpu);
  s.tuned = { ...s.tuned, ...defined(v) };
  s.merged = null;
}

/** Forgets the tuned and overridden choices: the fixed rule again (tests that tune the shared
 *  device put it back as they found it). */
export function resetVariants(gpu: Gpu): void {
  chosen.delete(gpu);
}

/** Where each family's variant on this device comes from. */
export function variantSources(gpu: Gpu): Record<VariantFamily, VariantSource> {
  const s = stateOf(gpu);
  return Object.fromEntries(VARIANT_FAMILIES.map((f) => [f, f in s.overrides ? 'override' : f in s.tuned ? 'tuned' : 'default'])) as Record<VariantFamily, VariantSource>;
}

/** One line for logs and benchmarks: `gemm cpu (tuned), attention v1 (override), ...`. */
export function describeVariants(gpu: Gpu): string {
  const v = variantsOf(gpu);
  const src = variantSources(gpu);
  return VARIANT_FAMILIES.map((f) => `${f} ${v[f]} (${src[f]})`).join(', ');
}
