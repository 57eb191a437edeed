// Tensor-core GEMM on subgroup matrices (kernels/matmul-sgmat.wgsl) and the start-up check that
// lets 'auto' use it only after it agreed with the portable kernel on this device.
// bf16 -> f16 with a per-tensor power-of-two scale per operand: src/ops/f16-stage.ts.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { recordShifts } from './f16-stage.js';
import { dispatchGemmChunks, GEMM_PARAMS, type GemmChunk, type GemmDesc } from './matmul-plan.js';
import type { Sgmat2Options } from './matmul-sgmat2.js';

type Status = 'unavailable' | 'ok' | 'rejected';
/** How the kernel gets a subgroup-uniform subgroup index: the subgroup_id builtin, or a broadcast. */
export type Syntax = 'subgroup_id' | 'broadcast';

interface SgState {
  status: Status;
  /** Variant 2 (matmul-sgmat2.ts), checked after v1 by the same comparison. */
  status2: Status;
  syntax: Syntax;
}

const states = new WeakMap<Gpu, SgState>();

function state(gpu: Gpu): SgState {
  let s = states.get(gpu);
  if (!s) {
    s = { status: 'unavailable', status2: 'unavailable', syntax: 'subgroup_id' };
    states.set(gpu, s);
  }
  return s;
}

/** What checkMatmulPaths found on this device ('unavailable' until it has run). */
export function sgmatState(gpu: Gpu, variant: 'v1' | 'v2' = 'v1'): Status {
  return variant === 'v1' ? state(gpu).status : state(gpu).status2;
}

