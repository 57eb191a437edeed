// Tensor-core GEMM v2: the WGSL parts generated from a resolved configuration (matmul-sgmat2.ts
// resolves it and runs the kernel, kernels/experimental/matmul-sgmat2.wgsl). Named variables and
// literal offsets instead of arrays indexed in loops (NVIDIA puts those in slow local memory);
// the emulated form swaps the subgroup-matrix builtins for plain f32 loops over the same
// workgroup-memory offsets.
import type { Syntax } from '../matmul-sgmat.js';

/** A fully resolved kernel configuration (one pipeline per distinct value). */
export type Tile = '128x128' | '256x128' | '128x256';

export interface Sgmat2Config {
  bk: 16 | 32;
  bm: 128 | 256;
  bn: 128 | 256;
  double: boolean;
  pad: number;
  aKR: boolean;
  bKC: boolean;
  transposeA: boolean;
  transposeB: boolean;
  /** 16-byte (vec4<u32>) global loads: the operand's row length and every chunk's offset are
   *  multiples of 8 elements. Otherwise 4 scalar word loads per 8 elements. */
  vecA: boolean;
  vecB: boolean;
  cBf16: boolean;
  /** Operands hold scaled f16 words (prestaged), not bf16. */
  f16In: boolean;
  emulate: boolean;
  syntax: Syntax;
}

/** Subgroups per workgroup: one per 64x64 block of the tile. */
export function subgroups(c: Pick<Sgmat2Config, 'bm' | 'bn'>): number {
  return (c.bm / 64) * (c.bn / 64);
}

/** Halves of one staged X x bk operand tile: [x][k] rows of bk+pad, or [k][x] rows of X+pad. */
export function stagedSize(bk: number, pad: number, kx: boolean, X: number): number {
  return kx ? bk * (X + pad) : X * (bk + pad);
}

/** How one operand (A: x = r, B: x = c) is fetched and staged. */
interface Operand {
  n: 'a' | 'b';
  arr: 'As' | 'Bs';
  /** Stored [K, x] (rows along the reduction). */
  kMajor: boolean;
  /** Staged [x][k] (else [k][x]). */
  xk: boolean;
  stride: number;
  x0: string;
  X: string;
  ld: string;
  off: string;
  scale: string;
  buf: string;
  vec: boolean;
  f16In: boolean;
  /** Tile extent along x (BM for A, BN for B). */
  size: number;
}

function operand(n: 'a' | 'b', cfg: Sgmat2Config): Operand {
  const kMajor = n === 'a' ? cfg.aKR : cfg.bKC;
  const xk = !kMajor || (n === 'a' ? cfg.transposeA : cfg.transposeB);
  return {
    n,
    arr: n === 'a' ? 'As' : 'Bs',
    kMajor,
    xk,
    stride: xk ? cfg.bk + cfg.pad : (n === 'a' ? cfg.bm : cfg.bn) + cfg.pad,
    x0: n === 'a' ? 'r0' : 'c0',
    X: n === 'a' ? 'p.R' : 'p.C',
    ld: n === 'a' ? 'p.lda' : 'p.ldb',
    off: n === 'a' ? 'p.off_a' : 'p.off_b',
    scale: n === 'a' ? 'sa' : 'sb',
    buf: n === 'a' ? 'ABUF' : 'BBUF',
    vec: n === 'a' ? cfg.vecA : cfg.vecB,
    f16In: cfg.f16In,
    size: n === 'a' ? cfg.bm : cfg.bn,
  };
}

/** WGSL bodies of load_x (8 elements from element e) and its partial (lim in 1..7) case. */
function loadBodies(o: Operand): [string, string] {
  const buf = `${o.n}_buf`;
  if (o.vec) {
    return [
      `  return ${buf}[e >> 3u];`,
      `  return select(vec4<u32>(), load_${o.n}(e), vec4<i32>(0, 2, 4, 6) < vec4<i32>(lim));`,
    ];
  }
  return [
    `  let w = e >> 1u;\n  return vec4<u32>(${buf}[w], ${buf}[w + 1u], ${buf}[w + 2u], ${buf}[w + 3u]);`,
    `  let w = e >> 1u;\n  var v = vec4<u32>(${buf}[w], 0u, 0u, 0u);\n  if (lim > 2) { v.y = ${buf}[w + 1u]; }\n  if (lim > 4) { v.z = ${buf}[w + 2u]; }\n  if (lim > 6) { v.w = ${buf}[w + 3u]; }\n  return v;`,
  ];
}

