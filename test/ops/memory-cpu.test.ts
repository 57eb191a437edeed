// The CPU-shaped forms of the memory-bound kernels (the device's memory variant 'cpu',
// src/gpu/variants.ts: workgroups of one SIMD vector, many units per invocation) against the
// portable forms and the float64 reference, on the same random inputs at odd sizes (tails, ragged
// last workgroups, several spans). Run on any device: both forms are plain WGSL (the RMSNorm
// backward's CPU form needs subgroups of cpuLanes, else it falls back to the portable kernel,
// which the dispatch check below would report).
// Tolerances: the elementwise ops (residual adds, casts, SwiGLU, RoPE, the embedding gather and
// scatter-add) do the same arithmetic per element in both forms, so their outputs must be
// bit-identical, and within the op's own test's tolerance of the float64 reference (bf16: one
// rounding, rtol 1e-2 + atol 1e-3..2e-3; f32 1e-5; embedding: exact, and 1e-6 for its sums).
// RMSNorm's backward sums a row, and dw over rows, in another order: dx within 2 bf16 ulps of the
// portable form's and of the reference (atol 1e-2 for its cancellation, as test/ops/rmsnorm.test.ts),
// f32 dx within 1e-5; dw within 1e-4 relative + 1e-3 absolute of the reference and within 1e-5 of
// the portable form's (relative, plus 1e-5 of its largest |dw|: f32 sums over ~1000 rows in
// another order), with the same bits on a repeat (deterministic).
import { afterEach, describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '../../src/gpu/gpu.js';
import { dispatched } from '../helpers/sampling-checks.js';
import type { DType, Tensor } from '../../src/gpu/tensor.js';
import { cast } from '../../src/ops/cast.js';
import { embeddingBackward, embeddingForward } from '../../src/ops/embedding.js';
import { add, addInPlace } from '../../src/ops/residual.js';
import { rmsnormBackward, rmsnormForward } from '../../src/ops/rmsnorm.js';
import { ropeBackward, ropeForward } from '../../src/ops/rope.js';
import { swigluBackward, swigluForward } from '../../src/ops/swiglu.js';
import * as ref from '../../src/ops/ref/index.js';
import { closeness, expectClose, randn, roundBf16 } from '../gpu/util.js';

type Variant = 'portable' | 'cpu';
const VARIANTS: Variant[] = ['portable', 'cpu'];


/** Runs `record` for both variants (fresh outputs from `outs`), checks that the CPU form dispatched
 *  only `_cpu` kernels (besides `also`) and the portable one none, and reads the outputs back. */
async function both(gpu: Gpu, outs: () => Tensor[], record: (v: Variant, o: Tensor[]) => void, also: RegExp = /^$/): Promise<Record<Variant, Float32Array[]>> {
  const res = {} as Record<Variant, Float32Array[]>;
  for (const v of VARIANTS) {
    const o = outs();
    const names = dispatched(gpu, () => record(v, o));
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) if (!also.test(n)) expect(n.endsWith('_cpu'), `${v} dispatched ${n}`).toBe(v === 'cpu');
    res[v] = [];
    for (const t of o) res[v].push(await gpu.readF32(t));
    o.forEach((t) => t.destroy());
  }
  return res;
}

function expectSameBits(a: Float32Array, b: Float32Array, what: string): void {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const at = ua.findIndex((x, i) => x !== ub[i]);
  if (at >= 0) throw new Error(`${what}: cpu and portable differ at [${at}]: ${a[at]} vs ${b[at]}`);
}

const rounder = (dt: DType) => (v: number) => (dt === 'bf16' ? roundBf16(v) : Math.fround(v));
const live: Tensor[] = [];
const keep = <T extends Tensor>(t: T): T => (live.push(t), t);
afterEach(() => live.splice(0).forEach((t) => t.destroy()));