/** How kernels get a subgroup-uniform subgroup index on this device (set by the check). */
export function sgmatSyntax(gpu: Gpu): Syntax {
  return state(gpu).syntax;
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
 *  hold A's and B's exponent shifts (src/ops/f16-stage.ts; shared by v1 and v2). */
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

interface CheckOpts {
  accumulate?: boolean;
  path?: 'portable' | 'subgroup-matrix';
  sgmatVariant?: 'v1' | 'v2';
  sgmat2?: Sgmat2Options;
}
type LinearFn = (gpu: Gpu, a: Tensor, b: Tensor, out: Tensor, opts?: CheckOpts) => void;

/** What checkMatmulPaths compares against the portable kernel: v1, then v2 in the configurations
 *  the benchmarks run (default; K-major operands kept as stored; both transposed; prestaged f16;
 *  the 256x128 tile without and with the pre-pass). */
const V1 = [{ label: 'v1', opts: {} }];
const V2: { label: string; opts: CheckOpts }[] = [
  { label: 'v2', opts: { sgmatVariant: 'v2' } },
  { label: 'v2 keep', opts: { sgmatVariant: 'v2', sgmat2: { transposeA: false, transposeB: false } } },
  { label: 'v2 transposed', opts: { sgmatVariant: 'v2', sgmat2: { transposeA: true, transposeB: true } } },
  { label: 'v2 prestaged', opts: { sgmatVariant: 'v2', sgmat2: { prestage: true } } },
  { label: 'v2 256x128', opts: { sgmatVariant: 'v2', sgmat2: { tile: '256x128', bk: 32, double: false } } },
  { label: 'v2 256x128 prestaged', opts: { sgmatVariant: 'v2', sgmat2: { tile: '256x128', bk: 32, double: false, prestage: true } } },
];

interface Fns {
  linear: LinearFn;
  linearBackwardInput: LinearFn;
  linearBackwardWeight: LinearFn;
}

/** Compile the subgroup-matrix kernels (trying both ways to a uniform subgroup index), then run them against
 *  the portable kernel on seeded random bf16 inputs at a few shapes (non-tile multiples, all three
 *  layouts, bf16 and f32 outputs, accumulate, operands beyond f16's range). Sets the state 'auto'
 *  reads. Tolerance: both paths multiply the same bf16 values exactly and accumulate in f32, so
 *  they differ by summation order only: |diff| <= 1e-3 * max|portable| (f32 out) or bf16 rounding.
 *  Variant 2 (matmul-sgmat2.ts) goes through the same comparison afterwards; its verdict is
 *  `sgmat2` (and the first line of detail) and never changes v1's. */
export async function checkSubgroupMatrix(gpu: Gpu, fns: Fns, withV2 = false): Promise<{ subgroupMatrix: Status; sgmat2: Status; detail: string }> {
  const st = state(gpu);
  st.status = 'unavailable';
  if (withV2) st.status2 = 'unavailable'; // else an earlier v2 verdict stands
  if (!gpu.features.subgroupMatrix || !gpu.features.f16) {
    return { subgroupMatrix: 'unavailable', sgmat2: 'unavailable', detail: `device ${gpu.describe()} lacks ${!gpu.features.subgroupMatrix ? 'chromium-experimental-subgroup-matrix' : 'shader-f16'}` };
  }
  if (!hasF16Config(gpu)) {
    return { subgroupMatrix: 'unavailable', sgmat2: 'unavailable', detail: `no f16 x f16 -> f32 16x16x16 config among ${JSON.stringify(gpu.subgroupMatrixConfigs)}` };
  }
  // Compile every layout variant; fall back to a broadcast subgroup index if subgroup_id fails.
  const dummy = (rows: 'r' | 'k', cols: 'r' | 'c' | 'k'): { t: Tensor; rows: 'r' | 'c' | 'k'; cols: 'r' | 'c' | 'k' } => ({ t: null as unknown as Tensor, rows, cols });
  const layouts: GemmDesc[] = [
    { op: 'linear', a: dummy('r', 'k'), b: { ...dummy('r', 'k'), rows: 'c' }, c: dummy('r', 'c'), R: 0, C: 0, K: 0 },
    { op: 'linearBackwardInput', a: dummy('r', 'k'), b: dummy('k', 'c'), c: dummy('r', 'c'), R: 0, C: 0, K: 0 },
    { op: 'linearBackwardWeight', a: dummy('k', 'r'), b: dummy('k', 'c'), c: dummy('r', 'c'), R: 0, C: 0, K: 0 },
  ];
  const errors: string[] = [];
  let compiled = false;
  for (const syntax of ['subgroup_id', 'broadcast'] as const) {
    try {
      for (const g of layouts) for (const cb of [false, true]) await gpu.compile(sgmatDef(g, cb, syntax));
      st.syntax = syntax;
      compiled = true;
      break;
    } catch (e) {
      errors.push(`subgroup index from ${syntax}: ${shortMessage(e)}`);
    }
  }
  if (!compiled) {
    st.status = 'rejected';
    st.status2 = 'rejected';
    return { subgroupMatrix: 'rejected', sgmat2: 'rejected', detail: `compile failed (v1; v2 not tried):\n${errors.join('\n')}` };
  }
  const run = async (variants: { label: string; opts: CheckOpts }[]): Promise<{ status: Status; text: string }> => {
    try {
      const r = await compareWithPortable(gpu, fns, variants);
      return { status: r.ok ? 'ok' : 'rejected', text: r.text };
    } catch (e) {
      return { status: 'rejected', text: `run failed: ${shortMessage(e)}` };
    }
  };
  const v1 = await run(V1);
  st.status = v1.status;
  // v2 has never run on a GPU: checked only when asked (benchmarks, the device check), never on a
  // model load, so a device lost in it cannot cost a training run.
  const v2 = withV2 ? await run(V2) : { status: st.status2, text: `v2 not rechecked (checkMatmulPaths without v2): ${st.status2}` };
  st.status2 = v2.status;
  const detail = `sgmat2 (v2): ${v2.status}; subgroup index from ${st.syntax}\n${v1.text}\n${v2.text}`;
  return { subgroupMatrix: st.status, sgmat2: st.status2, detail };
}

/** A compile error without the generated code that the kernel's label repeats. */
function shortMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // v1's and v2's generated placeholders (string values of the consts object in the label)
  return m.replace(/,?"[A-Z_0-9]+":"(?:[^"\\]|\\.)*"/g, '').slice(0, 6000);
}

