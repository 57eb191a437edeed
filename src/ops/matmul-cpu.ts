// The CPU-shaped GEMM (kernels/matmul-cpu.wgsl): what llvmpipe runs fast. A workgroup is LANES
// invocations (one SIMD vector of the CPU); it owns TM rows and each invocation TN columns, with
// its TM x TN results in registers; no workgroup memory, no barriers, one loop over all of K.
// On llvmpipe every load costs a loop over the lanes (see the kernel), so the loop body, generated
// here for the layout, dtypes and alignment of one GEMM, reads both operands in as few (vector)
// loads as it can: specialised pipelines (the default 16 x 4 tile: ~10 s of cold LLVM compile on
// lavapipe, cached by Mesa afterwards).
// `swap` runs C^T = B^T A^T instead (A and B exchanged, C written transposed): the tile's long
// side then lies along the other output dimension.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import { dispatchGemmChunks, GEMM_PARAMS, type GemmChunk, type GemmDesc, type Mat } from './matmul-plan.js';

/** Shape of the kernel for one GEMM. */
export interface CpuTile {
  /** Rows per workgroup and columns per invocation (TM x TN results per invocation). */
  TM: number;
  TN: number;
  /** Invocations per workgroup: the CPU's f32 SIMD width (8 with AVX2). */
  LANES: number;
  /** k per unrolled step (even; a multiple of the elements in one load of an operand contiguous
   *  along k). */
  KS: number;
  /** u32 words per A / B load: 1, 2 or 4 (lowered where offsets or leading dims are not aligned). */
  AW: number;
  BW: number;
  /** u32 words per C store: TN results (f32) or TN / 2 (bf16) where aligned, else 1. */
  CW: number;
  /** Run as C^T = B^T A^T. */
  swap: boolean;
  /** Lanes load A's rows (or k-rows) once between them and share them by subgroupBroadcast (needs
   *  the subgroups feature, TM a multiple of LANES, and KS == LANES where A is stored [K, R]). */
  bcast: boolean;
}

/** The kernel's view of one GEMM: which operands run along k, dtypes, C transposed or not. */
interface Layout {
  aKR: boolean;
  bKC: boolean;
  aBf: boolean;
  bBf: boolean;
  cBf: boolean;
  cT: boolean;
}

const codeCache = new Map<string, Record<string, string>>();
const COMP = ['x', 'y', 'z', 'w'];

const vecType = (w: number): string => (w === 1 ? 'u32' : `vec${w}<u32>`);
const pickCode = (w: number): string => (w === 1 ? 'return v;' : w === 2 ? 'return select(v.x, v.y, w == 1u);' : 'return v[w];');

