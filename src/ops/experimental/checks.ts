// The on-device checks of the experimental variants, in one place: each compares a variant with
// the kernel in use on seeded inputs and records whether 'auto' may trust it on this device.
// Benchmarks and tools/device run them before timing a variant; never a model load.
// Reached through index.ts, which registers the variants these checks run.
import type { Gpu } from '../../gpu/gpu.js';
import { attentionBackward, attentionForward } from '../attention.js';
import { checkMatmulPaths, runComparison, type CheckedVariant } from '../matmul-check.js';
import type { SgmatStatus } from '../matmul-sgmat.js';
import { makeRng } from '../ref/random.js';
import { setSgmat2State } from './matmul-sgmat2.js';

/** The GEMM v2 configurations the benchmarks run (default; K-major operands kept as stored; both
 *  transposed; prestaged f16; the 256x128 tile without and with the pre-pass). */
const V2: CheckedVariant[] = [
  { label: 'v2', opts: { sgmatVariant: 'v2' } },
  { label: 'v2 keep', opts: { sgmatVariant: 'v2', sgmat2: { transposeA: false, transposeB: false } } },
  { label: 'v2 transposed', opts: { sgmatVariant: 'v2', sgmat2: { transposeA: true, transposeB: true } } },
  { label: 'v2 prestaged', opts: { sgmatVariant: 'v2', sgmat2: { prestage: true } } },
  { label: 'v2 256x128', opts: { sgmatVariant: 'v2', sgmat2: { tile: '256x128', bk: 32, double: false } } },
  { label: 'v2 256x128 prestaged', opts: { sgmatVariant: 'v2', sgmat2: { tile: '256x128', bk: 32, double: false, prestage: true } } },
];

/** checkMatmulPaths (v1, in use), then the same comparison with the portable kernel for the v2
 *  GEMM in the configurations above; v2's verdict (`sgmat2`, and the first line of detail) never
 *  changes v1's. v2 has never run on a GPU: a device lost in it costs only this check. */
export async function checkSgmat2(gpu: Gpu): Promise<{ subgroupMatrix: SgmatStatus; sgmat2: SgmatStatus; detail: string }> {
  setSgmat2State(gpu, 'unavailable');
  const v1 = await checkMatmulPaths(gpu);
  if (v1.subgroupMatrix === 'unavailable') return { subgroupMatrix: v1.subgroupMatrix, sgmat2: 'unavailable', detail: v1.detail };
  if (!v1.compiled) {
    setSgmat2State(gpu, 'rejected');
    return { subgroupMatrix: v1.subgroupMatrix, sgmat2: 'rejected', detail: `v1 did not compile, v2 not tried: ${v1.detail}` };
  }
  const v2 = await runComparison(gpu, V2);
  setSgmat2State(gpu, v2.status);
  return { subgroupMatrix: v1.subgroupMatrix, sgmat2: v2.status, detail: `sgmat2 (v2): ${v2.status}; ${v1.detail}\n${v2.text}` };
}

const sgmatChecks = new WeakMap<Gpu, Promise<{ status: 'unavailable' | 'ok' | 'rejected'; detail: string }>>();

/** Whether the tensor-core kernels (variant 'sgmat') may be trusted on this device: they compile
 *  and agree with v1 on seeded inputs (packed lengths across block edges, GQA, inputs beyond f16's
 *  range): out and each gradient within 2e-2 * max|v1| + 8e-3 |v1|, lse within 1e-3 (1 + |lse|).
 *  Run once per device; benchmarks call it before timing the path. */
export function checkAttentionSgmat(gpu: Gpu, opts: { emulate?: boolean; headDim?: number } = {}): Promise<{ status: 'unavailable' | 'ok' | 'rejected'; detail: string }> {
  // Tests of the check itself (emulated kernels, a smaller head dim: lavapipe compiles them
  // slowly), never cached.
  if (opts.emulate) return runSgmatCheck(gpu, true, opts.headDim ?? 128);
  let r = sgmatChecks.get(gpu);
  if (!r) sgmatChecks.set(gpu, (r = runSgmatCheck(gpu, false, 128)));
  return r;
}

