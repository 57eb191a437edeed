// GPU causal GQA attention over packed sequences vs the float64 reference (src/ops/ref/attention.ts):
// the v1 and cpu variants (tolerances in attention-case.ts; v2: experimental/attention-v2.test.ts).
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { attentionForward, type AttnTiles } from '../../src/ops/attention.js';
import { runCase } from './attention-case.js';

const SMALL: Partial<AttnTiles> = { fwdBR: 16, fwdBC: 16, dqBR: 16, dqBC: 16, kvBC: 16, kvBQ: 16 };

describe('attention (GPU) vs reference', () => {
  // Few distinct tile configs: each new kernel variant costs seconds of LLVM compile on lavapipe.
  it('lengths 1,5,17,33; heads 4 / kv 2; hd 16; 16-row tiles', () => runCase({ lengths: [1, 5, 17, 33], heads: 4, kvHeads: 2, hd: 16, tiles: SMALL }, 1));
  it('lengths 3,40,2; heads 5 / kv 1; hd 16; f32 gradients', () =>
    runCase({ lengths: [3, 40, 2], heads: 5, kvHeads: 1, hd: 16, tiles: SMALL, gradDtype: 'f32' }, 2));
  it('lengths 7,20; heads 4 / kv 2; hd 128', () => runCase({ lengths: [7, 20], heads: 4, kvHeads: 2, hd: 128, tiles: SMALL }, 3));

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
