// v2 attention kernels (kernels/experimental/attention-*-v2.wgsl), never measured on a GPU:
// register-tiled, f32 staging, generated per-thread code. This file picks their tiles and writes the parts of the WGSL that depend on
// them: the output accumulators as named vec4 variables (acc{row}_{group}), the product passes
// that update them, their rescale and write-out, and the row reductions (subgroup shuffles where
// the device has subgroups, workgroup memory otherwise). Arrays indexed in loops are avoided on
// purpose: NVIDIA's compiler put them in local memory (10x on the GEMM, architecture.md).
import type { Gpu, KernelDef } from '../../gpu/gpu.js';
import type { AttentionVariant, ExperimentalAttnOptions } from '../variant-registry.js';

/** Thread grid of the v2 kernels: TX threads across (4 columns / 4 head dims each), TY down
 *  (4 rows each). Query/key tiles are 4*TY x 4*TX. */
export interface AttnTilesV2 {
  tx: number;
  ty: number;
}

export interface V2Config extends AttnTilesV2 {
  hd: number;
  /** Head dims per staged chunk of the score phase, per kernel. */
  dkFwd: number;
  dkDq: number;
  dkKv: number;
  /** Head-dim groups (of 4*tx dims) per product pass, per kernel: fewer passes, fewer barriers. */
  gFwd: number;
  gDq: number;
  gKv: number;
  /** Row reductions of the forward with subgroup shuffles. */
  subgroups: boolean;
}

const XYZW = ['x', 'y', 'z', 'w'] as const;
const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/** Bytes of workgroup memory of each v2 kernel (f32 everywhere; see the region comments in the
 *  WGSL): score-phase chunks of dk head dims, or the product phase's [cols][rows] matrix plus a
 *  row-major chunk of g groups of 4*tx head dims, whichever is larger; plus the forward's
 *  reduction scratch without subgroups. */
export function v2Bytes(kind: 'fwd' | 'dq' | 'kv', t: AttnTilesV2, dk: number, g: number, subgroups = true): number {
  const br = 4 * t.ty, bc = 4 * t.tx, dv = 4 * t.tx;
  const score = kind === 'fwd' ? dk * (br + bc) : 2 * dk * (br + bc);
  const product = bc * br + bc * g * dv;
  const red = kind === 'fwd' && !subgroups ? t.tx * br : 0;
  return 4 * (Math.max(score, product) + red);
}

/** The v2 configuration for head dim hd: tiles (override or default) and the largest score-phase
 *  chunk that fits the device's workgroup memory. Throws naming what does not fit. */
export function v2Config(gpu: Gpu, hd: number, over: Partial<AttnTilesV2> = {}, subgroupsWanted = true): V2Config {
  const limit = gpu.limits.maxComputeWorkgroupStorageSize ?? 16384;
  const maxInv = gpu.limits.maxComputeInvocationsPerWorkgroup ?? 256;
  // NVIDIA: 16x16 threads, 64x64 tiles. lavapipe: 4x2 threads = one subgroup of 8 (barriers of
  // several subgroups got pathologically slow there when the CPU was contended).
  let tx = over.tx ?? (gpu.isSoftware ? 4 : 16);
  while (over.tx === undefined && tx > 1 && hd % (4 * tx) !== 0) tx /= 2;
  const ty = over.ty ?? (gpu.isSoftware ? 2 : 16);
  const info = gpu.adapterInfo as unknown as { subgroupMinSize?: number };
  const sgMin = info.subgroupMinSize ?? 0;
  if (!isPow2(tx) || !isPow2(ty) || 4 * tx < 4 || 4 * ty < 4) throw new Error(`attention v2: tiles tx=${tx} ty=${ty} must be powers of two`);
  if (hd % (4 * tx) !== 0) throw new Error(`attention v2: head dim ${hd} is not a multiple of 4*tx = ${4 * tx}`);
  if (tx * ty > maxInv) throw new Error(`attention v2: ${tx}x${ty} threads exceed ${maxInv} per workgroup`);
  // Shuffles reduce across TX consecutive lanes: they must sit in one subgroup.
  const subgroups = subgroupsWanted && gpu.features.subgroups && sgMin >= tx;
  const nd = hd / (4 * tx);
  // Largest score chunk, then the most head-dim groups per product pass, that fit.
  const fit = (kind: 'fwd' | 'dq' | 'kv'): [number, number] => {
    const dks = [128, 64, 32, 16, 8, 4, 2].filter((d) => d <= hd && hd % d === 0);
    const gs = [8, 4, 2, 1].filter((g) => g <= nd && nd % g === 0);
    const dk = dks.find((d) => v2Bytes(kind, { tx, ty }, d, 1, subgroups) <= limit);
    const g = gs.find((x) => v2Bytes(kind, { tx, ty }, 2, x, subgroups) <= limit);
    if (dk === undefined || g === undefined) {
      throw new Error(`attention v2: tiles ${tx}x${ty} at head dim ${hd} do not fit ${limit} bytes of workgroup memory (${kind})`);
    }
    return [dk, g];
  };
  const [dkFwd, gFwd] = fit('fwd');
  const [dkDq, gDq] = fit('dq');
  const [dkKv, gKv] = fit('kv');
  return { tx, ty, hd, dkFwd, dkDq, dkKv, gFwd, gDq, gKv, subgroups };
}

