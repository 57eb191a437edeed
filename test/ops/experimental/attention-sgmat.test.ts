// Tensor-core attention forward and backward (src/ops/experimental/attention-sgmat.ts) in its
// emulated form (lavapipe has no subgroup matrices: the builtins become plain loops over the same memory; the two-pass softmax,
// f16 staging with power-of-two scales, masking, block edges and write-out are the real code)
// against the float64 reference. Tolerances as attention.test.ts: out atol 1e-2 + rtol 1e-2 (bf16
// out, f16 probabilities), lse atol 1e-4; gradients in bf16 as there, in f32 atol 3e-3 * max|ref|
// + rtol 2e-3 (f16 P and dS: 2^-11 relative). Sizes: sequences shorter than,
// equal to and longer than the 64-row blocks, packed; GQA groups of 1, 2 and 4; inputs beyond
// f16's range (only the scales keep them finite); head dims 32 and 128.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../../src/gpu/gpu.js';
import { attentionBackward, attentionForward } from '../../../src/ops/attention.js';
import { checkAttentionSgmat } from '../../../src/ops/experimental/index.js';
import { sgmatAttnBwdDef, sgmatAttnFwdDef } from '../../../src/ops/experimental/attention-sgmat.js';
import * as ref from '../../../src/ops/ref/index.js';
import { expectClose } from '../../gpu/util.js';

