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
// with rows shared by subgroupBroadcast, 3.5x faster than each invocation loading every row; TQ 2
// with BK 16 beat TQ 1 and TQ 4 (spills, above all in the backward). Wider heads (the loop form,
// see cpuAttentionPreferred) take TQ 1 and BK = LANES.
function defaults(gpu: Gpu, hd: number): CpuAttnShape {
  return hd <= 32 ? { TQ: 2, BK: 16 } : { TQ: 1, BK: gpu.cpuLanes };
}

export function cpuAttentionFits(hd: number): boolean {
  return hd % 8 === 0;
}

/** Head dims the CPU kernels are the default for (variants.ts): up to 32, where the unrolled,
 *  subgroup-shared form compiles in seconds. Wider heads run v1 unless asked for 'cpu', which then
 *  runs the loop form (every invocation loading every row). */
export function cpuAttentionPreferred(hd: number): boolean {
  return cpuAttentionFits(hd) && hd <= 32;
}

/** Whether rows are shared by subgroupBroadcast (else every invocation loads every row). */
function shares(gpu: Gpu, s: CpuAttnShape, hd: number): boolean {
  return gpu.features.subgroups && s.BK % gpu.cpuLanes === 0 && cpuAttentionPreferred(hd);
}

const codeCache = new Map<string, Record<string, string>>();

/** The unrolled walks of kernels/attention-cpu.wgsl: FWD_SCORES / FWD_PV (BK keys from c0), DQ_KEYS
 *  (LANES keys from c0), DKDV_ROWS (LANES query rows from q0). With `bcast`, invocation l loads
 *  row l of the walk and every invocation takes row j from lane j. */
function walkCode(LANES: number, hd: number, BK: number, bcast: boolean): Record<string, string> {
  const key = JSON.stringify([LANES, hd, BK, bcast]);
  let c = codeCache.get(key);
  if (c) return c;
  const W4 = hd / 8;
  /** Row `j` of a walk: a shared load (`v` = that lane's words) or a direct load. */
  const row = (fn: 'fwd' | 'bwd', sel: number, v: string, j: number, direct: string): string =>
    bcast
      ? `unpack_row(Words(${Array.from({ length: W4 }, (_, i) => `subgroupBroadcast(${v}[${i}], ${j % LANES}u)`).join(', ')}))`
      : `${fn}_row(${sel}u, ${direct})`;
  const kvAt = (c: string): string => `(min(${c}, r1 - 1u) * p.kvHeads + g) * W4`;
  const scores: string[] = [], pv: string[] = [], dq: string[] = [], dkdv: string[] = [];
  if (bcast) {
    for (let m = 0; m < BK / LANES; m++) {
      scores.push(`    let kw${m} = fwd_words(1u, ${kvAt(`c0 + ${m * LANES}u + lane`)});`);
      pv.push(`    let vw${m} = fwd_words(2u, ${kvAt(`c0 + ${m * LANES}u + lane`)});`);
    }
    dq.push(`    let kw = bwd_words(1u, ${kvAt('c0 + lane')});`, `    let vw = bwd_words(2u, ${kvAt('c0 + lane')});`);
    dkdv.push(
      '      let qa = min(q0 + lane, s1 - 1u) * p.heads + h;',
      '      let qw = bwd_words(0u, qa * W4);',
      '      let dw = bwd_words(3u, qa * W4);',
      '      let lq = blse[qa];',
      '      let dd = bdterm[qa];',
    );
  }
  // Without subgroups: the same walks as loops over j (one body, each row loaded in every lane).
  const js = (j: number): string => (bcast ? `${j}u` : 'j');
  const unroll = (n: number, body: (j: number) => string[], indent: string): string[] =>
    bcast ? Array.from({ length: n }, (_, j) => body(j)).flat() : [`${indent}for (var j = 0u; j < ${n}u; j++) {`, ...body(0), `${indent}}`];
  scores.push(
    ...unroll(BK, (j) => [
      `    { let kr = ${row('fwd', 1, `kw${Math.floor(j / LANES)}`, j, kvAt(`c0 + ${js(j)}`))};`,
      `      for (var pp = 0u; pp < NP; pp++) { sc[pp][${js(j)}] = select(NEG, dot_row(q[pp], kr), c0 + ${js(j)} <= rows[pp / G]); } }`,
    ], '    '),
  );
  pv.push(
    ...unroll(BK, (j) => [
      `    { let vr = ${row('fwd', 2, `vw${Math.floor(j / LANES)}`, j, kvAt(`c0 + ${js(j)}`))};`,
      `      for (var pp = 0u; pp < NP; pp++) { for (var i = 0u; i < H4; i++) { o[pp][i] = fma(vec4<f32>(sc[pp][${js(j)}]), vr[i], o[pp][i]); } } }`,
    ], '    '),
  );
  dq.push(
    ...unroll(LANES, (j) => [
      `    { let c = c0 + ${js(j)};`,
      `      let kr = ${row('bwd', 1, 'kw', j, kvAt('c'))};`,
      `      let vr = ${row('bwd', 2, 'vw', j, kvAt('c'))};`,
      '      for (var pp = 0u; pp < NP; pp++) {',
      '        let pr = select(0.0, exp(dot_row(q[pp], kr) - lr[pp]), c <= rows[pp / G]);',
      '        let ds = pr * (dot_row(dob[pp], vr) - dr[pp]);',
      '        for (var i = 0u; i < H4; i++) { dq[pp][i] = fma(vec4<f32>(ds), kr[i], dq[pp][i]); }',
      '      } }',
    ], '    '),
  );
  const qa = `(min(r, s1 - 1u) * p.heads + h)`;
  dkdv.push(
    ...unroll(LANES, (j) => [
      `      { let r = q0 + ${js(j)};`,
      `        let qr = ${row('bwd', 0, 'qw', j, `${qa} * W4`)};`,
      `        let dor = ${row('bwd', 3, 'dw', j, `${qa} * W4`)};`,
      `        let lqj = ${bcast ? `subgroupBroadcast(lq, ${j}u)` : `blse[${qa}]`};`,
      `        let ddj = ${bcast ? `subgroupBroadcast(dd, ${j}u)` : `bdterm[${qa}]`};`,
      '        for (var t = 0u; t < TQ; t++) {',
      '          let pr = select(0.0, exp(dot_row(qr, kf[t]) - lqj), r >= keys[t] && r < s1);',
      '          let ds = pr * (dot_row(dor, vf[t]) - ddj);',
      '          for (var i = 0u; i < H4; i++) {',
      '            dv[t][i] = fma(vec4<f32>(pr), dor[i], dv[t][i]);',
      '            dk[t][i] = fma(vec4<f32>(ds), qr[i], dk[t][i]);',
      '          }',
      '        } }',
    ], '      '),
  );
  c = {
    ENABLE: bcast ? 'enable subgroups;' : '',
    FWD_SCORES: scores.join('\n'),
    FWD_PV: pv.join('\n'),
    DQ_KEYS: dq.join('\n'),
    DKDV_ROWS: dkdv.join('\n'),
  };
  codeCache.set(key, c);
  return c;
}