// ------------------------------------------------------------------ generated WGSL

/** `var acc{i}_{j} = vec4(0)`: 4 rows x nd vec4 groups of head dims. */
function decl(acc: string, nd: number): string {
  const out: string[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < nd; j++) out.push(`  var ${acc}${i}_${j} = vec4<f32>(0.0);`);
  return out.join('\n');
}

/** The product passes: each stages G groups of head dims of the row-major operand (`stage(j0, G)`,
 *  a WGSL call staging groups j0..j0+G-1), then for every column entity c and each group j:
 *  acc{i}_{j} += M[c][row i] * operand[c][group j dims of this thread]. */
function passes(nd: number, g: number, acc: string, n: string, mRows: string, stage: (j0: number, g: number) => string, indent = '    '): string {
  const out: string[] = [];
  for (let j0 = 0; j0 < nd; j0 += g) {
    out.push(
      `${indent}workgroupBarrier();`,
      `${indent}${stage(j0, g)}`,
      `${indent}workgroupBarrier();`,
      `${indent}for (var c = 0u; c < ${n}; c++) {`,
      `${indent}  let a = sm[pt_index(PT, ${mRows}, c, 4u * ty)];`,
    );
    for (let j = j0; j < j0 + g; j++) {
      out.push(`${indent}  let b${j - j0} = sm[RS + c * ${g}u * (DV / 4u) + ${j - j0}u * (DV / 4u) + tx];`);
      out.push(...XYZW.map((x, i) => `${indent}  ${acc}${i}_${j} = fma(vec4<f32>(a.${x}), b${j - j0}, ${acc}${i}_${j});`));
    }
    out.push(`${indent}}`);
  }
  return out.join('\n');
}

/** Write row i, group j of an accumulator as two words of head dims j*DV + 4tx .. +4 (each thread
 *  owns whole bf16 words). `emit(word, x, y)` renders the store. */
function writeRows(nd: number, acc: string, limit: string, base: (i: number) => string, value: (v: string, i: number) => string, emit: (w: string, x: string, y: string) => string): string {
  const out: string[] = [];
  for (let i = 0; i < 4; i++) {
    out.push(`  if (4u * ty + ${i}u < ${limit}) {`, `    let base = ${base(i)};`);
    for (let j = 0; j < nd; j++) {
      out.push(`    { let o = ${value(`${acc}${i}_${j}`, i)}; let w = base + (${j}u * DV + 4u * tx) / 2u;`);
      out.push(`      ${emit('w', 'o.x', 'o.y')} ${emit('w + 1u', 'o.z', 'o.w')} }`);
    }
    out.push('  }');
  }
  return out.join('\n');
}

