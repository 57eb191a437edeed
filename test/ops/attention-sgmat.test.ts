// Tensor-core attention forward (src/ops/attention-sgmat.ts) in its emulated form (lavapipe has no
// subgroup matrices: the builtins become plain loops over the same memory; the two-pass softmax,
// f16 staging with power-of-two scales, masking, block edges and write-out are the real code)
// against the float64 reference. Tolerances as attention.test.ts: out atol 1e-2 + rtol 1e-2 (bf16
// out, f16 probabilities), lse atol 1e-4 relative to its scale. Sizes: sequences shorter than,
// equal to and longer than the 64-row blocks, packed; GQA groups of 1, 2 and 4; inputs beyond
// f16's range (only the scales keep them finite).
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { attentionForward } from '../../src/ops/attention.js';
import { sgmatAttnFwdDef } from '../../src/ops/attention-sgmat.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose } from '../gpu/util.js';

interface Case {
  lengths: number[];
  heads: number;
  kvHeads: number;
  hd: number;
  /** Input magnitude: q and v times this, k divided by it (scores stay ~1, every input leaves
   *  f16's normal range without the power-of-two scales). */
  scale?: number;
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
  attentionForward(gpu, qT, kT, vT, cuT, outT, lseT, dims, { nSeq: lengths.length, maxSeqLen: Math.max(...lengths) }, { variant: 'sgmat', emulate: true });
  const [out, lse] = [await gpu.readF32(outT), await gpu.readF32(lseT)];
  for (const t of [qT, kT, vT, cuT, outT, lseT]) t.destroy();
  const want = ref.attentionForward(q, k, v, cu, { T, nh: heads, nkv: kvHeads, hd });
  expectClose(out.map((x) => x / sc), want.out.map((x) => x / sc), 1e-2, 1e-2, 'out (in units of the input scale)');
  expectClose(lse, want.lse, 1e-4, 1e-5, 'lse');
}

describe('attention sgmat forward (emulated subgroup matrices) vs float64 reference', () => {
  const cases: Case[] = [
    { lengths: [70, 1, 130], heads: 4, kvHeads: 2, hd: 32 },
    { lengths: [64, 63, 65], heads: 4, kvHeads: 1, hd: 32 },
    { lengths: [150], heads: 2, kvHeads: 2, hd: 128 },
    { lengths: [90, 40], heads: 2, kvHeads: 1, hd: 32, scale: 3e5 },
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
});