function def(gpu: Gpu, entry: string, G: number, hd: number, s: CpuAttnShape, outF32: boolean): KernelDef {
  const LANES = gpu.cpuLanes;
  return {
    name: `${entry}_cpu`,
    file: 'attention-cpu.wgsl',
    entry,
    consts: { LANES, TQ: s.TQ, G, HD: hd, BK: s.BK, OUT_F32: outF32, ...walkCode(LANES, hd, s.BK, shares(gpu, s, hd)) },
    params: { heads: 'u32', kvHeads: 'u32', scale: 'f32' },
  };
}

/** Rows per block (the block tables' block size). */
export function cpuAttnBlock(gpu: Gpu, hd: number, over: Partial<CpuAttnShape> = {}): number {
  return gpu.cpuLanes * (over.TQ ?? defaults(gpu, hd).TQ);
}

export interface CpuFwdArgs {
  q: Tensor; k: Tensor; v: Tensor; table: Tensor; nBlocks: number; out: Tensor; lse: Tensor;
  heads: number; kvHeads: number; hd: number; scale: number;
}

export function cpuAttentionForward(gpu: Gpu, a: CpuFwdArgs, over: Partial<CpuAttnShape> = {}): void {
  const s = { ...defaults(gpu, a.hd), ...over };
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
  const s = { ...defaults(gpu, a.hd), ...over };
  const G = a.heads / a.kvHeads;
  const params = { heads: a.heads, kvHeads: a.kvHeads, scale: a.scale };
  const inputs = [a.q, a.k, a.v, a.dOut, a.lse, a.dterm];
  gpu.dispatch(def(gpu, 'attn_dq', G, a.hd, s, a.dq.dtype === 'f32'), { params, bindings: [...inputs, a.qTable, a.dq], workgroups: [a.qBlocks, a.kvHeads] });
  gpu.dispatch(def(gpu, 'attn_dkdv', G, a.hd, s, a.dk.dtype === 'f32'), { params, bindings: [...inputs, a.kTable, a.dk, a.dv], workgroups: [a.kBlocks, a.kvHeads] });
}
