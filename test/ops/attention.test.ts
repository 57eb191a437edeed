// GPU causal GQA attention over packed sequences vs the float64 reference (src/ops/ref/attention.ts).
// Inputs are rounded to bf16 before they go to both. Tolerances: out (bf16) atol 1e-2 + rtol 1e-2
// (|v| ~ 1: bf16 keeps 8 bits, 2^-8 = 0.4%); lse (f32) atol 1e-4; gradients atol 1.5e-2 * max|ref|
// + rtol 1.5e-2 in bf16, atol 2e-3 * max|ref| in f32. The backward reference gets the GPU's own
// out and lse (what the GPU backward sees), so only the backward's own error is measured.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { attentionBackward, attentionForward, type AttnOptions, type AttnTiles } from '../../src/ops/attention.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose } from '../gpu/util.js';

interface Case {
  lengths: number[];
  heads: number;
  kvHeads: number;
  hd: number;
  tiles?: Partial<AttnTiles>;
  gradDtype?: 'bf16' | 'f32';
  /** v2 kernels (variant, thread grid, subgroups on/off). */
  opts?: AttnOptions;
}

const SMALL: Partial<AttnTiles> = { fwdBR: 16, fwdBC: 16, dqBR: 16, dqBC: 16, kvBC: 16, kvBQ: 16 };