// n: odd element counts; 36877 = 8 lanes x 64 units x 9 workgroups x 8 + 13 (full runs of 64 units
// per invocation, a ragged last workgroup and a 5-element pair-mode tail).
describe('residual adds and casts: cpu and portable forms', () => {
  for (const [n, maxBindingBytes] of [[1001, undefined], [36877, undefined], [36877, 4096]] as [number, number | undefined][]) {
    it(`add bf16 + bf16 -> bf16 and f32 += bf16, n=${n}${maxBindingBytes ? ', 4 kB bindings' : ''}`, async () => {
      const gpu = await getGpu();
      const a = randn(n, 1, 3, true);
      const b = randn(n, 2, 3, true);
      const at = keep(gpu.upload(Float32Array.from(a), [n], 'bf16', 'a'));
      const bt = keep(gpu.upload(Float32Array.from(b), [n], 'bf16', 'b'));
      const sum = await both(gpu, () => [gpu.empty([n], 'bf16', 'out')], (variant, [o]) => add(gpu, at, bt, o!, { variant, maxBindingBytes }));
      expectSameBits(sum.cpu[0]!, sum.portable[0]!, 'add');
      expectClose(sum.cpu[0]!, ref.residualForward(a, b).map(rounder('bf16')), 1e-30, 0, 'add vs reference');
      const acc0 = randn(n, 3, 3, false);
      const inplace = await both(
        gpu,
        () => [gpu.upload(Float32Array.from(acc0), [n], 'f32', 'acc')],
        (variant, [acc]) => addInPlace(gpu, acc!, bt, { variant, maxBindingBytes }),
      );
      expectSameBits(inplace.cpu[0]!, inplace.portable[0]!, 'addInPlace');
      expectClose(inplace.cpu[0]!, ref.residualForward(acc0, b).map(rounder('f32')), 1e-30, 0, 'addInPlace vs reference');
    });
  }

  it('cast f32 -> bf16 -> f32, n=36877', async () => {
    const gpu = await getGpu();
    const n = 36877;
    const x = randn(n, 4, 5, false);
    const xt = keep(gpu.upload(Float32Array.from(x), [n], 'f32', 'x'));
    const down = await both(gpu, () => [gpu.empty([n], 'bf16', 'bf')], (variant, [o]) => cast(gpu, xt, o!, { variant }));
    expectSameBits(down.cpu[0]!, down.portable[0]!, 'cast f32 -> bf16');
    expectClose(down.cpu[0]!, Array.from(x, rounder('bf16')), 1e-30, 0, 'cast f32 -> bf16 vs reference');
    const bt = keep(gpu.upload(down.cpu[0]!, [n], 'bf16', 'bf'));
    const up = await both(gpu, () => [gpu.empty([n], 'f32', 'f')], (variant, [o]) => cast(gpu, bt, o!, { variant }));
    expectSameBits(up.cpu[0]!, up.portable[0]!, 'cast bf16 -> f32');
    expectSameBits(up.cpu[0]!, down.cpu[0]!, 'cast bf16 -> f32 round trip');
  });
});

describe('swiglu: cpu and portable forms', () => {
  const TOL: Record<string, [number, number]> = { bf16: [1e-3, 1e-2], f32: [1e-5, 1e-5] };
  for (const [n, dtype] of [[36877, 'bf16'], [1001, 'f32']] as [number, DType][]) {
    it(`${dtype} n=${n}, forward and backward`, async () => {
      const gpu = await getGpu();
      const bf = dtype === 'bf16';
      const g = randn(n, 5, 6, bf);
      const u = randn(n, 6, 2, bf);
      const d = randn(n, 7, 1, bf);
      const [gt, ut, dt] = [g, u, d].map((v, k) => keep(gpu.upload(Float32Array.from(v), [n], dtype, `in${k}`)));
      const r = await both(
        gpu,
        () => ['out', 'dGate', 'dUp'].map((l) => gpu.empty([n], dtype, l)),
        (variant, [o, dg, du]) => {
          swigluForward(gpu, gt!, ut!, o!, { variant });
          swigluBackward(gpu, dt!, gt!, ut!, dg!, du!, { variant });
        },
      );
      const [atol, rtol] = TOL[dtype]!;
      const rb = ref.swigluBackward(d, g, u);
      const want = [ref.swigluForward(g, u), rb.dg, rb.du];
      ['out', 'dGate', 'dUp'].forEach((name, k) => {
        expectSameBits(r.cpu[k]!, r.portable[k]!, `swiglu ${name}`);
        expectClose(r.cpu[k]!, want[k]!, atol, rtol, `swiglu ${name} vs reference`);
      });
    });
  }
});