/** Row max / row sum over the TX threads of a row group (4 rows as a vec4). */
function reduceFns(subgroups: boolean, tx: number): string {
  if (subgroups) {
    // Lanes of a row group are TX consecutive invocations (local_invocation_index = ty*TX + tx),
    // inside one subgroup when TX <= the subgroup size (checked in TS): butterfly with XOR.
    const steps: number[] = [];
    for (let o = 1; o < tx; o *= 2) steps.push(o);
    const fn = (name: string, op: string): string =>
      `fn ${name}(x: vec4<f32>, tx: u32, ty: u32) -> vec4<f32> {\n  var r = x;\n` +
      steps.map((o) => `  r = ${op}(r, subgroupShuffleXor(r, ${o}u));\n`).join('') +
      '  return r;\n}';
    return [fn('row_max', 'max'), fn('row_sum', 'add4')].join('\n') + '\nfn add4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> { return a + b; }';
  }
  // Through workgroup memory: RED [TX][BR]; the barrier before the writes of the next call is
  // one of the kernel's own (every caller passes one between two calls).
  const fn = (name: string, op: string): string =>
    `fn ${name}(x: vec4<f32>, tx: u32, ty: u32) -> vec4<f32> {\n` +
    `  sm[RED + (tx * BR) / 4u + ty] = x;\n  workgroupBarrier();\n  var r = sm[RED + ty];\n` +
    `  for (var t = 1u; t < TX; t++) { r = ${op}(r, sm[RED + (t * BR) / 4u + ty]); }\n  return r;\n}`;
  return [fn('row_max', 'max'), fn('row_sum', 'add4')].join('\n') + '\nfn add4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> { return a + b; }';
}

/** Consts of kernels/experimental/attention-fwd-v2.wgsl. */
export function fwdConsts(c: V2Config): Record<string, string | number> {
  const nd = c.hd / (4 * c.tx);
  const br = 4 * c.ty;
  const main = v2Bytes('fwd', c, c.dkFwd, c.gFwd, true) / 16;
  const rescale: string[] = [];
  for (let i = 0; i < 4; i++) for (let j = 0; j < nd; j++) rescale.push(`    o${i}_${j} *= alpha.${XYZW[i]};`);
  return {
    TX: c.tx,
    TY: c.ty,
    HD: c.hd,
    DK: c.dkFwd,
    ENABLE: c.subgroups ? 'enable subgroups;' : '',
    RED: main,
    SMV4: main + (c.subgroups ? 0 : (c.tx * br) / 4),
    REDUCE: reduceFns(c.subgroups, c.tx),
    DECL: decl('o', nd),
    RESCALE: rescale.join('\n'),
    PASSES: passes(nd, c.gFwd, 'o', 'BC', 'BR', (j, g) => `stage_r(2u, RS, BC, ${g}u * DV / 4u, c0, r1, kvStride, g * W + ${j}u * DV / 2u, lid);`),
    WRITE: writeRows(
      nd,
      'o',
      'nRows',
      (i) => `rows.${XYZW[i]} * qStride + h * W`,
      (v, i) => `${v} * inv.${XYZW[i]}`,
      (w, x, y) => `out[${w}] = bf16_pack(${x}, ${y});`,
    ) + '\n' + [0, 1, 2, 3].map((i) => `  if (tx == 0u && 4u * ty + ${i}u < nRows) { lse[rows.${XYZW[i]} * p.heads + h] = lz.${XYZW[i]}; }`).join('\n'),
  };
}

/** Consts of kernels/experimental/attention-bwd-dq-v2.wgsl. */
export function dqConsts(c: V2Config, outF32: boolean): Record<string, string | number | boolean> {
  const nd = c.hd / (4 * c.tx);
  return {
    TX: c.tx,
    TY: c.ty,
    HD: c.hd,
    DK: c.dkDq,
    OUT_F32: outF32,
    SMV4: v2Bytes('dq', c, c.dkDq, c.gDq) / 16,
    DECL: decl('a', nd),
    PASSES: passes(nd, c.gDq, 'a', 'BC', 'BR', (j, g) => `stage_r(1u, RS, BC, ${g}u * DV / 4u, c0, r1, kvStride, g * W + ${j}u * DV / 2u, lid);`),
    WRITE: writeRows(nd, 'a', 'nRows', (i) => `rows.${XYZW[i]} * qStride + h * W`, (v) => `${v} * p.scale`, (w, x, y) => `store2(${w}, ${x}, ${y});`),
  };
}