/** Per-thread staging code for one operand: declarations, unchecked and checked fetch of K step
 *  `@KB`, and the store into the staging buffer at `base`. The X x bk operand tile is X*bk/8
 *  groups of 8 elements; each of the T threads moves G = X*bk/(8T) of them per K step (4 at
 *  128x128, bk 32); group j of thread tid covers tile coordinates (x, k..k+7) or (x..x+7, k)
 *  depending on which dimension is stored contiguously. */
function stagingCode(o: Operand, bk: number, T: number): { decl: string[]; fast: string[]; checked: string[]; store: (base: string) => string[] } {
  const decl: string[] = [], fast: string[] = [], checked: string[] = [];
  const stores: ((base: string) => string)[] = [];
  const per = bk / 8; // groups per stored row of [x][k]
  const gpr = o.size / 8; // groups per stored row of [k][x]
  const G = (o.size * bk) / (8 * T);
  if (!Number.isInteger(G) || G < 1 || T % per !== 0 || T % gpr !== 0) throw new Error(`sgmat2: no staging map for a ${o.size}x${bk} tile over ${T} threads`);
  for (let j = 0; j < G; j++) {
    const v = `${o.n}${j}`;
    let x: string, k: string;
    if (!o.kMajor) {
      x = `tid / ${per}u + ${(T / per) * j}u`; // bk/8 groups per stored row, rows in x
      k = `(tid % ${per}u) * 8u`;
    } else if (!o.xk) {
      x = `(tid % ${gpr}u) * 8u`; // X/8 groups per stored row, rows in k
      k = `tid / ${gpr}u + ${(T / gpr) * j}u`;
    } else {
      // Transposed staging: consecutive threads take consecutive k (32 lanes: 32 k at bk 32), so
      // their 2-byte stores down a staged column fill different banks; each thread's groups are
      // adjacent in x, so its loads reuse the same 32-byte sectors.
      x = `((tid / ${bk}u) * ${G}u + ${j}u) * 8u`;
      k = `tid % ${bk}u`;
    }
    decl.push(`  let x${v} = ${x};`, `  let k${v} = ${k};`, `  var w${v} = vec4<u32>();`);
    if (!o.kMajor) {
      decl.push(`  let e${v} = ${o.off} + (${o.x0} + x${v}) * ${o.ld} + k${v};`, `  let ok${v} = ${o.x0} + x${v} < ${o.X};`);
      fast.push(`w${v} = load_${o.n}(e${v} + @KB);`);
      checked.push(`w${v} = load_${o.n}_chk(e${v} + @KB, ok${v}, i32(p.K) - i32(@KB + k${v}));`);
    } else {
      decl.push(`  let e${v} = ${o.off} + k${v} * ${o.ld} + ${o.x0} + x${v};`, `  let lim${v} = i32(${o.X}) - i32(${o.x0} + x${v});`);
      fast.push(`w${v} = load_${o.n}(e${v} + @KB * ${o.ld});`);
      checked.push(`w${v} = load_${o.n}_chk(e${v} + @KB * ${o.ld}, @KB + k${v} < p.K, lim${v});`);
    }
    stores.push((base) => {
      // Staged element (x, k) sits at x * stride + k ([x][k]) or k * stride + x ([k][x]).
      const at = o.xk ? `x${v} * ${o.stride}u + k${v}` : `k${v} * ${o.stride}u + x${v}`;
      const step = o.kMajor && o.xk ? o.stride : 1; // 8 consecutive stored elements run down x when transposed
      const lines = [`{ let s = ${base} + ${at};`];
      const comps = ['x', 'y', 'z', 'w'];
      for (let q = 0; q < 4; q++) {
        const word = `w${v}.${comps[q]}`;
        lines.push(`  let h${q} = ${o.f16In ? `bitcast<vec2<f16>>(${word})` : `to_f16(${word}, ${o.scale})`};`);
      }
      for (let e = 0; e < 8; e++) lines.push(`  ${o.arr}[s${e * step ? ` + ${e * step}u` : ''}] = h${e >> 1}.${e & 1 ? 'y' : 'x'};`);
      lines.push('}');
      return lines.join('\n');
    });
  }
  return { decl, fast, checked, store: (base) => stores.flatMap((s) => s(base).split('\n')) };
}