describe('rope: cpu and portable forms', () => {
  const packed = (lengths: number[]): number[] => Array.from(ref.positionsFromCuSeqlens(ref.cuSeqlensFromLengths(lengths)));
  const TOL: Record<string, [number, number]> = { bf16: [2e-3, 1e-2], f32: [2e-5, 1e-5] };
  for (const [lengths, heads, hd, dtype, maxBindingBytes] of [
    [[613, 401, 7], 3, 16, 'bf16', undefined],
    [[613, 401, 7], 2, 6, 'f32', undefined],
    [[300, 211], 4, 16, 'bf16', 8192],
  ] as [number[], number, number, DType, number | undefined][]) {
    it(`${dtype} hd=${hd}, ${heads} heads, sequences ${lengths.join('+')}${maxBindingBytes ? ', 8 kB bindings' : ''}`, async () => {
      const gpu = await getGpu();
      const positions = packed(lengths);
      const T = positions.length;
      const bf = dtype === 'bf16';
      const x = randn(T * heads * hd, 8, 2, bf);
      const pos = keep(gpu.upload(positions, [T], 'u32', 'positions'));
      const xt = keep(gpu.upload(Float32Array.from(x), [T, heads * hd], dtype, 'x'));
      const dims = { tokens: T, heads, headDim: hd, theta: 1e6 };
      const r = await both(
        gpu,
        () => ['out', 'back'].map((l) => gpu.empty([T, heads * hd], dtype, l)),
        (variant, [o, b]) => {
          ropeForward(gpu, xt, pos, o!, dims, { variant, maxBindingBytes });
          ropeBackward(gpu, xt, pos, b!, dims, { variant, maxBindingBytes });
        },
      );
      const [atol, rtol] = TOL[dtype]!;
      expectSameBits(r.cpu[0]!, r.portable[0]!, 'rope fwd');
      expectSameBits(r.cpu[1]!, r.portable[1]!, 'rope bwd');
      expectClose(r.cpu[0]!, ref.ropeForward(x, T, heads, hd, positions, 1e6), atol, rtol, 'rope fwd vs reference');
      expectClose(r.cpu[1]!, ref.ropeBackward(x, T, heads, hd, positions, 1e6), atol, rtol, 'rope bwd vs reference');
    });
  }
});

describe('embedding: cpu and portable forms', () => {
  // [V, H, T, dtype, maxBindingBytes]: vectorised and pair rows, hot repeated ids, a table chunked
  // over vocab rows.
  for (const [V, H, T, dtype, maxBindingBytes] of [
    [5003, 64, 1001, 'bf16', undefined],
    [1001, 70, 101, 'bf16', 16384],
    [1001, 69, 203, 'f32', undefined],
  ] as [number, number, number, DType, number | undefined][]) {
    it(`${dtype} V=${V} H=${H} T=${T}${maxBindingBytes ? ', 16 kB bindings' : ''}`, async () => {
      const gpu = await getGpu();
      const rng = ref.makeRng(13);
      const ids = Uint32Array.from({ length: T }, (_, t) => (t % 3 === 0 ? [0, 7, V - 1][(t / 3) % 3]! : Math.floor(rng() * V)));
      const table = randn(V * H, 14, 1, true);
      const dOut = randn(T * H, 15, 1, dtype === 'bf16');
      const dT0 = randn(V * H, 16, 1, false);
      const idsT = keep(gpu.upload(ids, [T], 'u32', 'ids'));
      const tableT = keep(gpu.upload(Float32Array.from(table), [V, H], dtype, 'table'));
      const dOutT = keep(gpu.upload(Float32Array.from(dOut), [T, H], dtype, 'dOut'));
      const r = await both(
        gpu,
        () => [gpu.empty([T, H], dtype, 'out'), gpu.upload(Float32Array.from(dT0), [V, H], 'f32', 'dTable')],
        (variant, [out, dTable]) => {
          embeddingForward(gpu, idsT, tableT, out!, { variant, maxBindingBytes });
          embeddingBackward(gpu, idsT, dOutT, dTable!, { variant, maxBindingBytes, hostIds: ids });
        },
      );
      expectSameBits(r.cpu[0]!, r.portable[0]!, 'embedding fwd');
      expectSameBits(r.cpu[1]!, r.portable[1]!, 'embedding bwd');
      expectClose(r.cpu[0]!, ref.embeddingForward(table, ids, V, H), 1e-30, 0, 'embedding fwd vs reference');
      expectClose(r.cpu[1]!, ref.embeddingBackward(dOut, ids, V, H).map((v, i) => v + dT0[i]!), 1e-6, 1e-6, 'embedding bwd vs reference');
    });
  }
});