function bf16Random(n: number, rng: () => number, scale = 1): Float64Array {
  return ref.roundBf16Array(ref.randomArray(n, rng, scale));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

async function runCase(c: Case, seed: number) {
  const gpu = await getGpu();
  const { lengths, heads, kvHeads, hd } = c;
  const cu = ref.cuSeqlensFromLengths(lengths);
  const T = cu[cu.length - 1]!;
  const rng = ref.makeRng(seed);
  const q = bf16Random(T * heads * hd, rng);
  const k = bf16Random(T * kvHeads * hd, rng);
  const v = bf16Random(T * kvHeads * hd, rng);
  const dOut = bf16Random(T * heads * hd, rng);
  const shape = { T, nh: heads, nkv: kvHeads, hd };
  const dims = { heads, kvHeads, headDim: hd };
  const seqInfo = { nSeq: lengths.length, maxSeqLen: Math.max(...lengths) };
  const opts: AttnOptions = { tiles: c.tiles, ...c.opts };

  const qT = gpu.upload(q, [T, heads * hd], 'bf16', 'q');
  const kT = gpu.upload(k, [T, kvHeads * hd], 'bf16', 'k');
  const vT = gpu.upload(v, [T, kvHeads * hd], 'bf16', 'v');
  const cuT = gpu.upload(cu, [cu.length], 'u32', 'cu');
  const outT = gpu.empty([T, heads * hd], 'bf16', 'out');
  const lseT = gpu.empty([T, heads], 'f32', 'lse');
  attentionForward(gpu, qT, kT, vT, cuT, outT, lseT, dims, seqInfo, opts);
  const out = await gpu.readF32(outT);
  const lse = await gpu.readF32(lseT);
  const want = ref.attentionForward(q, k, v, cu, shape);
  expectClose(out, want.out, 1e-2, 1e-2, 'out');
  expectClose(lse, want.lse, 1e-4, 1e-6, 'lse');

  const gd = c.gradDtype ?? 'bf16';
  const dOutT = gpu.upload(dOut, [T, heads * hd], 'bf16', 'dOut');
  const dqT = gpu.empty([T, heads * hd], gd, 'dq');
  const dkT = gpu.empty([T, kvHeads * hd], gd, 'dk');
  const dvT = gpu.empty([T, kvHeads * hd], gd, 'dv');
  attentionBackward(gpu, dOutT, qT, kT, vT, outT, lseT, cuT, dqT, dkT, dvT, dims, seqInfo, opts);
  const g = ref.attentionBackward(dOut, q, k, v, out, lse, cu, shape);
  for (const [name, t, w] of [['dq', dqT, g.dq], ['dk', dkT, g.dk], ['dv', dvT, g.dv]] as const) {
    const got = await gpu.readF32(t);
    const m = maxAbs(w);
    if (gd === 'bf16') expectClose(got, w, 1.5e-2 * m, 1.5e-2, name);
    else expectClose(got, w, 2e-3 * m, 1e-3, name);
  }
  for (const t of [qT, kT, vT, cuT, outT, lseT, dOutT, dqT, dkT, dvT]) t.destroy();
}

describe('attention (GPU) vs reference', () => {
  // Few distinct tile configs: each new kernel variant costs seconds of LLVM compile on lavapipe.
  it('lengths 1,5,17,33; heads 4 / kv 2; hd 16; 16-row tiles', () => runCase({ lengths: [1, 5, 17, 33], heads: 4, kvHeads: 2, hd: 16, tiles: SMALL }, 1));
  it('lengths 3,40,2; heads 5 / kv 1; hd 16; f32 gradients', () =>
    runCase({ lengths: [3, 40, 2], heads: 5, kvHeads: 1, hd: 16, tiles: SMALL, gradDtype: 'f32' }, 2));
  it('lengths 7,20; heads 4 / kv 2; hd 128', () => runCase({ lengths: [7, 20], heads: 4, kvHeads: 2, hd: 128, tiles: SMALL }, 3));

  // v2: one thread grid for all cases (8-row query / 16-key tiles: several tiles per sequence,
  // partial tiles at the odd lengths; 8 threads = one lavapipe subgroup, whose barriers stay cheap
  // when the CPU is contended), subgroup row reductions and the workgroup-memory fallback.
  const V2: AttnOptions = { variant: 'v2', tilesV2: { tx: 4, ty: 2 } };
  // Six v2 pipelines in all (each costs 2-8 s of cold LLVM compile on lavapipe): the two hd-16
  // cases share theirs (f32 gradients, subgroup reductions); hd 128 takes bf16 gradients and the
  // workgroup-memory reductions.
  it('v2: lengths 1,5,17,33; heads 4 / kv 2; hd 16; f32 gradients', () =>
    runCase({ lengths: [1, 5, 17, 33], heads: 4, kvHeads: 2, hd: 16, gradDtype: 'f32', opts: V2 }, 11));
  it('v2: lengths 3,40,2; heads 5 / kv 1; hd 16; f32 gradients', () =>
    runCase({ lengths: [3, 40, 2], heads: 5, kvHeads: 1, hd: 16, gradDtype: 'f32', opts: V2 }, 12));
  it('v2: lengths 7,20; heads 4 / kv 2; hd 128; no subgroups', () =>
    runCase({ lengths: [7, 20], heads: 4, kvHeads: 2, hd: 128, opts: { ...V2, subgroups: false } }, 13));

  // CPU-shaped kernels (kernels/attention-cpu.wgsl; what a CPU adapter runs by default): one row
  // per invocation and two (8- and 16-row blocks), GQA groups of 2 and 5, f32 and bf16 gradients.
  it('cpu: lengths 1,5,17,33; heads 4 / kv 2; hd 16', () => runCase({ lengths: [1, 5, 17, 33], heads: 4, kvHeads: 2, hd: 16, opts: { variant: 'cpu' } }, 21));
  it('cpu: lengths 3,40,2; heads 5 / kv 1; hd 16; f32 gradients; 2 rows per invocation, 3 keys per step', () =>
    runCase({ lengths: [3, 40, 2], heads: 5, kvHeads: 1, hd: 16, gradDtype: 'f32', opts: { variant: 'cpu', cpu: { TQ: 2, BK: 3 } } }, 22));
  it('cpu: lengths 7,20; heads 4 / kv 2; hd 64 (the loop form)', () => runCase({ lengths: [7, 20], heads: 4, kvHeads: 2, hd: 64, opts: { variant: 'cpu' } }, 23));
  it('cpu is the default on a CPU adapter for head dims up to 32', async () => {
    const gpu = await getGpu();
    const T = 9, cu = gpu.upload([0, T], [2], 'u32', 'cu');
    for (const hd of [16, 64]) {
      const q = gpu.empty([T, hd], 'bf16', 'q'), out = gpu.empty([T, hd], 'bf16', 'out'), lse = gpu.empty([T, 1], 'f32', 'lse');
      gpu.startProfile();
      attentionForward(gpu, q, q, q, cu, out, lse, { heads: 1, kvHeads: 1, headDim: hd }, { nSeq: 1, maxSeqLen: T });
      const keys = (await gpu.stopProfile()).map((r) => r.key);
      expect(keys.includes('attn_fwd_cpu'), `hd ${hd}: ${keys.join(', ')}`).toBe(gpu.isCpu && hd <= 32);
    }
  });
  it('cpu: refuses a head dim that is not a multiple of 8', async () => {
    const gpu = await getGpu();
    const q = gpu.empty([4, 12], 'bf16', 'q'), cu = gpu.upload([0, 4], [2], 'u32', 'cu');
    const out = gpu.empty([4, 12], 'bf16', 'out'), lse = gpu.empty([4, 1], 'f32', 'lse');
    expect(() => attentionForward(gpu, q, q, q, cu, out, lse, { heads: 1, kvHeads: 1, headDim: 12 }, { nSeq: 1, maxSeqLen: 4 }, { variant: 'cpu' })).toThrow(/headDim % 8/);
  });

  it('names the bad tensor', async () => {
    const gpu = await getGpu();
    const q = gpu.empty([4, 32], 'bf16', 'q');
    const k = gpu.empty([4, 16], 'bf16', 'k');
    const cu = gpu.upload([0, 4], [2], 'u32', 'cu');
    const out = gpu.empty([4, 32], 'bf16', 'out');
    const lse = gpu.empty([4, 4], 'f32', 'lse');
    const dims = { heads: 2, kvHeads: 1, headDim: 16 };
    expect(() => attentionForward(gpu, q, k, k, cu, out, lse, dims, { nSeq: 1, maxSeqLen: 4 })).toThrow(/lse is lse\[4x4\] f32, expected shape \[4x2\]/);
    expect(() => attentionForward(gpu, q, k, k, cu, out, lse, { ...dims, kvHeads: 3 }, { nSeq: 1, maxSeqLen: 4 })).toThrow(/multiple of dims.kvHeads/);
  });
});
