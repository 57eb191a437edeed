// Fused lm_head + log-softmax (+ entropy) at Qwen3-14B shapes: forward (one GEMM over the vocab,
// in chunks) and backward (recompute + dh + dW GEMMs: ~3x the forward's FLOPs).
// W and dW are zero-filled (values do not change the timing; uploading 1.56 GB from JS would).
import type { Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { lmHeadBackward, lmHeadForward, type LmHeadDims } from '../../src/ops/lm-head.js';
import { checkMatmulPaths } from '../../src/ops/matmul-check.js';
import type { BenchCase, BenchScale } from '../types.js';

function lmHead(name: string, tokens: number, backward: boolean): BenchCase {
  return {
    name,
    group: 'lm-head',
    async setup(gpu: Gpu, scale: BenchScale) {
      await checkMatmulPaths(gpu); // lets 'auto' use the tensor-core GEMM where verified
      const full = scale === 'full';
      const dims: LmHeadDims = full ? { tokens, hidden: 5120, vocab: 151936 } : { tokens: tokens / 64, hidden: 256, vocab: 4096, chunk: 1024 };
      const { tokens: T, hidden: H, vocab: V } = dims;
      const h = gpu.upload(Float32Array.from({ length: T * H }, (_, i) => ((i * 7919) % 2001) / 1000 - 1), [T, H], 'bf16', 'h');
      const w = gpu.empty([V, H], 'bf16', 'w');
      const targets = gpu.upload(Int32Array.from({ length: T }, (_, i) => (i % 17 === 0 ? -1 : (i * 104729) % V)), [T], 'i32', 'targets');
      const lp = gpu.empty([T], 'f32', 'logprob'), ent = gpu.empty([T], 'f32', 'entropy'), lse = gpu.empty([T], 'f32', 'lse');
      const dlp = gpu.upload(new Float32Array(T).fill(1 / T), [T], 'f32', 'dlogprob');
      const dent = gpu.upload(new Float32Array(T).fill(0.01 / T), [T], 'f32', 'dentropy');
      const all: Tensor[] = [h, w, targets, lp, ent, lse, dlp, dent];
      let dh: Tensor | null = null, dw: Tensor | null = null;
      if (backward) {
        dh = gpu.empty([T, H], 'bf16', 'dh');
        dw = gpu.empty([V, H], 'f32', 'dw');
        all.push(dh, dw);
      }
      lmHeadForward(gpu, h, w, targets, lp, ent, lse, dims);
      await gpu.sync();
      const flops = 2 * T * H * V * (backward ? 3 : 1);
      return {
        shape: `T=${T} H=${H} V=${V} bf16${backward ? ' +dentropy' : ''}`,
        flops,
        run: backward
          ? () => lmHeadBackward(gpu, h, w, targets, lse, dlp, dent, dh!, dw!, dims, { entropy: ent })
          : () => lmHeadForward(gpu, h, w, targets, lp, ent, lse, dims),
        dispose: () => {
          gpu.scratch.trim('lm_head.');
          all.forEach((t) => t.destroy());
        },
      };
    },
  };
}

export const cases: BenchCase[] = [
  lmHead('lm-head.fwd.T4096', 4096, false),
  lmHead('lm-head.fwd.T8192', 8192, false),
  lmHead('lm-head.bwd.T4096', 4096, true),
  lmHead('lm-head.bwd.T8192', 8192, true),
];
