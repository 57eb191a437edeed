// Tensor-core attention (kernels/experimental/attention-sgmat-{fwd,bwd}.wgsl), never measured on a
// GPU. Forward: f16 subgroup matrices for Q K^T and P V, two passes over the keys (see the kernel's
// header). This file writes the unrolled subgroup-matrix parts (named matrices, not arrays: see
// attention-v2.ts) and runs the op: q, k, v to scaled f16 copies (src/ops/f16-stage.ts), the block
// table, one dispatch. `emulate` swaps the builtins for plain loops over the same memory (tests on
// lavapipe, which has no subgroup matrices); everything else is the same code. The path is trusted
// on a device only after checkAttentionSgmat (checks.ts) agreed with the v1 kernels there.
import type { Gpu, KernelDef } from '../../gpu/gpu.js';
import type { Tensor } from '../../gpu/tensor.js';
import { recordShifts, recordToF16, f16Scratch } from '../f16-stage.js';
import { sgmatSyntax, type Syntax } from '../matmul-sgmat.js';
import type { AttentionVariant, AttnBwdArgs, AttnFwdArgs } from '../variant-registry.js';

export interface SgmatAttnConfig {
  hd: number;
  emulate: boolean;
  syntax: Syntax;
}

/** Query rows per workgroup and keys per block (the kernel's BR and BC). */
export const SGMAT_BLOCK = 64;

const mat = (kind: 'left' | 'right' | 'result', t: 'f16' | 'f32'): string => `subgroup_matrix_${kind}<${t}, 16, 16>`;

export function sgmatAttnFwdDef(c: SgmatAttnConfig): KernelDef {
  if (c.hd % 16 !== 0) throw new Error(`attention sgmat: head dim ${c.hd} must be a multiple of 16`);
  const DT = c.hd / 16;
  let consts: Record<string, string | number>;
  if (c.emulate) {
    consts = {
      ENABLES: 'enable f16;\nenable subgroups;',
      SG_ARGS: '',
      SG: '  let sg = tid / 32u;\n  let lane = tid % 32u;',
      EMU_FNS: emuFns(),
      Q_LOAD: '',
      S_BLOCK: '    emu_scores(c0, qoff, koff, qStride, kvStride, sbase, lane);',
      O_DECL: '  var o = array<f32, DT * 8u>();',
      PV: '    emu_pv(c0, koff, kvStride, pbase, lane, &o);',
      WRITE_OUT: [
        '  for (var dt = 0u; dt < DT; dt++) {',
        '    for (var e = 0u; e < 8u; e++) { Ss[sbase + lr * SS + half * 8u + e] = o[dt * 8u + e]; }',
        '    workgroupBarrier();',
        '    write_tile(dt, sbase, lr, half, row, rowOk, h, f);',
        '    workgroupBarrier();',
        '  }',
      ].join('\n'),
    };
  } else {
    const qLoad: string[] = [];
    for (let i = 0; i < DT; i++) qLoad.push(`  let q${i} = subgroupMatrixLoad<${mat('left', 'f16')}, row_major>(&qh, qoff + ${16 * i}u, qStride);`);
    const sBlock: string[] = ['    {'];
    for (let j = 0; j < 4; j++) sBlock.push(`      var s${j} = ${mat('result', 'f32')}();`);
    for (let i = 0; i < DT; i++) {
      for (let j = 0; j < 4; j++) {
        sBlock.push(`      let k${i}_${j} = subgroupMatrixLoad<${mat('right', 'f16')}, col_major>(&kh, (c0 + ${16 * j}u) * kvStride + koff + ${16 * i}u, kvStride);`);
        sBlock.push(`      s${j} = subgroupMatrixMultiplyAccumulate(q${i}, k${i}_${j}, s${j});`);
      }
    }
    for (let j = 0; j < 4; j++) sBlock.push(`      subgroupMatrixStore<row_major>(&Ss, sbase + ${16 * j}u, s${j}, SS);`);
    sBlock.push('    }');
    const oDecl: string[] = [];
    for (let d = 0; d < DT; d++) oDecl.push(`  var o${d} = ${mat('result', 'f32')}();`);
    const pv: string[] = [];
    for (let kt = 0; kt < 4; kt++) {
      pv.push(`    let p${kt} = subgroupMatrixLoad<${mat('left', 'f16')}, row_major>(&Ps, pbase + ${16 * kt}u, PS);`);
      for (let d = 0; d < DT; d++) {
        pv.push(`    let v${kt}_${d} = subgroupMatrixLoad<${mat('right', 'f16')}, row_major>(&vh, (c0 + ${16 * kt}u) * kvStride + koff + ${16 * d}u, kvStride);`);
        pv.push(`    o${d} = subgroupMatrixMultiplyAccumulate(p${kt}, v${kt}_${d}, o${d});`);
      }
    }
    const writeOut: string[] = [];
    for (let d = 0; d < DT; d++) {
      writeOut.push(
        `  subgroupMatrixStore<row_major>(&Ss, sbase, o${d}, SS);`,
        '  workgroupBarrier();',
        `  write_tile(${d}u, sbase, lr, half, row, rowOk, h, f);`,
        '  workgroupBarrier();',
      );
    }
    consts = {
      ENABLES: 'enable f16;\nenable subgroups;\nenable chromium_experimental_subgroup_matrix;',
      ...(c.syntax === 'subgroup_id'
        ? { SG_ARGS: ', @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32', SG: '' }
        : { SG_ARGS: ', @builtin(subgroup_invocation_id) lane: u32', SG: '  let sg = subgroupBroadcastFirst(tid / 32u);' }),
      EMU_FNS: '',
      Q_LOAD: qLoad.join('\n'),
      S_BLOCK: sBlock.join('\n'),
      O_DECL: oDecl.join('\n'),
      PV: pv.join('\n'),
      WRITE_OUT: writeOut.join('\n'),
    };
  }
  return {
    name: `attn_fwd_sgmat${c.emulate ? '_emulated' : ''}`,
    file: 'experimental/attention-sgmat-fwd.wgsl',
    entry: 'attn_fwd',
    consts: { HD: c.hd, ...consts },
    params: { heads: 'u32', kvHeads: 'u32', scale: 'f32' },
  };
}