interface Case {
  lengths: number[];
  heads: number;
  kvHeads: number;
  hd: number;
  /** Input magnitude: q and v times this, k divided by it (scores stay ~1, every input leaves
   *  f16's normal range without the power-of-two scales); dOut is divided by it. */
  scale?: number;
  /** Also the backward, with gradients in this dtype. */
  grad?: 'bf16' | 'f32';
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

async function runCase(c: Case, seed: number): Promise<void> {
  const gpu = await getGpu();
  if (!gpu.features.f16 || !gpu.features.subgroups) return; // the emulation still needs both
  const { lengths, heads, kvHeads, hd } = c;
  const cu = ref.cuSeqlensFromLengths(lengths);
  const T = cu[cu.length - 1]!;
  const rng = ref.makeRng(seed);
  const sc = c.scale ?? 1;
  const q = ref.roundBf16Array(ref.randomArray(T * heads * hd, rng, sc));
  const k = ref.roundBf16Array(ref.randomArray(T * kvHeads * hd, rng, 1 / sc));
  const v = ref.roundBf16Array(ref.randomArray(T * kvHeads * hd, rng, sc));
  const dims = { heads, kvHeads, headDim: hd };
  const qT = gpu.upload(q, [T, heads * hd], 'bf16', 'q');
  const kT = gpu.upload(k, [T, kvHeads * hd], 'bf16', 'k');
  const vT = gpu.upload(v, [T, kvHeads * hd], 'bf16', 'v');
  const cuT = gpu.upload(cu, [cu.length], 'u32', 'cu');
  const outT = gpu.empty([T, heads * hd], 'bf16', 'out');
  const lseT = gpu.empty([T, heads], 'f32', 'lse');
  const seqInfo = { nSeq: lengths.length, maxSeqLen: Math.max(...lengths) };
  const opts = { variant: 'sgmat' as const, emulate: true };
  attentionForward(gpu, qT, kT, vT, cuT, outT, lseT, dims, seqInfo, opts);
  const [out, lse] = [await gpu.readF32(outT), await gpu.readF32(lseT)];
  const shape = { T, nh: heads, nkv: kvHeads, hd };
  const want = ref.attentionForward(q, k, v, cu, shape);
  expectClose(out.map((x) => x / sc), want.out.map((x) => x / sc), 1e-2, 1e-2, 'out (in units of the input scale)');
  expectClose(lse, want.lse, 1e-4, 1e-5, 'lse');
  const ts = [qT, kT, vT, cuT, outT, lseT];
  if (c.grad) {
    // As attention.test.ts: the reference backward gets the GPU's out and lse.
    const dOut = ref.roundBf16Array(ref.randomArray(T * heads * hd, rng, 1 / sc));
    const dOutT = gpu.upload(dOut, [T, heads * hd], 'bf16', 'dOut');
    const grads = [gpu.empty([T, heads * hd], c.grad, 'dq'), gpu.empty([T, kvHeads * hd], c.grad, 'dk'), gpu.empty([T, kvHeads * hd], c.grad, 'dv')] as const;
    ts.push(dOutT, ...grads);
    attentionBackward(gpu, dOutT, qT, kT, vT, outT, lseT, cuT, grads[0], grads[1], grads[2], dims, seqInfo, opts);
    const g = ref.attentionBackward(dOut, q, k, v, out, lse, cu, shape);
    for (const [i, name] of (['dq', 'dk', 'dv'] as const).entries()) {
      const w = g[name];
      const m = maxAbs(w);
      // f16 probabilities and dS (5e-4 relative) plus bf16 inputs: within attention.test.ts's bf16 bounds.
      if (c.grad === 'bf16') expectClose(await gpu.readF32(grads[i]!), w, 1.5e-2 * m, 1.5e-2, name);
      else expectClose(await gpu.readF32(grads[i]!), w, 3e-3 * m, 2e-3, name);
    }
  }
  for (const t of ts) t.destroy();
}

describe('attention sgmat (emulated subgroup matrices) vs float64 reference', () => {
  const cases: Case[] = [
    { lengths: [70, 1, 130], heads: 4, kvHeads: 2, hd: 32, grad: 'f32' },
    { lengths: [64, 63, 65], heads: 4, kvHeads: 1, hd: 32, grad: 'f32' },
    { lengths: [150], heads: 2, kvHeads: 2, hd: 128, grad: 'bf16' },
    { lengths: [90, 40], heads: 2, kvHeads: 1, hd: 32, scale: 3e5, grad: 'f32' },
  ];
  cases.forEach((c, i) => it(`lengths ${c.lengths.join('/')} heads ${c.heads}/${c.kvHeads} hd ${c.hd}${c.scale ? ` scale ${c.scale}` : ''}`, () => runCase(c, 900 + i)));

  it('refuses the real kernel on a device without subgroup matrices', async () => {
    const gpu = await getGpu();
    if (gpu.features.subgroupMatrix) return;
    const t = (n: number) => gpu.empty([4, n], 'bf16');
    const cu = gpu.upload([0, 4], [2], 'u32');
    expect(() => attentionForward(gpu, t(32), t(32), t(32), cu, t(32), gpu.empty([4, 1], 'f32'), { heads: 1, kvHeads: 1, headDim: 32 }, { nSeq: 1, maxSeqLen: 4 }, { variant: 'sgmat' })).toThrow(
      /variant 'sgmat' needs f16 subgroup matrices/,
    );
  });

  it('generates the real kernel with HD/16 Q matrices and 4*HD/16 multiplies per product', () => {
    for (const hd of [32, 128]) {
      const c = sgmatAttnFwdDef({ hd, emulate: false, syntax: 'subgroup_id' }).consts as Record<string, string>;
      const n = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;
      const DT = hd / 16;
      expect(n(c.Q_LOAD!, /subgroupMatrixLoad<subgroup_matrix_left/g)).toBe(DT);
      expect(n(c.S_BLOCK!, /subgroupMatrixMultiplyAccumulate/g)).toBe(4 * DT);
      expect(n(c.S_BLOCK!, /col_major>\(&kh,/g)).toBe(4 * DT); // K^T: K rows read as columns
      expect(n(c.S_BLOCK!, /subgroupMatrixStore/g)).toBe(4);
      expect(n(c.PV!, /subgroupMatrixMultiplyAccumulate/g)).toBe(4 * DT);
      expect(n(c.PV!, /row_major>\(&Ps,/g)).toBe(4);
      expect(n(c.PV!, /row_major>\(&vh,/g)).toBe(4 * DT);
      expect(n(c.WRITE_OUT!, /subgroupMatrixStore/g)).toBe(DT);
      expect(c.ENABLES).toContain('chromium_experimental_subgroup_matrix');
      const emu = sgmatAttnFwdDef({ hd, emulate: true, syntax: 'subgroup_id' }).consts as Record<string, string>;
      expect(Object.values(emu).join('\n')).not.toContain('subgroupMatrix');
    }
  });

  it('generates the real backward kernels: 4*HD/16 multiplies per strip and per product', () => {
    const hd = 128, DT = 8;
    const n = (s: string, re: RegExp): number => s.match(re)?.length ?? 0;
    const c = sgmatAttnBwdDef({ hd, emulate: false, syntax: 'subgroup_id' }, 'attn_dq', true).consts as Record<string, string | number>;
    for (const k of ['DQ_S', 'DQ_DP', 'DQ_MMA', 'KV_ST', 'KV_DV', 'KV_DPT', 'KV_DK']) expect(n(String(c[k]), /subgroupMatrixMultiplyAccumulate/g), k).toBe(4 * DT);
    expect(n(String(c.DQ_DECL), /subgroup_matrix_result/g)).toBe(DT);
    expect(n(String(c.KV_DECL), /subgroup_matrix_result/g)).toBe(2 * DT);
    expect(n(String(c.KV_WRITE), /subgroupMatrixStore/g)).toBe(2 * DT);
    expect(String(c.DQ_DP)).toContain('col_major>(&vh,'); // dP = dO V^T
    expect(String(c.KV_DK)).toContain('row_major>(&qh,'); // dK += dS^T Q
    expect(c.DS_SHIFT).toBe(23); // 16 + log2(128)
    const emu = sgmatAttnBwdDef({ hd, emulate: true, syntax: 'subgroup_id' }, 'attn_dkdv', false).consts as Record<string, string | number>;
    expect(Object.values(emu).join('\n')).not.toContain('subgroupMatrix');
  });

  it('the device check (here on the emulated kernels) compares every output with v1 and passes', async () => {
    const gpu = await getGpu();
    if (!gpu.features.f16 || !gpu.features.subgroups) return;
    const r = await checkAttentionSgmat(gpu, { emulate: true, headDim: 32 });
    expect(r.detail.split('\n').length).toBe(2);
    expect(r.detail).toMatch(/^ok .*out [\d.]+, lse [\d.]+, dq [\d.]+, dk [\d.]+, dv [\d.]+ of tolerance/);
    expect(r.status, r.detail).toBe('ok');
    if (!gpu.features.subgroupMatrix) expect((await checkAttentionSgmat(gpu)).status).toBe('unavailable');
  });
});
