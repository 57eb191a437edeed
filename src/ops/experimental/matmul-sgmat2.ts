// Tensor-core GEMM, variant 2 (kernels/experimental/matmul-sgmat2.wgsl), never measured on a GPU:
// the v1 recipe (128x128 workgroup tile, 4 subgroups in 2x2 each owning 4x4 16x16 result tiles,
// per-operand power-of-two f16 scales) with 8-element global loads, unchecked interior tiles,
// optional double buffering and transposed staging of K-major operands. This file resolves a
// configuration and records the kernel; matmul-sgmat2-code.ts writes its unrolled parts.
// `emulate` swaps the subgroup-matrix builtins for plain f32 loops over the same workgroup-memory
// offsets: a test-only form that runs on lavapipe and checks staging, indexing, buffering and
// write-out.
import type { Gpu, KernelDef } from '../../gpu/gpu.js';
import { recordToF16 } from '../f16-stage.js';
import { dispatchGemmChunks, GEMM_PARAMS, planGemm, type GemmChunk, type GemmDesc } from '../matmul-plan.js';
import { prepareScales, sgmatSyntax, type SgmatStatus } from '../matmul-sgmat.js';
import type { GemmVariant, Sgmat2Options } from '../variant-registry.js';
import { generate, stagedSize, subgroups, type Sgmat2Config } from './matmul-sgmat2-code.js';

export type { Sgmat2Config, Tile } from './matmul-sgmat2-code.js';
export type { Sgmat2Options } from '../variant-registry.js';

// **(choice)** dyW (W stored [N, K] is B with rows along the reduction) was v1's slowest layout
// (77 vs 106-114 TFLOP/s): by default v2 stages it transposed, as [c][k] like linear's W, so the
// multiply reads the same layout as the fastest case. Untimed: bench case .sgmat2k keeps it.
const DEFAULTS = { bk: 32, double: true, pad: 8, transposeA: false } as const;

/** Workgroup-memory bytes of a configuration (both staging buffers, f16, plus one f32 16x16
 *  write-out tile per subgroup). */
export function smemBytes(c: Pick<Sgmat2Config, 'bk' | 'bm' | 'bn' | 'double' | 'pad' | 'aKR' | 'bKC' | 'transposeA' | 'transposeB'>): number {
  const nbuf = c.double ? 2 : 1;
  const staged = stagedSize(c.bk, c.pad, c.aKR && !c.transposeA, c.bm) + stagedSize(c.bk, c.pad, c.bKC && !c.transposeB, c.bn);
  return nbuf * staged * 2 + subgroups(c) * 256 * 4;
}

export function resolveConfig(gpu: Gpu, g: GemmDesc, chunks: GemmChunk[], o: Sgmat2Options = {}): Sgmat2Config {
  const aligned = (pick: (ch: GemmChunk) => { off: number; ld: number }): boolean => chunks.every((ch) => pick(ch).ld % 8 === 0 && pick(ch).off % 8 === 0);
  const [bm, bn] = (o.tile ?? '128x128').split('x').map(Number) as [128 | 256, 128 | 256];
  const cfg: Sgmat2Config = {
    bk: o.bk ?? DEFAULTS.bk,
    bm,
    bn,
    double: o.double ?? DEFAULTS.double,
    pad: o.pad ?? DEFAULTS.pad,
    aKR: g.a.rows === 'k',
    bKC: g.b.rows === 'k',
    transposeA: o.transposeA ?? DEFAULTS.transposeA,
    transposeB: o.transposeB ?? g.op === 'linearBackwardInput',
    vecA: aligned((ch) => ch.a),
    vecB: aligned((ch) => ch.b),
    cBf16: g.c.t.dtype === 'bf16',
    f16In: !!o.prestage,
    emulate: !!o.emulate,
    syntax: sgmatSyntax(gpu),
  };
  if (cfg.pad % 8 !== 0 || cfg.pad < 0 || cfg.pad > 64) throw new Error(`${g.op}: sgmat2 pad ${cfg.pad} must be a multiple of 8 in [0, 64]`);
  const need = smemBytes(cfg), have = gpu.limits.maxComputeWorkgroupStorageSize;
  if (need > have) {
    throw new Error(`${g.op}: sgmat2 config ${bm}x${bn} bk=${cfg.bk} double=${cfg.double} pad=${cfg.pad} needs ${need} bytes of workgroup memory, the device has ${have}`);
  }
  return cfg;
}

const codeCache = new Map<string, Record<string, string | number | boolean>>();

export function sgmat2Def(g: Pick<GemmDesc, 'op'>, cfg: Sgmat2Config): KernelDef {
  const key = JSON.stringify(cfg);
  let consts = codeCache.get(key);
  if (!consts) {
    consts = generate(cfg);
    codeCache.set(key, consts);
  }
  return {
    name: `matmul_sgmat2_${g.op}`,
    file: 'experimental/matmul-sgmat2.wgsl',
    consts,
    params: GEMM_PARAMS,
  };
}

/** Record the v2 GEMM over the planned chunks (inputs bf16; out bf16 or f32). */
export function sgmat2Gemm(gpu: Gpu, g: GemmDesc, chunks: GemmChunk[], accumulate: boolean, cap: number, o: Sgmat2Options = {}): void {
  if (g.a.t.dtype !== 'bf16' || g.b.t.dtype !== 'bf16') {
    throw new Error(`${g.op}: the subgroup-matrix path needs bf16 inputs (${g.a.t.describe()}, ${g.b.t.describe()})`);
  }
  const shifts = prepareScales(gpu, g, cap);
  if (o.prestage) {
    // Same shapes and byte sizes as the bf16 operands, so the chunk plan has the same structure.
    const a = recordToF16(gpu, 'matmul-a', g.a.t, shifts, 0, cap), b = recordToF16(gpu, 'matmul-b', g.b.t, shifts, 1, cap);
    g = { ...g, a: { ...g.a, t: a }, b: { ...g.b, t: b } };
    chunks = planGemm(gpu, g, cap, 128);
  }
  const cfg = resolveConfig(gpu, g, chunks, o);
  dispatchGemmChunks(gpu, g, sgmat2Def(g, cfg), chunks, { BM: cfg.bm, BN: cfg.bn }, accumulate, { bindings: [{ buffer: shifts }] });
}


const verdicts = new WeakMap<Gpu, SgmatStatus>();

/** What checkSgmat2 (checks.ts) found on this device ('unavailable' until it has run). */
export function sgmat2State(gpu: Gpu): SgmatStatus {
  return verdicts.get(gpu) ?? 'unavailable';
}

export function setSgmat2State(gpu: Gpu, s: SgmatStatus): void {
  verdicts.set(gpu, s);
}

/** The GEMM's entry in src/ops/variant-registry.ts (sgmatVariant 'v2'). */
export const sgmat2Variant: GemmVariant = {
  verified: (gpu) => sgmat2State(gpu) === 'ok',
  gemm: sgmat2Gemm,
};