/** The emulated matrix parts: each lane computes its 8 entries (row lane/2, columns (lane%2)*8..+7)
 *  of each 16x16 tile straight from memory. */
/** n, as a value the shader compiler cannot see through (a uniform decides it): keeps LLVM from
 *  fully unrolling the emulation's long inner loops, which made lavapipe's compile take minutes. */
const OPAQUE = 'fn opaque(n: u32) -> u32 { return select(n, 0u, p.heads == 0xffffffffu); }';

function emuFns(): string {
  return `${OPAQUE}
fn emu_scores(c0: u32, qoff: u32, koff: u32, qStride: u32, kvStride: u32, sbase: u32, lane: u32) {
  let r = lane / 2u;
  for (var j = 0u; j < 4u; j++) {
    for (var e = 0u; e < 8u; e++) {
      let key = c0 + 16u * j + (lane % 2u) * 8u + e;
      var s = 0.0;
      for (var d = 0u; d < opaque(HD); d++) { s += f32(qh[qoff + r * qStride + d]) * f32(kh[key * kvStride + koff + d]); }
      Ss[sbase + r * SS + 16u * j + (lane % 2u) * 8u + e] = s;
    }
  }
}
fn emu_pv(c0: u32, koff: u32, kvStride: u32, pbase: u32, lane: u32, o: ptr<function, array<f32, DT * 8u>>) {
  let r = lane / 2u;
  for (var dt = 0u; dt < DT; dt++) {
    for (var e = 0u; e < 8u; e++) {
      var s = 0.0;
      for (var c = 0u; c < opaque(BC); c++) { s += f32(Ps[pbase + r * PS + c]) * f32(vh[(c0 + c) * kvStride + koff + 16u * dt + (lane % 2u) * 8u + e]); }
      (*o)[dt * 8u + e] += s;
    }
  }
}`;
}

/** Records q, k, v to scaled f16 (with BC zero rows after each) and the tensor-core forward. */
export function sgmatAttentionForward(gpu: Gpu, a: AttnFwdArgs, emulate: boolean): void {
  const cap = gpu.maxBinding;
  const shifts = recordShifts(gpu, 'attention', [a.q, a.k, a.v], cap);
  const tail = (t: Tensor): number => SGMAT_BLOCK * t.shape[1]! * 2;
  recordToF16(gpu, 'attn-q', a.q, shifts, 0, cap, tail(a.q));
  recordToF16(gpu, 'attn-k', a.k, shifts, 1, cap, tail(a.k));
  recordToF16(gpu, 'attn-v', a.v, shifts, 2, cap, tail(a.v));
  // Whole scratch buffers: the kernel's edge tiles read into the zeroed rows past the tensors.
  const def = sgmatAttnFwdDef({ hd: a.hd, emulate, syntax: sgmatSyntax(gpu) });
  gpu.dispatch(def, {
    params: { heads: a.heads, kvHeads: a.kvHeads, scale: a.scale },
    bindings: [f16Scratch(gpu, 'attn-q'), f16Scratch(gpu, 'attn-k'), f16Scratch(gpu, 'attn-v'), a.table, a.out, a.lse, { buffer: shifts }],
    workgroups: [a.nBlocks, a.heads],
  });
}