/** DECL, STEP, TAIL, WRITE and the word pickers of kernels/matmul-cpu.wgsl for one layout and tile. */
export function cpuCode(l: Layout, t: CpuTile): Record<string, string> {
  const key = JSON.stringify([l, t]);
  let code = codeCache.get(key);
  if (code) return code;
  const { TM, TN, KS } = t;
  if (KS % 2) throw new Error(`matmul-cpu: KS ${KS} must be even`);
  if (l.cBf && (l.cT ? TM % 2 : TN % 2)) throw new Error(`matmul-cpu: bf16 results are written in word pairs along ${l.cT ? 'TM' : 'TN'}`);
  const decl: string[] = [], step: string[] = [], tail: string[] = [], write: string[] = [];
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) decl.push(`  var acc${i}_${j} = 0.0;`);

  // One operand: A (x = row i, tile start r0, TX = TM) or B (x = column j, c0, TN).
  const operand = (name: 'a' | 'b', kRows: boolean, bf: boolean, W: number, base: string, TX: number, bcast: boolean) => {
    const E = W * (bf ? 2 : 1); // elements per load
    const buf = `${name}_buf`, ld = `p.ld${name}`, off = `p.off_${name}`, lim = name === 'a' ? 'p.R' : 'p.C';
    if (kRows ? TX % E : KS % E) throw new Error(`matmul-cpu: a load of ${E} elements of ${name} must divide ${kRows ? TX : `KS ${KS}`}`);
    if (bcast && (TX % t.LANES || (kRows && KS !== t.LANES))) throw new Error(`matmul-cpu: shared ${name} loads need ${name === 'a' ? 'TM' : 'TN'} a multiple of LANES${kRows ? ' and KS == LANES' : ''}`);
    const seen = new Set<string>();
    const once = (n: string, line: string): string => {
      if (!seen.has(n)) {
        seen.add(n);
        step.push(line);
      }
      return n;
    };
    // Word `word` of load `v`, or that word as lane `lane` holds it.
    const wordOf = (v: string, word: number, lane: number | null): string => {
      const w = W === 1 ? v : `${v}.${COMP[word]}`;
      return lane === null ? w : once(`${v}_${word}_l${lane}`, `    let ${v}_${word}_l${lane} = subgroupBroadcast(${w}, ${lane}u);`);
    };
    const value = (w: string, e: number): string => (!bf ? `bitcast<f32>(${w})` : e & 1 ? `bf16_hi(${w})` : `bf16_lo(${w})`);
    // Element bases of the rows contiguous along k (clamped into the chunk: values of rows or
    // columns past the end are never written), in units of loads; shared: one per lane and LANES rows.
    if (!kRows) {
      if (bcast) for (let m = 0; m < TX / t.LANES; m++) decl.push(`  let v${name}s${m} = (${off} + min(${base} + lane + ${m * t.LANES}u, ${lim} - 1u) * ${ld}) / ${E}u;`);
      for (let x = 0; x < TX; x++) decl.push(`  let e${name}${x} = ${off} + min(${base} + ${x}u, ${lim} - 1u) * ${ld};`, `  let v${name}${x} = e${name}${x} / ${E}u;`);
    }
    return {
      /** Value at (x, k + kk) in the unrolled step. */
      step(x: number, kk: number): string {
        const e = kRows ? x % E : kk % E;
        const word = bf ? e >> 1 : e;
        if (kRows) {
          const g = Math.floor(x / E);
          if (bcast) {
            // Lane l holds k-row k + l.
            const row = once(`k${name}s`, `    let k${name}s = (${off} + (k + lane) * ${ld} + ${base}) / ${E}u;`);
            const v = once(`${name}s_${g}`, `    let ${name}s_${g} = ${buf}[${row} + ${g}u];`);
            return value(wordOf(v, word, kk), e);
          }
          const row = once(`k${name}${kk}`, `    let k${name}${kk} = (${off} + (k + ${kk}u) * ${ld} + ${base}) / ${E}u;`);
          return value(wordOf(once(`${name}v${kk}_${g}`, `    let ${name}v${kk}_${g} = ${buf}[k${name}${kk} + ${g}u];`), word, null), e);
        }
        const g = Math.floor(kk / E);
        if (bcast) {
          // Lane l holds row base + l + LANES m.
          const m = Math.floor(x / t.LANES);
          const v = once(`${name}s${m}_${g}`, `    let ${name}s${m}_${g} = ${buf}[v${name}s${m} + k / ${E}u + ${g}u];`);
          return value(wordOf(v, word, x % t.LANES), e);
        }
        return value(wordOf(once(`${name}v${x}_${g}`, `    let ${name}v${x}_${g} = ${buf}[v${name}${x} + k / ${E}u + ${g}u];`), word, null), e);
      },
      /** Value at (x, k) in the tail. */
      tail(x: number): string {
        return `elem_${name}(${kRows ? `${off} + k * ${ld} + ${base} + ${x}u` : `e${name}${x} + k`})`;
      },
    };
  };
  const A = operand('a', l.aKR, l.aBf, t.AW, 'r0', TM, t.bcast);
  const B = operand('b', l.bKC, l.bBf, t.BW, 'c0', TN, false);
  for (let kk = 0; kk < KS; kk++) {
    for (let i = 0; i < TM; i++) step.push(`    let a${kk}_${i} = ${A.step(i, kk)};`);
    for (let j = 0; j < TN; j++) step.push(`    let b${kk}_${j} = ${B.step(j, kk)};`);
    for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) step.push(`    acc${i}_${j} = fma(a${kk}_${i}, b${kk}_${j}, acc${i}_${j});`);
  }
  for (let i = 0; i < TM; i++) tail.push(`    let a${i} = ${A.tail(i)};`);
  for (let j = 0; j < TN; j++) tail.push(`    let b${j} = ${B.tail(j)};`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN; j++) tail.push(`    acc${i}_${j} = fma(a${i}, b${j}, acc${i}_${j});`);
  const scalarWrite = (i: number): string[] => {
    const out: string[] = [];
    for (let j = 0; j < TN; j++) {
      const at = `r0 + ${i}u, c0 + ${j}u`;
      if (!l.cBf) out.push(`put_f32(${at}, acc${i}_${j});`);
      else if (l.cT && i % 2 === 0) out.push(`put_bf16(${at}, acc${i}_${j}, acc${i + 1}_${j});`);
      else if (!l.cT && j % 2 === 0) out.push(`put_bf16(${at}, acc${i}_${j}, acc${i}_${j + 1});`);
    }
    return out;
  };
  for (let i = 0; i < TM; i++) {
    if (t.CW === 1) {
      write.push(...scalarWrite(i).map((x) => `  ${x}`));
      continue;
    }
    // One vector per row (every chunk's column count is a multiple of TN: no partial vectors):
    // TN f32 bit patterns, or TN / 2 bf16 pairs; accumulate adds what is there.
    const fv = `vec${TN}<f32>`, vt = `vec${t.CW}<u32>`;
    write.push(`  if (r0 + ${i}u < p.R && c0 < p.C) {`, `    let e = (p.off_c + (r0 + ${i}u) * p.ldc + c0) / ${l.cBf ? 2 * t.CW : t.CW}u;`);
    const v = (j: number): string => `acc${i}_${j}`;
    if (l.cBf) write.push(`    c_buf[e] = ${vt}(${Array.from({ length: TN / 2 }, (_, q) => `bf16_pack(${v(2 * q)}, ${v(2 * q + 1)})`).join(', ')});`);
    else write.push(`    var o = ${fv}(${Array.from({ length: TN }, (_, j) => v(j)).join(', ')});`, `    if (p.accumulate != 0u) { o += bitcast<${fv}>(c_buf[e]); }`, `    c_buf[e] = bitcast<${vt}>(o);`);
    write.push('  }');
  }
  const cGet = t.CW === 1 ? 'return c_buf[w];' : 'return c_buf[w / CW][w % CW];';
  const cSet = t.CW === 1 ? 'c_buf[w] = x;' : 'c_buf[w / CW][w % CW] = x;';
  code = { DECL: decl.join('\n'), STEP: step.join('\n'), TAIL: tail.join('\n'), WRITE: write.join('\n'), A_PICK: pickCode(t.AW), B_PICK: pickCode(t.BW), C_GET: cGet, C_SET: cSet };
  codeCache.set(key, code);
  return code;
}

