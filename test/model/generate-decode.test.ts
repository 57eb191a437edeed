// The decode-attention kernel and the KV-cache row copy against the float64 reference attention.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { attentionForward } from '../../src/ops/ref/attention.js';
import { attentionDecode, copyRows } from '../../src/model/kv-cache.js';
import { expectClose, randn } from '../gpu/util.js';

describe('attentionDecode', () => {
  for (const { nh, nkv, hd, lens } of [
    { nh: 4, nkv: 2, hd: 16, lens: [1, 5, 700] }, // 700 > one 512-key block: online softmax across blocks
    { nh: 6, nkv: 2, hd: 130, lens: [3, 64] }, // head_dim over 2x64: threads own 2 words each
  ]) {
    it(`matches reference attention (nh ${nh}, nkv ${nkv}, hd ${hd}, lengths ${lens.join('/')})`, async () => {
      const gpu = await getGpu();
      const B = lens.length;
      const maxT = Math.max(...lens) + 3;
      const Q = nh * hd;
      const KV = nkv * hd;
      const kc = randn(B * maxT * KV, 1, 1, true);
      const vc = randn(B * maxT * KV, 2, 1, true);
      const q = randn(B * Q, 3, 2, true);
      // Slots in reverse order, so a wrong row start shows up.
      const meta = new Uint32Array(2 * B);
      lens.forEach((len, b) => {
        meta[2 * b] = (B - 1 - b) * maxT;
        meta[2 * b + 1] = len;
      });
      const out = gpu.empty([B, Q], 'bf16');
      attentionDecode(gpu, gpu.upload(q, [B, Q], 'bf16'), gpu.upload(kc, [B * maxT, KV], 'bf16'), gpu.upload(vc, [B * maxT, KV], 'bf16'), gpu.upload(meta, [2 * B], 'u32'), out, { heads: nh, kvHeads: nkv, headDim: hd });
      const got = await gpu.readF32(out);
      for (let b = 0; b < B; b++) {
        const len = lens[b]!;
        const r0 = meta[2 * b]!;
        const qs = new Float64Array(len * Q);
        qs.set(q.subarray(b * Q, (b + 1) * Q), (len - 1) * Q); // only the last query matters
        const ref = attentionForward(qs, kc.subarray(r0 * KV, (r0 + len) * KV), vc.subarray(r0 * KV, (r0 + len) * KV), [0, len], { T: len, nh, nkv, hd });
        expectClose(got.subarray(b * Q, (b + 1) * Q), ref.out.subarray((len - 1) * Q), 1e-2, 1e-2, `sequence ${b}`);
      }
    });
  }
});

describe('copyRows', () => {
  it('scatters and gathers rows through index lists', async () => {
    const gpu = await getGpu();
    const src = randn(5 * 6, 4, 1, true);
    const dst = gpu.empty([8, 6], 'bf16');
    copyRows(gpu, gpu.upload(src, [5, 6], 'bf16'), gpu.upload([4, 0, 2], [3], 'u32'), dst, gpu.upload([7, 1, 3], [3], 'u32'), 3);
    const got = await gpu.readF32(dst);
    const want = new Float64Array(48);
    want.set(src.subarray(24, 30), 42);
    want.set(src.subarray(0, 6), 6);
    want.set(src.subarray(12, 18), 18);
    expect(Array.from(got)).toEqual(Array.from(want));
  });
});