// ---------------------------------------------------------------- backward

/** dS is stored in f16 as dS * 2^(e+c-DS_SHIFT): see kernels/experimental/attention-sgmat-bwd.wgsl. */
export function dsShift(hd: number): number {
  return 16 + Math.ceil(Math.log2(hd));
}

interface Strip {
  /** Left operand rows (16, row_major over head dims): array and element offset of row 0. */
  a: string;
  aOff: string;
  aStride: string;
  /** Right operand: column n of the strip is row `bRow0 + n` of array b (read col_major). */
  b: string;
  bRow0: string;
  bOff: string;
  bStride: string;
}

/** S-like strip: 4 tiles of 16 columns, sum over head dims of A rows . B rows, stored to Ss. */
function stripReal(s: Strip, DT: number, ind: string): string {
  const out: string[] = [`${ind}{`];
  for (let j = 0; j < 4; j++) out.push(`${ind}  var s${j} = ${mat('result', 'f32')}();`);
  for (let i = 0; i < DT; i++) {
    out.push(`${ind}  let a${i} = subgroupMatrixLoad<${mat('left', 'f16')}, row_major>(&${s.a}, ${s.aOff} + ${16 * i}u, ${s.aStride});`);
    for (let j = 0; j < 4; j++) {
      out.push(`${ind}  let b${i}_${j} = subgroupMatrixLoad<${mat('right', 'f16')}, col_major>(&${s.b}, (${s.bRow0} + ${16 * j}u) * ${s.bStride} + ${s.bOff} + ${16 * i}u, ${s.bStride});`);
      out.push(`${ind}  s${j} = subgroupMatrixMultiplyAccumulate(a${i}, b${i}_${j}, s${j});`);
    }
  }
  for (let j = 0; j < 4; j++) out.push(`${ind}  subgroupMatrixStore<row_major>(&Ss, sbase + ${16 * j}u, s${j}, SS);`);
  out.push(`${ind}}`);
  return out.join('\n');
}

/** acc_d += Ps strip (16 x 64, left) x rows bRow0..+63 of array b (right, row_major). */
function productReal(acc: string, b: string, bRow0: string, bOff: string, bStride: string, DT: number, ind: string): string {
  const out: string[] = [`${ind}{`];
  for (let kt = 0; kt < 4; kt++) {
    out.push(`${ind}  let p${kt} = subgroupMatrixLoad<${mat('left', 'f16')}, row_major>(&Ps, pbase + ${16 * kt}u, PS);`);
    for (let d = 0; d < DT; d++) {
      out.push(`${ind}  let r${kt}_${d} = subgroupMatrixLoad<${mat('right', 'f16')}, row_major>(&${b}, (${bRow0} + ${16 * kt}u) * ${bStride} + ${bOff} + ${16 * d}u, ${bStride});`);
      out.push(`${ind}  ${acc}${d} = subgroupMatrixMultiplyAccumulate(p${kt}, r${kt}_${d}, ${acc}${d});`);
    }
  }
  out.push(`${ind}}`);
  return out.join('\n');
}

