// Attention with the device's default tiles (the largest that fit its workgroup memory: what the
// model runs), at Qwen3's head dim 128 and a 4-head group, vs the float64 reference.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { attentionBackward, attentionForward } from '../../src/ops/attention.js';
import { chooseTiles } from '../../src/ops/attention-tiles.js';
import * as ref from '../../src/ops/ref/index.js';
import { expectClose } from '../gpu/util.js';

describe('attention (GPU), default tiles', () => {
  it('lengths 130, 67; heads 8 / kv 2; hd 128', async () => {
    const gpu = await getGpu();
    const lengths = [130, 67];
    const [heads, kvHeads, hd] = [8, 2, 128];
    const tiles = chooseTiles(gpu, hd);
    expect(tiles.fwdBR * tiles.fwdTPR).toBeLessThanOrEqual(512);
    const cu = ref.cuSeqlensFromLengths(lengths);
    const T = cu[cu.length - 1]!;
    const rng = ref.makeRng(7);
    const rnd = (n: number) => ref.roundBf16Array(ref.randomArray(n, rng));
    const q = rnd(T * heads * hd), k = rnd(T * kvHeads * hd), v = rnd(T * kvHeads * hd), dOut = rnd(T * heads * hd);
    const dims = { heads, kvHeads, headDim: hd };
    const seqInfo = { nSeq: 2, maxSeqLen: 130 };
    const shape = { T, nh: heads, nkv: kvHeads, hd };
    const up = (x: Float64Array, w: number, name: string) => gpu.upload(x, [T, w], 'bf16', name);
    const [qT, kT, vT, dT] = [up(q, heads * hd, 'q'), up(k, kvHeads * hd, 'k'), up(v, kvHeads * hd, 'v'), up(dOut, heads * hd, 'dOut')];
    const cuT = gpu.upload(cu, [3], 'u32', 'cu');
    const outT = gpu.empty([T, heads * hd], 'bf16', 'out');
    const lseT = gpu.empty([T, heads], 'f32', 'lse');
    const dqT = gpu.empty([T, heads * hd], 'f32', 'dq');
    const dkT = gpu.empty([T, kvHeads * hd], 'f32', 'dk');
    const dvT = gpu.empty([T, kvHeads * hd], 'f32', 'dv');
    attentionForward(gpu, qT, kT, vT, cuT, outT, lseT, dims, seqInfo);
    attentionBackward(gpu, dT, qT, kT, vT, outT, lseT, cuT, dqT, dkT, dvT, dims, seqInfo);
    const out = await gpu.readF32(outT);
    const lse = await gpu.readF32(lseT);
    const want = ref.attentionForward(q, k, v, cu, shape);
    expectClose(out, want.out, 1e-2, 1e-2, `out (tiles ${JSON.stringify(tiles)})`);
    expectClose(lse, want.lse, 1e-4, 1e-6, 'lse');
    const g = ref.attentionBackward(dOut, q, k, v, out, lse, cu, shape);
    for (const [name, t, w] of [['dq', dqT, g.dq], ['dk', dkT, g.dk], ['dv', dvT, g.dv]] as const) {
      const m = w.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
      expectClose(await gpu.readF32(t), w, 2e-3 * m, 1e-3, name);
    }
  });
});