async function runSgmatCheck(gpu: Gpu, emulate: boolean, hd: number): Promise<{ status: 'unavailable' | 'ok' | 'rejected'; detail: string }> {
  if (!(emulate || gpu.features.subgroupMatrix) || !gpu.features.f16 || !gpu.features.subgroups) {
    return { status: 'unavailable', detail: `device ${gpu.describe()} lacks f16 subgroup matrices or subgroups` };
  }
  const lines: string[] = [];
  let ok = true;
  const cases = [
    { lengths: [70, 1, 130], heads: 8, kvHeads: 2, hd, scale: 1 },
    { lengths: [300], heads: 5, kvHeads: 1, hd, scale: 3e5 },
  ];
  for (const [ci, c] of cases.entries()) {
    const T = c.lengths.reduce((a, b) => a + b, 0);
    const cu = [0];
    for (const L of c.lengths) cu.push(cu[cu.length - 1]! + L);
    const rand = (n: number, seed: number, sc: number): Float32Array => {
      const r = makeRng(seed);
      return Float32Array.from({ length: n }, () => (r() - 0.5) * 2 * sc);
    };
    const q = gpu.upload(rand(T * c.heads * c.hd, 11 + ci, c.scale), [T, c.heads * c.hd], 'bf16', 'chk.q');
    const k = gpu.upload(rand(T * c.kvHeads * c.hd, 23 + ci, 1 / c.scale), [T, c.kvHeads * c.hd], 'bf16', 'chk.k');
    const v = gpu.upload(rand(T * c.kvHeads * c.hd, 37 + ci, c.scale), [T, c.kvHeads * c.hd], 'bf16', 'chk.v');
    const cuT = gpu.upload(cu, [cu.length], 'u32', 'chk.cu');
    const dOut = gpu.upload(rand(T * c.heads * c.hd, 41 + ci, 1 / c.scale), [T, c.heads * c.hd], 'bf16', 'chk.dout');
    const outs = ['v1', 'sgmat'].map(() => ({
      out: gpu.empty([T, c.heads * c.hd], 'bf16', 'chk.out'),
      lse: gpu.empty([T, c.heads], 'f32', 'chk.lse'),
      dq: gpu.empty([T, c.heads * c.hd], 'f32', 'chk.dq'),
      dk: gpu.empty([T, c.kvHeads * c.hd], 'f32', 'chk.dk'),
      dv: gpu.empty([T, c.kvHeads * c.hd], 'f32', 'chk.dv'),
    }));
    const dims = { heads: c.heads, kvHeads: c.kvHeads, headDim: c.hd };
    const seq = { nSeq: c.lengths.length, maxSeqLen: Math.max(...c.lengths) };
    try {
      for (const [i, variant] of (['v1', 'sgmat'] as const).entries()) {
        const o = outs[i]!;
        attentionForward(gpu, q, k, v, cuT, o.out, o.lse, dims, seq, { variant, emulate });
        // Both backwards from v1's forward: only the backward differs.
        attentionBackward(gpu, dOut, q, k, v, outs[0]!.out, outs[0]!.lse, cuT, o.dq, o.dk, o.dv, dims, seq, { variant, emulate });
      }
      const worst = async (name: 'out' | 'dq' | 'dk' | 'dv'): Promise<number> => {
        const [a, b] = [await gpu.readF32(outs[0]![name]), await gpu.readF32(outs[1]![name])];
        let max = 0, w = 0;
        for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]!));
        for (let i = 0; i < a.length; i++) {
          const d = Math.abs(a[i]! - b[i]!) / (2e-2 * max + 8e-3 * Math.abs(a[i]!) + 1e-30);
          if (!(d <= w)) w = Number.isNaN(d) ? Infinity : d;
        }
        return w;
      };
      const [l1, l2] = [await gpu.readF32(outs[0]!.lse), await gpu.readF32(outs[1]!.lse)];
      let dL = 0;
      for (let i = 0; i < l1.length; i++) {
        const d = Math.abs(l1[i]! - l2[i]!) / (1e-3 * (1 + Math.abs(l1[i]!)));
        if (!(d <= dL)) dL = Number.isNaN(d) ? Infinity : d;
      }
      const w = { out: await worst('out'), lse: dL, dq: await worst('dq'), dk: await worst('dk'), dv: await worst('dv') };
      const pass = Object.values(w).every((x) => x <= 1);
      ok &&= pass;
      lines.push(`${pass ? 'ok ' : 'BAD'} lengths ${c.lengths.join('/')} heads ${c.heads}/${c.kvHeads} scale ${c.scale}: ${Object.entries(w).map(([k, x]) => `${k} ${x.toFixed(3)}`).join(', ')} of tolerance`);
    } catch (e) {
      ok = false;
      lines.push(`BAD lengths ${c.lengths.join('/')}: failed: ${(e instanceof Error ? e.message : String(e)).slice(0, 2000)}`);
    } finally {
      for (const t of [q, k, v, dOut, cuT, ...outs.flatMap((o) => Object.values(o))]) t.destroy();
    }
  }
  return { status: ok ? 'ok' : 'rejected', detail: lines.join('\n') };
}
