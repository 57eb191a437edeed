// Tensor-core GEMM on subgroup matrices (kernels/matmul-sgmat.wgsl). 'auto' uses it only after
// checkMatmulPaths (matmul-check.ts) agreed it with the portable kernel on this device; that check
// records its verdict and the subgroup-index syntax here.
// bf16 -> f16 with a per-tensor power-of-two scale per operand: src/ops/f16-stage.ts.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import { recordShifts } from './f16-stage.js';
import { dispatchGemmChunks, GEMM_PARAMS, type GemmChunk, type GemmDesc } from './matmul-plan.js';

export type SgmatStatus = 'unavailable' | 'ok' | 'rejected';
/** How the kernel gets a subgroup-uniform subgroup index: the subgroup_id builtin, or a broadcast. */
export type Syntax = 'subgroup_id' | 'broadcast';

interface SgState {
  status: SgmatStatus;
  syntax: Syntax;
}

const states = new WeakMap<Gpu, SgState>();

function state(gpu: Gpu): SgState {
  let s = states.get(gpu);
  if (!s) {
    s = { status: 'unavailable', syntax: 'subgroup_id' };
    states.set(gpu, s);
  }
  return s;
}

/** What checkMatmulPaths found on this device ('unavailable' until it has run). */
export function sgmatState(gpu: Gpu): SgmatStatus {
  return state(gpu).status;
}

/** How kernels get a subgroup-uniform subgroup index on this device (set by the check). */
export function sgmatSyntax(gpu: Gpu): Syntax {
  return state(gpu).syntax;
}

/** The check's verdict and the syntax that compiled (matmul-check.ts only). */
export function setSgmatState(gpu: Gpu, s: Partial<SgState>): void {
  Object.assign(state(gpu), s);
}

/** Whether the device offers f16 x f16 -> f32 16x16x16 subgroup matrices. */
export function hasF16Config(gpu: Gpu): boolean {
  return gpu.subgroupMatrixConfigs.some((c) => c.componentType === 'f16' && c.resultComponentType === 'f32' && c.M === 16 && c.N === 16 && c.K === 16);
}

export function sgmatDef(g: GemmDesc, cBf16: boolean, syntax: Syntax): KernelDef {
  const aKR = g.a.rows === 'k';
  const bKC = g.b.rows === 'k';
  return {
    name: `matmul_sgmat_${g.op}`,
    file: 'matmul-sgmat.wgsl',
    consts: { A_KR: aKR, B_KC: bKC, C_BF16: cBf16, SA: aKR ? 136 : 40, SB: bKC ? 136 : 40, ...generated(aKR ? 'col_major' : 'row_major', bKC ? 'row_major' : 'col_major', syntax) },
    params: GEMM_PARAMS,
  };
}

/** The unrolled parts of the kernel: 16 accumulators (named, not an array, to stay within what
 *  every Tint version accepts), one 16-deep K step, and the write-out; plus the subgroup index.
 *  Builtin form as in Dawn's own tests: `subgroupMatrixLoad<T, row_major>(ptr, offset, stride)`. */
function generated(aMajor: string, bMajor: string, syntax: Syntax): Record<string, string> {
  const load = (type: string, major: string, arr: string, off: string, stride: string): string =>
    `subgroupMatrixLoad<${type}, ${major}>(&${arr}, ${off}, ${stride})`;
  const store = (arr: string, off: string, v: string, stride: string): string => `subgroupMatrixStore<row_major>(&${arr}, ${off}, ${v}, ${stride})`;
  const sg =
    syntax === 'subgroup_id'
      ? { SG_ARGS: ', @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32', SG: '' }
      : { SG_ARGS: ', @builtin(subgroup_invocation_id) lane: u32', SG: '  let sg = subgroupBroadcastFirst(tid / 32u);' };
  const decl: string[] = [];
  const step: string[] = [];
  const out: string[] = [];
  const sdecl: string[] = [], pre: string[] = [], stage: string[] = [];
  for (let j = 0; j < 16; j++) {
    sdecl.push(`  let qa${j} = a_word(${j}u, tid);`, `  var ra${j} = 0u;`, `  let qb${j} = b_word(${j}u, tid);`, `  var rb${j} = 0u;`);
    pre.push(`    ra${j} = fetch_a(r0, kb, qa${j});`, `    rb${j} = fetch_b(c0, kb, qb${j});`);
    stage.push(`    store_a(qa${j}, to_f16(ra${j}, sa));`, `    store_b(qb${j}, to_f16(rb${j}, sb));`);
  }
  for (let i = 0; i < 4; i++) {
    step.push(`      let a${i} = ${load('subgroup_matrix_left<f16, 16, 16>', aMajor, 'As', `a_off(rs + ${i * 16}u, kk)`, 'SA')};`);
  }
  for (let j = 0; j < 4; j++) {
    step.push(`      let b${j} = ${load('subgroup_matrix_right<f16, 16, 16>', bMajor, 'Bs', `b_off(cs + ${j * 16}u, kk)`, 'SB')};`);
  }
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      decl.push(`  var acc_${i}_${j} = subgroup_matrix_result<f32, 16, 16>();`);
      step.push(`      acc_${i}_${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, acc_${i}_${j});`);
      out.push(`  ${store('Cs', 'sg * 256u', `acc_${i}_${j}`, '16u')};`);
      out.push('  workgroupBarrier();');
      out.push(`  write_tile(r0 + rs + ${i * 16}u, c0 + cs + ${j * 16}u, sg * 256u, lane, ua, ub);`);
      out.push('  workgroupBarrier();');
    }
  }
  return { ...sg, STAGE_DECL: sdecl.join('\n'), PREFETCH: pre.join('\n'), STAGE: stage.join('\n'), ACC_DECL: decl.join('\n'), MMA_STEP: step.join('\n'), WRITE_OUT: out.join('\n') };
}

/** Record the max-abs reductions of both operands; returns the buffer whose i32 slots 0 and 1 then
 *  hold A's and B's exponent shifts (src/ops/f16-stage.ts; src/ops/experimental's v2 shares it). */
export function prepareScales(gpu: Gpu, g: GemmDesc, cap: number): GPUBuffer {
  return recordShifts(gpu, 'matmul', [g.a.t, g.b.t], cap);
}

/** Record the subgroup-matrix GEMM over the planned chunks (inputs bf16; out bf16 or f32). */
export function sgmatGemm(gpu: Gpu, g: GemmDesc, chunks: GemmChunk[], accumulate: boolean, cap: number): void {
  if (g.a.t.dtype !== 'bf16' || g.b.t.dtype !== 'bf16') {
    throw new Error(`${g.op}: the subgroup-matrix path needs bf16 inputs (${g.a.t.describe()}, ${g.b.t.describe()})`);
  }
  const shifts = prepareScales(gpu, g, cap);
  const def = sgmatDef(g, g.c.t.dtype === 'bf16', state(gpu).syntax);
  dispatchGemmChunks(gpu, g, def, chunks, { BM: 128, BN: 128 }, accumulate, { bindings: [{ buffer: shifts }] });
}