/** Consts of kernels/experimental/attention-bwd-dkdv-v2.wgsl. */
export function dkdvConsts(c: V2Config, outF32: boolean): Record<string, string | number | boolean> {
  const nd = c.hd / (4 * c.tx);
  const ind = '      ';
  const stage = (which: number) => (j: number, g: number) => `stage_r(${which}u, RS, BQ, ${g}u * DV / 4u, r0, sEnd, qStride, h * W + ${j}u * DV / 2u, lid);`;
  return {
    TX: c.tx,
    TY: c.ty,
    HD: c.hd,
    DK: c.dkKv,
    OUT_F32: outF32,
    SMV4: v2Bytes('kv', c, c.dkKv, c.gKv) / 16,
    DECL: [decl('av', nd), decl('ak', nd)].join('\n'),
    PASSES_V: passes(nd, c.gKv, 'av', 'BQ', 'BK', stage(3), ind),
    PASSES_K: passes(nd, c.gKv, 'ak', 'BQ', 'BK', stage(0), ind),
    WRITE: [
      writeRows(nd, 'av', 'nKeys', (i) => `keys.${XYZW[i]} * kvStride + g * W`, (v) => v, (w, x, y) => `store2(false, ${w}, ${x}, ${y});`),
      writeRows(nd, 'ak', 'nKeys', (i) => `keys.${XYZW[i]} * kvStride + g * W`, (v) => `${v} * p.scale`, (w, x, y) => `store2(true, ${w}, ${x}, ${y});`),
    ].join('\n'),
  };
}

const HEAD_PARAMS = { heads: 'u32', kvHeads: 'u32', scale: 'f32' } as const;

export function fwdDefV2(c: V2Config): KernelDef {
  return { name: 'attn_fwd_v2', file: 'experimental/attention-fwd-v2.wgsl', entry: 'attn_fwd2', consts: fwdConsts(c), params: HEAD_PARAMS };
}
export function dqDefV2(c: V2Config, outF32: boolean): KernelDef {
  return { name: 'attn_bwd_dq_v2', file: 'experimental/attention-bwd-dq-v2.wgsl', entry: 'attn_bwd_dq2', consts: dqConsts(c, outF32), params: HEAD_PARAMS };
}
export function dkdvDefV2(c: V2Config, outF32: boolean): KernelDef {
  return { name: 'attn_bwd_dkdv_v2', file: 'experimental/attention-bwd-dkdv-v2.wgsl', entry: 'attn_bwd_dkdv2', consts: dkdvConsts(c, outF32), params: HEAD_PARAMS };
}

function configOf(gpu: Gpu, op: string, hd: number, o: ExperimentalAttnOptions): V2Config {
  try {
    return v2Config(gpu, hd, o.tilesV2, o.subgroups ?? true);
  } catch (e) {
    throw new Error(`${op}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** The variant's entry in src/ops/variant-registry.ts (attention variant 'v2'): query and key
 *  blocks of 4*ty rows. */
export const v2Attention: AttentionVariant = {
  block: (gpu, op, hd, o) => 4 * configOf(gpu, op, hd, o).ty,
  forward(gpu, a, o) {
    const c = configOf(gpu, 'attentionForward', a.hd, o);
    gpu.dispatch(fwdDefV2(c), { params: { heads: a.heads, kvHeads: a.kvHeads, scale: a.scale }, bindings: [a.q, a.k, a.v, a.table, a.out, a.lse], workgroups: [a.nBlocks, a.heads] });
  },
  backward(gpu, a, o) {
    const c = configOf(gpu, 'attentionBackward', a.hd, o);
    const params = { heads: a.heads, kvHeads: a.kvHeads, scale: a.scale };
    const inputs = [a.q, a.k, a.v, a.dOut, a.lse, a.dterm];
    gpu.dispatch(dqDefV2(c, a.dq.dtype === 'f32'), { params, bindings: [...inputs, a.qTable, a.dq], workgroups: [a.qBlocks, a.heads] });
    gpu.dispatch(dkdvDefV2(c, a.dk.dtype === 'f32'), { params, bindings: [...inputs, a.kTable, a.dk, a.dv], workgroups: [a.kBlocks, a.kvHeads] });
  },
};