describe('rmsnorm backward: cpu and portable forms', () => {
  // [rows, dim, dtype, maxBindingBytes]: a row per lane (dim 16: 2 vec4 units; f32 dim 13: 7 pairs,
  // the last one short), lanes sharing a row (dim 64: 8 units, 128: 16, bf16 22: 11 pairs, 70: 35
  // pairs), several binding spans.
  for (const [rows, dim, dtype, maxBindingBytes] of [
    [1001, 16, 'bf16', undefined],
    [203, 13, 'f32', undefined],
    [1001, 64, 'bf16', undefined],
    [37, 22, 'bf16', undefined],
    [301, 70, 'bf16', undefined],
    [300, 128, 'bf16', undefined],
    [1100, 64, 'bf16', 20000],
  ] as [number, number, DType, number | undefined][]) {
    it(`${dtype} rows=${rows} dim=${dim}${maxBindingBytes ? ', 20 kB bindings' : ''}`, async () => {
      const gpu = await getGpu();
      const bf = dtype === 'bf16';
      const eps = 1e-6;
      const x = randn(rows * dim, 9, 2, bf);
      const w = randn(dim, 10, 0.5).map((v) => roundBf16(v + 1));
      const dy = randn(rows * dim, 11, 1, bf);
      const dw0 = randn(dim, 12, 1, false);
      const xt = keep(gpu.upload(Float32Array.from(x), [rows, dim], dtype, 'x'));
      const wt = keep(gpu.upload(Float32Array.from(w), [dim], 'bf16', 'w'));
      const dyt = keep(gpu.upload(Float32Array.from(dy), [rows, dim], dtype, 'dy'));
      const rstd = keep(gpu.empty([rows], 'f32', 'rstd'));
      const dims = { rows, dim, eps };
      rmsnormForward(gpu, xt, wt, keep(gpu.empty([rows, dim], dtype, 'y')), rstd, dims);
      const record = (variant: Variant, [dx, dw]: Tensor[]): void => rmsnormBackward(gpu, dyt, xt, wt, rstd, dx!, dw!, dims, { variant, maxBindingBytes });
      const outs = (): Tensor[] => [gpu.empty([rows, dim], dtype, 'dx'), gpu.upload(Float32Array.from(dw0), [dim], 'f32', 'dw')];
      // The partial rows' reduction (rmsnorm_dw_reduce) is shared by both forms.
      const r = await both(gpu, outs, record, /^rmsnorm_dw_reduce$/);
      const g = ref.rmsnormBackward(dy, x, w, rows, dim, eps);
      const dxTol: [number, number] = bf ? [1e-2, 1e-2] : [1e-5, 1e-5];
      expectClose(r.cpu[0]!, g.dx, ...dxTol, 'dx vs reference');
      expectClose(r.cpu[0]!, r.portable[0]!, ...dxTol, 'dx vs portable');
      const dwWant = g.dw.map((v, i) => v + dw0[i]!);
      expectClose(r.cpu[1]!, dwWant, 1e-3, 1e-4, 'dw vs reference');
      const dwMax = Math.max(...Array.from(r.portable[1]!, Math.abs));
      expect(closeness(r.cpu[1]!, r.portable[1]!, 1e-5 * dwMax, 1e-5).ratio, 'dw vs portable').toBeLessThanOrEqual(1);
      // Deterministic: the same bits again.
      const again = await both(gpu, outs, record, /^rmsnorm_dw_reduce$/);
      expectSameBits(again.cpu[0]!, r.cpu[0]!, 'dx repeat');
      expectSameBits(again.cpu[1]!, r.cpu[1]!, 'dw repeat');
    });
  }
});

describe('the bench copy kernel (kernels/copy-cpu.wgsl)', () => {
  it('copies n4 vec4 words, whole blocks and a ragged last one, and nothing past them', async () => {
    const gpu = await getGpu();
    const lanes = gpu.cpuLanes;
    const per = 4;
    const n4 = lanes * per * 3 + 5;
    const src = keep(gpu.upload(Uint32Array.from({ length: 4 * (n4 + 8) }, (_, i) => Math.imul(i, 2654435761) >>> 0), [4 * (n4 + 8)], 'u32', 'src'));
    const dst = keep(gpu.upload(new Uint32Array(4 * (n4 + 8)).fill(0xdeadbeef), [4 * (n4 + 8)], 'u32', 'dst'));
    const def = { name: 'copy_cpu', file: 'copy-cpu.wgsl', params: { n4: 'u32' }, consts: { LANES: lanes, PER: per } } as const;
    gpu.dispatch(def, { params: { n4 }, bindings: [src, dst], workgroups: Math.ceil(n4 / (lanes * per)) + 1 });
    const got = await gpu.read(dst);
    const want = await gpu.read(src);
    expect(Array.from(got.subarray(0, 4 * n4))).toEqual(Array.from(want.subarray(0, 4 * n4)));
    expect(Array.from(got.subarray(4 * n4))).toEqual(new Array(32).fill(0xdeadbeef));
  });
});