/** Emulated strip / product helpers, one per operand pair (WGSL cannot pass storage pointers). */
function emuBwdFns(): string {
  const strip = (name: string, a: string, b: string): string => `fn ${name}(aOff: u32, aStride: u32, bRow0: u32, bOff: u32, bStride: u32, sbase: u32, lane: u32) {
  let r = lane / 2u;
  for (var j = 0u; j < 4u; j++) {
    for (var e = 0u; e < 8u; e++) {
      let n = 16u * j + (lane % 2u) * 8u + e;
      var s = 0.0;
      for (var d = 0u; d < opaque(HD); d++) { s += f32(${a}[aOff + r * aStride + d]) * f32(${b}[(bRow0 + n) * bStride + bOff + d]); }
      Ss[sbase + r * SS + n] = s;
    }
  }
}`;
  const product = (name: string, b: string): string => `fn ${name}(bRow0: u32, bOff: u32, bStride: u32, pbase: u32, lane: u32, acc: ptr<function, array<f32, DT * 8u>>) {
  let r = lane / 2u;
  for (var dt = 0u; dt < DT; dt++) {
    for (var e = 0u; e < 8u; e++) {
      var s = 0.0;
      for (var c = 0u; c < opaque(BB); c++) { s += f32(Ps[pbase + r * PS + c]) * f32(${b}[(bRow0 + c) * bStride + bOff + 16u * dt + (lane % 2u) * 8u + e]); }
      (*acc)[dt * 8u + e] += s;
    }
  }
}`;
  return [
    OPAQUE,
    strip('emu_strip_qk', 'qh', 'kh'),
    strip('emu_strip_dov', 'doh', 'vh'),
    strip('emu_strip_kq', 'kh', 'qh'),
    strip('emu_strip_vdo', 'vh', 'doh'),
    product('emu_prod_k', 'kh'),
    product('emu_prod_do', 'doh'),
    product('emu_prod_q', 'qh'),
  ].join('\n');
}

/** Write-out of accumulator tiles `acc` (real: named acc0..; emulated: one array) through Ss. */
function writeOut(acc: string, emulate: boolean, DT: number, cond: string, call: (dt: string) => string): string {
  if (emulate) {
    return [
      '  for (var dt = 0u; dt < DT; dt++) {',
      `    for (var e = 0u; e < 8u; e++) { Ss[sbase + lr * SS + half * 8u + e] = ${acc}[dt * 8u + e]; }`,
      '    workgroupBarrier();',
      `    if (${cond}) { ${call('dt')}; }`,
      '    workgroupBarrier();',
      '  }',
    ].join('\n');
  }
  const out: string[] = [];
  for (let d = 0; d < DT; d++) {
    out.push(`  subgroupMatrixStore<row_major>(&Ss, sbase, ${acc}${d}, SS);`, '  workgroupBarrier();', `  if (${cond}) { ${call(`${d}u`)}; }`, '  workgroupBarrier();');
  }
  return out.join('\n');
}

export function sgmatAttnBwdDef(c: SgmatAttnConfig, entry: 'attn_dq' | 'attn_dkdv', outF32: boolean): KernelDef {
  if (c.hd % 16 !== 0) throw new Error(`attention sgmat: head dim ${c.hd} must be a multiple of 16`);
  const DT = c.hd / 16;
  const e = c.emulate;
  const decl = (names: string[]): string =>
    names.map((n) => (e ? `  var ${n} = array<f32, DT * 8u>();` : Array.from({ length: DT }, (_, d) => `  var ${n}${d} = ${mat('result', 'f32')}();`).join('\n'))).join('\n');
  const strip = (s: Strip, emuName: string, ind: string): string =>
    e ? `${ind}${emuName}(${s.aOff}, ${s.aStride}, ${s.bRow0}, ${s.bOff}, ${s.bStride}, sbase, lane);` : stripReal(s, DT, ind);
  const product = (acc: string, b: string, emuName: string, bRow0: string, bOff: string, bStride: string, ind: string): string =>
    e ? `${ind}${emuName}(${bRow0}, ${bOff}, ${bStride}, pbase, lane, &${acc});` : productReal(acc, b, bRow0, bOff, bStride, DT, ind);
  const src = 'sbase + lr * SS + half * 8u';
  const consts: Record<string, string | number | boolean> = {
    HD: c.hd,
    OUT_F32: outF32,
    DS_SHIFT: dsShift(c.hd),
    ENABLES: e ? 'enable f16;\nenable subgroups;' : 'enable f16;\nenable subgroups;\nenable chromium_experimental_subgroup_matrix;',
    ...(e
      ? { SG_ARGS: '', SG: '  let sg = tid / 32u;\n  let lane = tid % 32u;' }
      : c.syntax === 'subgroup_id'
        ? { SG_ARGS: ', @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32', SG: '' }
        : { SG_ARGS: ', @builtin(subgroup_invocation_id) lane: u32', SG: '  let sg = subgroupBroadcastFirst(tid / 32u);' }),
    EMU_FNS: e ? emuBwdFns() : '',
    DQ_DECL: decl(['dq']),
    DQ_S: strip({ a: 'qh', aOff: 'qoff', aStride: 'qStride', b: 'kh', bRow0: 'c0', bOff: 'koff', bStride: 'kvStride' }, 'emu_strip_qk', '    '),
    DQ_DP: strip({ a: 'doh', aOff: 'qoff', aStride: 'qStride', b: 'vh', bRow0: 'c0', bOff: 'koff', bStride: 'kvStride' }, 'emu_strip_dov', '    '),
    DQ_MMA: product('dq', 'kh', 'emu_prod_k', 'c0', 'koff', 'kvStride', '    '),
    DQ_WRITE: writeOut('dq', e, DT, 'rowOk', (dt) => `write_a(e0 + 16u * ${dt}, ${src}, p.scale, ex)`),
    KV_DECL: decl(['dk', 'dv']),
    KV_ST: strip({ a: 'kh', aOff: 'koff', aStride: 'kvStride', b: 'qh', bRow0: 'q0', bOff: 'h * HD', bStride: 'qStride' }, 'emu_strip_kq', '      '),
    KV_DV: product('dv', 'doh', 'emu_prod_do', 'q0', 'h * HD', 'qStride', '      '),
    KV_DPT: strip({ a: 'vh', aOff: 'koff', aStride: 'kvStride', b: 'doh', bRow0: 'q0', bOff: 'h * HD', bStride: 'qStride' }, 'emu_strip_vdo', '      '),
    KV_DK: product('dk', 'qh', 'emu_prod_q', 'q0', 'h * HD', 'qStride', '      '),
    KV_WRITE: [
      writeOut('dk', e, DT, 'keyOk', (dt) => `write_a(e0 + 16u * ${dt}, ${src}, p.scale, exk)`),
      writeOut('dv', e, DT, 'keyOk', (dt) => `write_b(e0 + 16u * ${dt}, ${src}, 1.0, exv)`),
    ].join('\n'),
  };
  return {
    name: `${entry}_sgmat${e ? '_emulated' : ''}`,
    file: 'experimental/attention-sgmat-bwd.wgsl',
    entry,
    consts,
    params: { heads: 'u32', kvHeads: 'u32', scale: 'f32' },
  };
}