function indent(lines: string[], n: number): string {
  const pad = ' '.repeat(n);
  return lines.flatMap((l) => l.split('\n')).map((l) => pad + l).join('\n');
}

/** The {{NAME}} values of kernels/experimental/matmul-sgmat2.wgsl for one configuration. */
export function generate(cfg: Sgmat2Config): Record<string, string | number | boolean> {
  const A = operand('a', cfg), B = operand('b', cfg);
  const nsg = subgroups(cfg);
  const sa = stagingCode(A, cfg.bk, 32 * nsg), sb = stagingCode(B, cfg.bk, 32 * nsg);
  const [loadA, partA] = loadBodies(A);
  const [loadB, partB] = loadBodies(B);
  const aMajor = A.xk ? 'row_major' : 'col_major'; // left matrix rows are r
  const bMajor = B.xk ? 'col_major' : 'row_major'; // right matrix rows are k
  const emu = cfg.emulate;

  // Offsets of the 16x16 operand tiles (subgroup-uniform: from sg, loop counters and `cur`); i/j
  // is a literal in the real kernel and a loop variable in the emulation.
  const aOff = (i: string): string => (A.xk ? `ao + (rs + ${i}) * SA + kk` : `ao + kk * SA + rs + ${i}`);
  const bOff = (j: string): string => (B.xk ? `bo + (cs + ${j}) * SB + kk` : `bo + kk * SB + cs + ${j}`);
  let mma: string[], accDecl: string[], writeOut: string[];
  if (emu) {
    // Compact on purpose: lavapipe takes minutes to compile the fully unrolled form. The 16
    // result tiles t = 4 i + j live in one array, 8 values per lane each.
    accDecl = ['  var acc = array<f32, 128>();'];
    mma = [
      'for (var t = 0u; t < 16u; t++) {',
      `  emu_mma(${aOff('16u * (t / 4u)')}, ${bOff('16u * (t % 4u)')}, &acc, t * 8u, lane);`,
      '}',
    ];
    writeOut = [
      '  for (var t = 0u; t < 16u; t++) {',
      '    emu_store(sg * 256u, &acc, t * 8u, lane);',
      '    workgroupBarrier();',
      '    write_tile(r0 + rs + 16u * (t / 4u), c0 + cs + 16u * (t % 4u), sg * 256u, lane, ua, ub);',
      '    workgroupBarrier();',
      '  }',
    ];
  } else {
    mma = [];
    accDecl = [];
    writeOut = [];
    for (let i = 0; i < 4; i++) mma.push(`let a${i} = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, ${aMajor}>(&As, ${aOff(`${16 * i}u`)}, SA);`);
    for (let j = 0; j < 4; j++) mma.push(`let b${j} = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, ${bMajor}>(&Bs, ${bOff(`${16 * j}u`)}, SB);`);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const acc = `acc_${i}_${j}`;
        accDecl.push(`  var ${acc} = subgroup_matrix_result<f32, 16, 16>();`);
        mma.push(`${acc} = subgroupMatrixMultiplyAccumulate(a${i}, b${j}, ${acc});`);
        writeOut.push(
          `  subgroupMatrixStore<row_major>(&Cs, sg * 256u, ${acc}, 16u);`,
          '  workgroupBarrier();',
          `  write_tile(r0 + rs + ${16 * i}u, c0 + cs + ${16 * j}u, sg * 256u, lane, ua, ub);`,
          '  workgroupBarrier();',
        );
      }
    }
  }

  const fetch = (kb: string): string[] => [
    `if (interior && ${kb} + BK <= p.K) {`,
    ...[...sa.fast, ...sb.fast].map((l) => '  ' + l.replaceAll('@KB', kb)),
    '} else {',
    ...[...sa.checked, ...sb.checked].map((l) => '  ' + l.replaceAll('@KB', kb)),
    '}',
  ];
  const store = (aBase: string, bBase: string): string[] => [...sa.store(aBase), ...sb.store(bBase)];
  const mmaLoop = ['for (var kk = 0u; kk < BK; kk += 16u) {', ...mma.map((l) => '  ' + l), '}'];
  let loop: string[];
  if (cfg.double) {
    // Step k0 multiplies buffer `cur` while the next step's words are in flight, then stores them
    // into the other buffer, last read in step k0 - BK (before that step's closing barrier).
    loop = [
      ...fetch('0u'),
      ...store('0u', '0u'),
      'workgroupBarrier();',
      'var cur = 0u;',
      'for (var k0 = 0u; k0 < p.K; k0 += BK) {',
      '  let kn = k0 + BK;',
      '  let more = kn < p.K;',
      '  if (more) {',
      ...fetch('kn').map((l) => '    ' + l),
      '  }',
      '  let ao = cur * ABUF;',
      '  let bo = cur * BBUF;',
      ...mmaLoop.map((l) => '  ' + l),
      '  if (more) {',
      ...store('(1u - cur) * ABUF', '(1u - cur) * BBUF').map((l) => '    ' + l),
      '  }',
      '  workgroupBarrier();',
      '  cur = 1u - cur;',
      '}',
    ];
  } else {
    loop = [
      ...fetch('0u'),
      'for (var k0 = 0u; k0 < p.K; k0 += BK) {',
      ...store('0u', '0u').map((l) => '  ' + l),
      '  workgroupBarrier();',
      '  let kn = k0 + BK;',
      '  if (kn < p.K) {',
      ...fetch('kn').map((l) => '    ' + l),
      '  }',
      '  let ao = 0u;',
      '  let bo = 0u;',
      ...mmaLoop.map((l) => '  ' + l),
      '  workgroupBarrier();',
      '}',
    ];
  }

  const nbuf = cfg.double ? 2 : 1;
  const abuf = stagedSize(cfg.bk, cfg.pad, !A.xk, cfg.bm), bbuf = stagedSize(cfg.bk, cfg.pad, !B.xk, cfg.bn);
  const sg = emu
    ? { SG_ARGS: '', SG: '  let sg = tid / 32u;\n  let lane = tid % 32u;' }
    : cfg.syntax === 'subgroup_id'
      ? { SG_ARGS: ', @builtin(subgroup_id) sg: u32, @builtin(subgroup_invocation_id) lane: u32', SG: '' }
      : { SG_ARGS: ', @builtin(subgroup_invocation_id) lane: u32', SG: '  let sg = subgroupBroadcastFirst(tid / 32u);' };
  return {
    ...sg,
    ENABLES: emu ? 'enable f16;' : 'enable f16;\nenable subgroups;\nenable chromium_experimental_subgroup_matrix;',
    A_ELEM: A.vec ? 'vec4<u32>' : 'u32',
    B_ELEM: B.vec ? 'vec4<u32>' : 'u32',
    BK: cfg.bk,
    BM: cfg.bm,
    BN: cfg.bn,
    THREADS: 32 * nsg,
    CS_SIZE: 256 * nsg,
    C_BF16: cfg.cBf16,
    SA: A.stride,
    SB: B.stride,
    ABUF: abuf,
    BBUF: bbuf,
    AS_SIZE: nbuf * abuf,
    BS_SIZE: nbuf * bbuf,
    LOAD_A: loadA,
    LOAD_B: loadB,
    LOAD_A_PART: partA,
    LOAD_B_PART: partB,
    EMU_FNS: emu ? emuFns(A, B) : '',
    ACC_DECL: accDecl.join('\n'),
    STAGE_DECL: [...sa.decl, ...sb.decl].join('\n'),
    MAIN_LOOP: indent(loop, 2),
    WRITE_OUT: writeOut.join('\n'),
  };
}

/** The emulated subgroup matrices: operands are read straight from their workgroup-memory offsets
 *  (element (i, j) of a row_major operand at off + i*stride + j, of a col_major one at
 *  off + j*stride + i); lane l holds row l/2, columns (l%2)*8..+7 of each result tile. */
function emuFns(A: Operand, B: Operand): string {
  const aEl = A.xk ? 'ao + row * SA + k' : 'ao + k * SA + row';
  const bEl = B.xk ? 'bo + (col + e) * SB + k' : 'bo + k * SB + col + e';
  return `fn emu_mma(ao: u32, bo: u32, acc: ptr<function, array<f32, 128>>, at: u32, lane: u32) {
  let row = lane / 2u;
  let col = (lane % 2u) * 8u;
  for (var e = 0u; e < 8u; e++) {
    var s = 0.0;
    for (var k = 0u; k < 16u; k++) { s += f32(As[${aEl}]) * f32(Bs[${bEl}]); }
    (*acc)[at + e] += s;
  }
}
fn emu_store(base: u32, acc: ptr<function, array<f32, 128>>, at: u32, lane: u32) {
  for (var e = 0u; e < 8u; e++) { Cs[base + lane * 8u + e] = (*acc)[at + e]; }
}`;
}
