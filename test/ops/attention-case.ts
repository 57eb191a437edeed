// One attention case on the GPU vs the float64 reference (src/ops/ref/attention.ts), shared by the
// tests of every variant.
// Inputs are rounded to bf16 before they go to both. Tolerances: out (bf16) atol 1e-2 + rtol 1e-2
// (|v| ~ 1: bf16 keeps 8 bits, 2^-8 = 0.4%); lse (f32) atol 1e-4; gradients atol 1.5e-2 * max|ref|
// + rtol 1.5e-2 in bf16, atol 2e-3 * max|ref| in f32. The backward reference gets the GPU's own
// out and lse (what the GPU backward sees), so only the backward's own error is measured.
import { getGpu } from '../../src/gpu/gpu.js';
import { attentionBackward, attentionForward, type AttnOptions, type AttnTiles } from '../../src/ops/attention.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose } from '../gpu/util.js';

export interface Case {
  lengths: number[];
  heads: number;
  kvHeads: number;
  hd: number;
  tiles?: Partial<AttnTiles>;
  gradDtype?: 'bf16' | 'f32';
  /** The variant and its knobs. */
  opts?: AttnOptions;
}

function bf16Random(n: number, rng: () => number, scale = 1): Float64Array {
  return ref.roundBf16Array(ref.randomArray(n, rng, scale));
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** One case through forward and backward, compared with the float64 reference. */
export async function runCase(c: Case, seed: number) {
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