/** Records q, k, v, dO to scaled f16 (64 zero rows after each) and both backward kernels. */
export function sgmatAttentionBackward(gpu: Gpu, a: AttnBwdArgs, emulate: boolean): void {
  const cap = gpu.maxBinding;
  const shifts = recordShifts(gpu, 'attention-bwd', [a.q, a.k, a.v, a.dOut], cap);
  const tail = (t: Tensor): number => SGMAT_BLOCK * t.shape[1]! * 2;
  const keys = ['attn-q', 'attn-k', 'attn-v', 'attn-do'];
  [a.q, a.k, a.v, a.dOut].forEach((t, i) => recordToF16(gpu, keys[i]!, t, shifts, i, cap, tail(t)));
  const [qh, kh, vh, doh] = keys.map((k) => f16Scratch(gpu, k));
  const cfg = { hd: a.hd, emulate, syntax: sgmatSyntax(gpu) };
  const params = { heads: a.heads, kvHeads: a.kvHeads, scale: a.scale };
  const common = [qh!, kh!, vh!, doh!, a.lse, a.dterm];
  gpu.dispatch(sgmatAttnBwdDef(cfg, 'attn_dq', a.dq.dtype === 'f32'), {
    params,
    bindings: [...common, a.qTable, { buffer: shifts }, a.dq],
    workgroups: [a.qBlocks, a.heads],
  });
  gpu.dispatch(sgmatAttnBwdDef(cfg, 'attn_dkdv', a.dk.dtype === 'f32'), {
    params,
    bindings: [...common, a.kTable, { buffer: shifts }, a.dk, a.dv],
    workgroups: [a.kBlocks, a.kvHeads],
  });
}

/** The variant's entry in src/ops/variant-registry.ts (attention variant 'sgmat'). */
export const sgmatAttention: AttentionVariant = {
  block(gpu, op, _hd, o) {
    if (!o.emulate && !(gpu.features.subgroupMatrix && gpu.features.f16)) throw new Error(`${op}: variant 'sgmat' needs f16 subgroup matrices; the device has none`);
    return SGMAT_BLOCK;
  },
  forward: (gpu, a, o) => sgmatAttentionForward(gpu, a, !!o.emulate),
  backward: (gpu, a, o) => sgmatAttentionBackward(gpu, a, !!o.emulate),
};
