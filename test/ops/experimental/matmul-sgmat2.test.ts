// Tensor-core GEMM variant 2 (src/ops/experimental/matmul-sgmat2.ts). Lavapipe has no subgroup
// matrices, so the kernel runs here in its emulated form (subgroup-matrix builtins swapped for f32
// loops over the same workgroup-memory offsets): that checks the vec4/scalar staging, bounds
// checks, unchecked interior tiles, double buffering, transposed staging, the scales and the
// write-out against the float64 reference. The generator tests pin that the emulated kernel's
// staging code is the real kernel's. Each emulated pipeline takes lavapipe ~5-15 s to compile (LLVM
// coroutines for the barriers), so the default run compiles one; MATMUL_SLOW=1 runs every layout
// and configuration. Tolerance per element as in matmul.test.ts: rtol*|want| + 1e-5 * sum_k |a||b|.
import { describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '../../../src/gpu/gpu.js';
import type { Tensor } from '../../../src/gpu/tensor.js';
import { linear, linearBackwardInput, linearBackwardWeight, type MatmulOpts } from '../../../src/ops/matmul.js';
import '../../../src/ops/experimental/index.js'; // registers the v2 GEMM
import { sgmat2Def, smemBytes, type Sgmat2Config, type Sgmat2Options } from '../../../src/ops/experimental/matmul-sgmat2.js';
import { matmulAB, matmulABt, matmulAtB } from '../../../src/ops/ref/index.js';
import { randn } from '../../gpu/util.js';

type Layout = 'xwT' | 'dyW' | 'dyTx';
const SLOW = process.env.MATMUL_SLOW === '1';
const abs = (v: Float64Array): Float64Array => v.map(Math.abs);

interface Case {
  layout: Layout;
  M: number;
  N: number;
  K: number;
  outT: 'bf16' | 'f32';
  cfg: Sgmat2Options;
  accumulate?: boolean;
  maxBindingBytes?: number;
  /** Input magnitude (exercises the power-of-two f16 scales). */
  scale?: number;
}

async function runCase(gpu: Gpu, c: Case, seed: number): Promise<void> {
  const { M, N, K, outT } = c;
  const sc = c.scale ?? 1;
  const x = randn(M * K, seed, sc, true), w = randn(N * K, seed + 1, sc, true), dy = randn(M * N, seed + 2, sc, true);
  const opts: MatmulOpts = { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: { emulate: true, ...c.cfg }, accumulate: c.accumulate, maxBindingBytes: c.maxBindingBytes };
  let want: Float64Array, mag: Float64Array, outShape: number[], run: (o: Tensor) => void;
  const ts: Tensor[] = [];
  const up = (v: Float64Array, shape: number[], label: string): Tensor => {
    const t = gpu.upload(v, shape, 'bf16', label);
    ts.push(t);
    return t;
  };
  if (c.layout === 'xwT') {
    [outShape, want, mag] = [[M, N], matmulABt(x, w, M, K, N), matmulABt(abs(x), abs(w), M, K, N)];
    const tx = up(x, [M, K], 'x'), tw = up(w, [N, K], 'w');
    run = (o) => linear(gpu, tx, tw, o, opts);
  } else if (c.layout === 'dyW') {
    [outShape, want, mag] = [[M, K], matmulAB(dy, w, M, N, K), matmulAB(abs(dy), abs(w), M, N, K)];
    const tdy = up(dy, [M, N], 'dy'), tw = up(w, [N, K], 'w');
    run = (o) => linearBackwardInput(gpu, tdy, tw, o, opts);
  } else {
    [outShape, want, mag] = [[N, K], matmulAtB(dy, x, M, N, K), matmulAtB(abs(dy), abs(x), M, N, K)];
    const tdy = up(dy, [M, N], 'dy'), tx = up(x, [M, K], 'x');
    run = (o) => linearBackwardWeight(gpu, tdy, tx, o, opts);
  }
  const init = c.accumulate ? randn(want.length, seed + 3, sc * sc) : null;
  const out = init ? gpu.upload(init, outShape, outT, 'out') : gpu.empty(outShape, outT, 'out');
  run(out);
  const got = await gpu.readF32(out);
  for (const t of [...ts, out]) t.destroy();
  const rtol = outT === 'bf16' ? 1e-2 : 0;
  let worst = { r: 0, i: -1 };
  for (let i = 0; i < want.length; i++) {
    const w0 = want[i] + (init ? init[i] : 0);
    const r = Math.abs(got[i] - w0) / (rtol * Math.abs(w0) + 1e-5 * (mag[i] + (init ? Math.abs(init[i]) : 0)) + 1e-30);
    if (!(r <= worst.r)) worst = { r: Number.isNaN(r) ? Infinity : r, i };
  }
  if (worst.r > 1) {
    const i = worst.i, [rows, cols] = outShape;
    throw new Error(`${c.layout} M=${M} N=${N} K=${K} ->${outT}: mismatch at [${Math.floor(i / cols)}, ${i % cols}] of [${rows}, ${cols}]: got ${got[i]} want ${want[i] + (init ? init[i] : 0)} (ratio ${worst.r.toFixed(2)})`);
  }
}

const tag = (c: Case): string =>
  `${c.layout} M=${c.M} N=${c.N} K=${c.K} bf16->${c.outT} ${JSON.stringify(c.cfg)}${c.accumulate ? ' acc' : ''}${c.maxBindingBytes ? ` cap ${c.maxBindingBytes}` : ''}${c.scale ? ` scale ${c.scale}` : ''}`;

describe('matmul sgmat2 (emulated subgroup matrices) vs float64 reference', () => {
  // bk 32 with double buffering (the production config) needs 45 KiB of workgroup memory, lavapipe
  // has 32 KiB: here double buffering runs at bk 16 and bk 32 runs single-buffered.
  const DB: Sgmat2Options = { bk: 16, double: true };
  const SB: Sgmat2Options = { bk: 32, double: false };
  // One pipeline (dyW: W K-major, staged transposed; rows of 262 / 330 elements: scalar word loads)
  // run on two shapes: edge tiles and a K tail, then interior tiles, accumulate and a tail of 6.
  const cases: Case[] = [
    { layout: 'dyW', M: 37, N: 70, K: 98, outT: 'f32', cfg: DB },
    { layout: 'dyW', M: 300, N: 262, K: 330, outT: 'f32', cfg: DB, accumulate: true },
    // Prestaged operands (f16 pre-pass with the scales applied there), beyond f16's range.
    { layout: 'xwT', M: 129, N: 256, K: 64, outT: 'f32', cfg: { ...DB, prestage: true }, scale: 3e5 },
    // 256x128 tile (8 subgroups): both K-major operands staged transposed, odd sizes, a K tail.
    { layout: 'dyTx', M: 70, N: 300, K: 138, outT: 'f32', cfg: { bk: 16, double: false, tile: '256x128', transposeA: true, transposeB: true } },
  ];
  if (SLOW) {
    for (const layout of ['xwT', 'dyW', 'dyTx'] as const) {
      // Rows a multiple of 8: vec4 loads, interior tiles and a K tail.
      cases.push({ layout, M: 256, N: 384, K: 200, outT: 'bf16', cfg: DB });
      cases.push({ layout, M: 256, N: 384, K: 200, outT: 'f32', cfg: SB, accumulate: true });
      // Odd sizes: scalar loads with partial words at every edge.
      cases.push({ layout, M: 45, N: 70, K: 98, outT: 'bf16', cfg: SB });
    }
    // K-major operands kept as stored / both transposed.
    cases.push({ layout: 'dyW', M: 256, N: 384, K: 200, outT: 'f32', cfg: { ...DB, transposeB: false } });
    cases.push({ layout: 'dyTx', M: 256, N: 384, K: 200, outT: 'f32', cfg: { ...DB, transposeA: true, transposeB: true } });
    cases.push({ layout: 'dyTx', M: 37, N: 70, K: 98, outT: 'bf16', cfg: { ...SB, transposeA: true, transposeB: true } });
    // Row chunks and K chunks (a bf16 output then goes through an f32 buffer).
    cases.push({ layout: 'dyW', M: 45, N: 266, K: 82, outT: 'bf16', cfg: DB, maxBindingBytes: 16384 });
    cases.push({ layout: 'xwT', M: 45, N: 266, K: 96, outT: 'f32', cfg: DB, maxBindingBytes: 16384, accumulate: true });
    // Beyond f16's range and below its normal range: the scales.
    cases.push({ layout: 'xwT', M: 129, N: 256, K: 64, outT: 'f32', cfg: DB, scale: 3e5 });
    cases.push({ layout: 'xwT', M: 129, N: 256, K: 64, outT: 'f32', cfg: DB, scale: 1e-6 });
    cases.push({ layout: 'xwT', M: 64, N: 64, K: 64, outT: 'f32', cfg: { bk: 16, double: false, pad: 16 } });
    // 8-subgroup tiles in every layout and staging (single-buffered: lavapipe's 32 KiB).
    for (const tile of ['256x128', '128x256'] as const) {
      const T1: Sgmat2Options = { bk: 16, double: false, tile };
      cases.push({ layout: 'xwT', M: 300, N: 270, K: 136, outT: 'bf16', cfg: T1 });
      cases.push({ layout: 'dyW', M: 290, N: 262, K: 264, outT: 'f32', cfg: T1, accumulate: true });
      cases.push({ layout: 'dyW', M: 45, N: 70, K: 98, outT: 'f32', cfg: { ...T1, transposeB: false } });
      cases.push({ layout: 'dyTx', M: 256, N: 384, K: 272, outT: 'f32', cfg: { ...T1, prestage: true } });
    }
    // Prestaged: odd sizes in every layout, row chunks of the pre-pass, tiny values.
    for (const layout of ['xwT', 'dyW', 'dyTx'] as const) cases.push({ layout, M: 45, N: 70, K: 98, outT: 'bf16', cfg: { ...DB, prestage: true } });
    cases.push({ layout: 'dyW', M: 45, N: 266, K: 82, outT: 'f32', cfg: { ...DB, prestage: true }, maxBindingBytes: 16384, accumulate: true });
    cases.push({ layout: 'xwT', M: 129, N: 256, K: 64, outT: 'f32', cfg: { ...DB, prestage: true }, scale: 1e-6 });
  }
  cases.forEach((c, i) => {
    it(tag(c), async () => {
      const gpu = await getGpu();
      if (!gpu.features.f16) return; // the emulation still needs f16 workgroup memory
      await runCase(gpu, c, 500 + 11 * i);
    });
  });

  it('refuses a configuration over the workgroup-memory limit, naming it', async () => {
    const gpu = await getGpu();
    const x = gpu.empty([4, 8], 'bf16', 'x'), w = gpu.empty([8, 8], 'bf16', 'w'), y = gpu.empty([4, 8], 'f32', 'y');
    const need = smemBytes({ bk: 32, bm: 128, bn: 128, double: true, pad: 8, aKR: false, bKC: false, transposeA: false, transposeB: false });
    expect(need).toBe(45056); // fits the H200's 48 KiB
    const run = (): void => linear(gpu, x, w, y, { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: { emulate: true } });
    if (gpu.limits.maxComputeWorkgroupStorageSize < need) expect(run).toThrow(/linear: sgmat2 config 128x128 bk=32 double=true pad=8 needs 45056 bytes/);
    // 8 subgroups: 256x128 double-buffered at bk 32 is over the H200's 48 KiB too.
    expect(smemBytes({ bk: 32, bm: 256, bn: 128, double: true, pad: 8, aKR: false, bKC: false, transposeA: false, transposeB: false })).toBe(2 * (256 + 128) * 40 * 2 + 8 * 1024);
    expect(() => linear(gpu, x, w, y, { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: { emulate: true, bk: 16, pad: 4 } })).toThrow(/pad 4 must be a multiple of 8/);
  });
});

describe('sgmat2 kernel generator', () => {
  const base: Sgmat2Config = { bk: 32, bm: 128, bn: 128, double: true, pad: 8, aKR: false, bKC: false, transposeA: false, transposeB: false, vecA: true, vecB: true, cBf16: true, f16In: false, emulate: false, syntax: 'subgroup_id' };
  const layouts: [string, Partial<Sgmat2Config>][] = [
    ['linear', {}],
    ['linearBackwardInput', { bKC: true, transposeB: true }],
    ['linearBackwardInput', { bKC: true }],
    ['linearBackwardWeight', { aKR: true, bKC: true }],
    ['linearBackwardWeight', { aKR: true, bKC: true, transposeA: true, transposeB: true, vecA: false, bk: 16, double: false }],
  ];

  it('emits the real kernel with 16 accumulators and the emulated one with the same staging code', () => {
    for (const [op, over] of layouts) {
      const cfg = { ...base, ...over };
      const real = sgmat2Def({ op }, cfg).consts as Record<string, string>;
      const emu = sgmat2Def({ op }, { ...cfg, emulate: true }).consts as Record<string, string>;
      const what = `${op} ${JSON.stringify(over)}`;
      expect(real.ENABLES, what).toContain('enable chromium_experimental_subgroup_matrix;');
      expect(emu.ENABLES, what).not.toContain('subgroup');
      expect(real.MAIN_LOOP.match(/subgroupMatrixMultiplyAccumulate/g)?.length, what).toBe(16);
      expect(real.MAIN_LOOP.match(/subgroupMatrixLoad/g)?.length, what).toBe(8);
      expect(real.WRITE_OUT.match(/subgroupMatrixStore/g)?.length, what).toBe(16);
      expect(real.EMU_FNS + real.MAIN_LOOP + real.WRITE_OUT, what).not.toContain('emu_');
      for (const k of ['STAGE_DECL', 'LOAD_A', 'LOAD_B', 'LOAD_A_PART', 'LOAD_B_PART', 'SA', 'SB', 'ABUF', 'BBUF', 'AS_SIZE', 'BS_SIZE']) expect(emu[k], `${what} ${k}`).toBe(real[k]);
      // The main loops differ only inside the multiply loop over kk.
      const strip = (s: string): string => s.replace(/for \(var kk = 0u; kk < BK; kk \+= 16u\) \{[\s\S]*?\n {4}\}\n/, 'MMA\n');
      expect(strip(emu.MAIN_LOOP), what).toBe(strip(real.MAIN_LOOP));
      expect(strip(real.MAIN_LOOP), what).toContain('MMA');
    }
  });

  it('offsets the matrix loads by the staged layout', () => {
    const dyW = sgmat2Def({ op: 'linearBackwardInput' }, { ...base, bKC: true, transposeB: false }).consts as Record<string, string>;
    expect(dyW.MAIN_LOOP).toContain('subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(&Bs, bo + kk * SB + cs + 0u, SB)');
    expect(dyW.SB).toBe(136);
    const dyWt = sgmat2Def({ op: 'linearBackwardInput' }, { ...base, bKC: true, transposeB: true }).consts as Record<string, string>;
    expect(dyWt.MAIN_LOOP).toContain('subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&Bs, bo + (cs + 16u) * SB + kk, SB)');
    expect(dyWt.SB).toBe(40);
    expect(dyWt.MAIN_LOOP).toContain('Bs[s + 40u] = h0.y;'); // transposed: 8 elements down a staged column
  });

  it('sizes 8-subgroup tiles: threads, write-out space and staging groups per thread', () => {
    for (const [bm, bn] of [[256, 128], [128, 256]] as const) {
      const c = sgmat2Def({ op: 'linear' }, { ...base, bm, bn }).consts as Record<string, string | number>;
      expect([c.THREADS, c.CS_SIZE, c.BM, c.BN]).toEqual([256, 2048, bm, bn]);
      // X*bk/(8*256) groups of 8 per thread: 4 for the 256-wide operand, 2 for the other.
      const groups = (n: 'a' | 'b'): number => (String(c.STAGE_DECL).match(new RegExp(`var w${n}\\d`, 'g')) ?? []).length;
      expect([groups('a'), groups('b')]).toEqual(bm === 256 ? [4, 2] : [2, 4]);
    }
    expect((sgmat2Def({ op: 'linear' }, base).consts as Record<string, number>).THREADS).toBe(128);
  });

  it('stages prestaged f16 words without conversion', () => {
    const bf = sgmat2Def({ op: 'linear' }, base).consts as Record<string, string>;
    const f16 = sgmat2Def({ op: 'linear' }, { ...base, f16In: true }).consts as Record<string, string>;
    expect(bf.MAIN_LOOP).toContain('to_f16(wa0.x, sa)');
    expect(f16.MAIN_LOOP).not.toContain('to_f16(');
    expect(f16.MAIN_LOOP).toContain('let h0 = bitcast<vec2<f16>>(wa0.x);');
    expect(f16.MAIN_LOOP.replace(/bitcast<vec2<f16>>\((w[ab]\d\.[xyzw])\)/g, 'X($1)')).toBe(bf.MAIN_LOOP.replace(/to_f16\((w[ab]\d\.[xyzw]), s[ab]\)/g, 'X($1)'));
  });
});
