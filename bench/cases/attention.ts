// Causal GQA attention over packed sequences at Qwen3-14B shapes (heads 40 / kv 8, head dim 128,
// T = 8192 as 2 x 4096 or 8 x 1024), forward and backward. FLOPs count the causal half only:
// forward 2 matmuls x 2 flops x L(L+1)/2 x hd x heads per sequence; backward 2.5x that (5 matmuls,
// S recomputed once in each of the dQ and dK/dV passes is not counted, as is customary).
// Each case runs the v1 kernels (the default) and, as `<name>.v2`, the register-tiled v2 kernels
// (src/ops/experimental/attention-v2.ts), so one GPU run compares both; as `<name>.sgmat` (tensor cores,
// src/ops/experimental/attention-sgmat.ts; timed only after checkAttentionSgmat passed on the device); and as
// `<name>.cpu` (src/ops/attention-cpu.ts: what a CPU adapter runs by default).
// attention.tiny.*: the default CPU training run's shape (configs/tiny-cpu.json: heads 4 / kv 2,
// head dim 16) at 4 packed sequences of 1830 tokens, at every scale: v1 and cpu side by side.
import type { Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { attentionBackward, attentionForward } from '../../src/ops/attention.js';
import { checkAttentionSgmat } from '../../src/ops/experimental/index.js';
import { BenchUnavailable, type BenchCase, type BenchScale } from '../types.js';

function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (((i * 7919 + seed * 104729) % 2003) / 1001.5 - 1) * 0.5;
  return a;
}

interface AttnShape { L: number; heads: number; kvHeads: number; hd: number }

function attn(name: string, nSeq: number, backward: boolean, variant: 'v1' | 'v2' | 'sgmat' | 'cpu' = 'v1', fixed?: AttnShape): BenchCase {
  return {
    name: variant === 'v1' ? name : `${name}.${variant}`,
    group: 'attention',
    experimental: variant !== 'v1',
    async setup(gpu: Gpu, scale: BenchScale) {
      if (variant === 'cpu' && !gpu.isCpu) throw new BenchUnavailable('the CPU-shaped attention is for CPU adapters');
      if (variant === 'sgmat') {
        const c = await checkAttentionSgmat(gpu);
        if (c.status === 'unavailable') throw new BenchUnavailable(c.detail);
        if (c.status !== 'ok') throw new Error(`attention sgmat rejected: ${c.detail.split('\n').join(' | ')}`);
      }
      const full = scale === 'full';
      const L = fixed?.L ?? (full ? 8192 / nSeq : 256 / nSeq);
      const heads = fixed?.heads ?? (full ? 40 : 8);
      const kvHeads = fixed?.kvHeads ?? (full ? 8 : 2);
      const hd = fixed?.hd ?? (full ? 128 : 64);
      const T = L * nSeq;
      const dims = { heads, kvHeads, headDim: hd };
      const seqInfo = { nSeq, maxSeqLen: L };
      const cu = gpu.upload(Array.from({ length: nSeq + 1 }, (_, i) => i * L), [nSeq + 1], 'u32', 'cu');
      const q = gpu.upload(fill(T * heads * hd, 1), [T, heads * hd], 'bf16', 'q');
      const k = gpu.upload(fill(T * kvHeads * hd, 2), [T, kvHeads * hd], 'bf16', 'k');
      const v = gpu.upload(fill(T * kvHeads * hd, 3), [T, kvHeads * hd], 'bf16', 'v');
      const dOut = gpu.upload(fill(T * heads * hd, 4), [T, heads * hd], 'bf16', 'dOut');
      const out = gpu.empty([T, heads * hd], 'bf16', 'out');
      const lse = gpu.empty([T, heads], 'f32', 'lse');
      const dq = gpu.empty([T, heads * hd], 'bf16', 'dq');
      const dk = gpu.empty([T, kvHeads * hd], 'bf16', 'dk');
      const dv = gpu.empty([T, kvHeads * hd], 'bf16', 'dv');
      const opts = { variant };
      attentionForward(gpu, q, k, v, cu, out, lse, dims, seqInfo, opts);
      const fwdFlops = nSeq * 4 * ((L * (L + 1)) / 2) * hd * heads;
      const all: Tensor[] = [cu, q, k, v, dOut, out, lse, dq, dk, dv];
      return {
        shape: `T=${T} (${nSeq}x${L}) heads=${heads}/${kvHeads} hd=${hd} bf16 ${variant}`,
        flops: backward ? 2.5 * fwdFlops : fwdFlops,
        torch: { op: 'sdpa', args: { seqs: nSeq, seqlen: L, heads, kv: kvHeads, hd, pass: backward ? 'bwd' : 'fwd' } },
        run: backward
          ? () => attentionBackward(gpu, dOut, q, k, v, out, lse, cu, dq, dk, dv, dims, seqInfo, opts)
          : () => attentionForward(gpu, q, k, v, cu, out, lse, dims, seqInfo, opts),
        dispose: () => all.forEach((t) => t.destroy()),
      };
    },
  };
}

const TINY: AttnShape = { L: 1830, heads: 4, kvHeads: 2, hd: 16 };

export const cases: BenchCase[] = [
  ...(['v1', 'v2'] as const).flatMap((variant) => [
    attn('attention.fwd.2seq', 2, false, variant),
    attn('attention.bwd.2seq', 2, true, variant),
    attn('attention.fwd.8seq', 8, false, variant),
    attn('attention.bwd.8seq', 8, true, variant),
  ]),
  ...(['v1', 'cpu'] as const).flatMap((variant) => [
    attn('attention.tiny.fwd', 4, false, variant, TINY),
    attn('attention.tiny.bwd', 4, true, variant, TINY),
  ]),
  attn('attention.fwd.2seq', 2, false, 'cpu'),
  attn('attention.bwd.2seq', 2, true, 'cpu'),
  attn('attention.fwd.2seq', 2, false, 'sgmat'),
  attn('attention.bwd.2seq', 2, true, 'sgmat'),
  attn('attention.fwd.8seq', 8, false, 'sgmat'),
  attn('attention.bwd.8seq', 8, true, 'sgmat'),
];