/** A Mat of the swapped problem: rows and columns r <-> c. */
function swapRC(m: Mat): Mat {
  const s = (d: Mat['rows']): Mat['rows'] => (d === 'r' ? 'c' : d === 'c' ? 'r' : 'k');
  return { t: m.t, rows: s(m.rows), cols: s(m.cols) };
}

function layoutOf(g: GemmDesc, swap: boolean): Layout {
  const a = swap ? swapRC(g.b) : g.a, b = swap ? swapRC(g.a) : g.b;
  return { aKR: a.rows === 'k', bKC: b.rows === 'k', aBf: a.t.dtype === 'bf16', bBf: b.t.dtype === 'bf16', cBf: g.c.t.dtype === 'bf16', cT: swap };
}

/** Widest load (u32 words, 1/2/4) of an operand that every chunk's offset, leading dimension and
 *  binding size allow, and that divides the run it is read along (KS along k, else the tile). */
function loadWidth(bf: boolean, run: number, mats: readonly { off: number; ld: number; binding: GPUBufferBinding }[]): number {
  const per = bf ? 2 : 1;
  let W = 4;
  while (W > 1 && (mats.some((m) => m.off % (W * per) || m.ld % (W * per) || (m.binding.size ?? 0) % (4 * W)) || run % (W * per))) W /= 2;
  return W;
}