function seeded(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

async function compareWithPortable(gpu: Gpu, fns: Fns, variants: { label: string; opts: CheckOpts }[]): Promise<{ ok: boolean; text: string }> {
  const shapes: { M: number; N: number; K: number; scale: number; accumulate?: boolean }[] = [
    { M: 37, N: 70, K: 98, scale: 1 },
    { M: 300, N: 262, K: 330, scale: 1, accumulate: true },
    { M: 129, N: 256, K: 64, scale: 3e5 }, // beyond f16's range: needs the scale
    { M: 128, N: 130, K: 96, scale: 1e-6 }, // small values: would be subnormal in f16 unscaled
    { M: 256, N: 384, K: 200, scale: 1 }, // rows a multiple of 8 (v2's vec4 loads), interior tiles, K tail
  ];
  const lines: string[] = [];
  let ok = true;
  for (const [si, sh] of shapes.entries()) {
    const { M, N, K } = sh;
    const x = gpu.upload(seeded(M * K, 11 + si, sh.scale), [M, K], 'bf16', 'chk.x');
    const w = gpu.upload(seeded(N * K, 23 + si, sh.scale), [N, K], 'bf16', 'chk.w');
    const dy = gpu.upload(seeded(M * N, 37 + si, sh.scale), [M, N], 'bf16', 'chk.dy');
    const runs: [string, LinearFn, Tensor, Tensor, number[]][] = [
      ['xwT', fns.linear, x, w, [M, N]],
      ['dyW', fns.linearBackwardInput, dy, w, [M, K]],
      ['dyTx', fns.linearBackwardWeight, dy, x, [N, K]],
    ];
    for (const [name, fn, a, b, shape] of runs) {
      for (const outT of ['f32', 'bf16'] as const) {
        const acc = outT === 'f32' && !!sh.accumulate;
        const init = acc ? seeded(shape[0] * shape[1], 5, sh.scale * sh.scale * K) : null;
        const ref = init ? gpu.upload(init, shape, 'f32') : gpu.empty(shape, outT);
        fn(gpu, a, b, ref, { path: 'portable', accumulate: acc });
        const r = await gpu.readF32(ref);
        ref.destroy();
        for (const v of variants) {
          const got = init ? gpu.upload(init, shape, 'f32') : gpu.empty(shape, outT);
          fn(gpu, a, b, got, { ...v.opts, path: 'subgroup-matrix', accumulate: acc });
          const g = await gpu.readF32(got);
          got.destroy();
          let maxRef = 0, maxDiff = 0, bad = 0;
          for (let i = 0; i < r.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(r[i]));
            const d = Math.abs(r[i] - g[i]);
            if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
          }
          const tol = 1e-3 * maxRef; // bf16 out: plus one bf16 rounding of the same f32 sum
          for (let i = 0; i < r.length; i++) {
            const d = Math.abs(r[i] - g[i]);
            const lim = outT === 'f32' ? tol : tol + 2 ** -7 * Math.abs(r[i]);
            if (!(d <= lim)) bad++;
          }
          const pass = bad === 0 && maxRef > 0;
          ok &&= pass;
          lines.push(`${pass ? 'ok ' : 'BAD'} ${v.label} ${name} M=${M} N=${N} K=${K} scale=${sh.scale} ${outT}${acc ? ' acc' : ''}: max|ref|=${maxRef.toExponential(3)} max|diff|=${maxDiff.toExponential(3)} bad=${bad}`);
        }
      }
    }
    x.destroy();
    w.destroy();
    dy.destroy();
  }
  return { ok, text: lines.join('\n') };
}