/** The kernel shape for a GEMM and its chunks. Measured on lavapipe (2-core EPYC, AVX-512; the
 *  tiny model's GEMMs, bench cases matmul.tiny.*): 16 rows x 4 columns per invocation with A
 *  shared by subgroupBroadcast reached 20-56 GFLOP/s where 8 x 4 with every lane loading A reached
 *  8-15; 32 x 2, 24 x 4 and 16 x 8 were slower (spills) and cost 5-40 s of cold LLVM compile
 *  against ~10 s. At most 8 rows (decode logits, GEMV-like): one row block of all rows, so the
 *  weights are read once (4 rows: 9-13 ms for Qwen3's 151936-row lm_head, against 14-16 ms with 8). */
export function cpuTile(gpu: Gpu, g: GemmDesc, chunks: readonly GemmChunk[], over: Partial<CpuTile> = {}): CpuTile {
  const swap = over.swap ?? false;
  const l = layoutOf(g, swap);
  const rows = swap ? g.C : g.R;
  let TM = over.TM ?? (rows <= 8 ? Math.max(2, rows + (rows % 2)) : 16);
  const TN = over.TN ?? 4;
  if (l.aKR && l.aBf && TM % 2) TM++;
  const KS = over.KS ?? 8;
  const aMats = chunks.map((ch) => (swap ? ch.b : ch.a)), bMats = chunks.map((ch) => (swap ? ch.a : ch.b));
  const AW = Math.min(over.AW ?? 4, loadWidth(l.aBf, l.aKR ? TM : KS, aMats));
  const BW = Math.min(over.BW ?? 4, loadWidth(l.bBf, l.bKC ? TN : KS, bMats));
  const LANES = over.LANES ?? gpu.cpuLanes;
  // C stores: a row's TN results as one vector where every chunk's columns come in whole vectors
  // and its offset, leading dim and binding size keep them aligned (not for a transposed C).
  const cPer = l.cBf ? 2 : 1;
  const cw = TN / cPer;
  const cOk = !swap && [2, 4].includes(cw) && chunks.every((ch) => ch.c.size % TN === 0 && ch.c_.off % TN === 0 && ch.c_.ld % TN === 0 && (ch.c_.binding.size ?? 0) % (4 * cw) === 0);
  const CW = over.CW ?? (cOk ? cw : 1);
  if (CW !== 1 && (CW !== cw || !cOk)) throw new Error(`matmul-cpu: C stores of ${CW} words need whole, aligned rows of TN = ${TN} results`);
  const bcast = over.bcast ?? (gpu.features.subgroups && TM % LANES === 0 && (!l.aKR || KS === LANES));
  return { TM, TN, LANES, KS, AW, BW, CW, swap, bcast };
}

export function cpuDef(g: GemmDesc, t: CpuTile): KernelDef {
  const l = layoutOf(g, t.swap);
  return {
    name: `matmul_cpu_${g.op}`,
    file: 'matmul-cpu.wgsl',
    consts: {
      TM: t.TM, TN: t.TN, LANES: t.LANES, KS: t.KS, AW: t.AW, BW: t.BW,
      A_T: vecType(t.AW), B_T: vecType(t.BW), CV_T: vecType(t.CW), CW: t.CW, A_BF16: l.aBf, B_BF16: l.bBf, C_T: l.cT,
      ENABLE: t.bcast ? 'enable subgroups;' : '',
      ...cpuCode(l, t),
    },
    params: GEMM_PARAMS,
  };
}

/** Records the CPU-shaped GEMM over planned chunks (matmul-plan.ts); `over` overrides the shape's
 *  defaults (tests, benchmarks). */
export function cpuGemm(gpu: Gpu, g: GemmDesc, chunks: GemmChunk[], accumulate: boolean, over: Partial<CpuTile> = {}): void {
  const t = cpuTile(gpu, g, chunks, over);
  const def = cpuDef(g, t);
  if (!t.swap) {
    dispatchGemmChunks(gpu, g, def, chunks, { BM: t.TM, BN: t.LANES * t.TN }, accumulate);
    return;
  }
  // Swapped: A <- B, B <- A, rows <- columns; dispatchGemmChunks on the swapped description.
  const sg: GemmDesc = { ...g, a: swapRC(g.b), b: swapRC(g.a), R: g.C, C: g.R };
  const sc = chunks.map((ch) => ({ ...ch, r: ch.c, c: ch.r, a: ch.b, b: ch.a }));
  dispatchGemmChunks(gpu, sg, def, sc, { BM: t.TM, BN: t.LANES * t.TN }, accumulate);
}
