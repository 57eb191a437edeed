// What the kernel tuner (tuner.ts) times: for each op family of src/gpu/variants.ts, the variants
// that can run on a device, its reference variant (the portable one, which every other is checked
// against), and a few representative shapes derived from the model's dimensions. A shape's trial
// allocates seeded inputs once; `run` records one iteration with the variant forced (no submit, no
// readback: the tuner's timer wraps it), `outputs` runs the variant from the same inputs and reads
// its results back for the check (trial.ts). The memory-bound kernels' family: memory-family.ts;
// next-token sampling's: sample-family.ts.
import type { Gpu } from '../../gpu/gpu.js';
import type { Tensor } from '../../gpu/tensor.js';
import { adamwStep } from '../adamw.js';
import { attentionBackward, attentionForward } from '../attention.js';
import { cpuAttentionPreferred } from '../attention-cpu.js';
import { sumSquares } from '../grad-norm.js';
import { lmHeadBackward, lmHeadForward } from '../lm-head.js';
import { checkMatmulPaths } from '../matmul-check.js';
import { sgmatState } from '../matmul-sgmat.js';
import { linear, linearBackwardInput, linearBackwardWeight, type GemmPath } from '../matmul.js';
import { makeRng } from '../ref/random.js';
import { memoryFamily } from './memory-family.js';
import { sampleFamily } from './sample-family.js';
import { recordingTrial, seeded, type TuneDims, type TuneFamily, type TuneShape, type TuneTrial } from './trial.js';

export { compareOutputs, seeded, type Tol, type TuneCandidate, type TuneDims, type TuneFamily, type TuneShape, type TuneTrial } from './trial.js';

// ------------------------------------------------------------------ GEMM

type Layout = 'linear' | 'linearBackwardInput' | 'linearBackwardWeight';

/** One GEMM: a [M, K] x w [N, K]^T (linear), dy [M, N] w [N, K] (backward input) or dy^T x
 *  (backward weight, accumulated into f32), with the model's dtypes. */
function gemmShape(gpu: Gpu, layout: Layout, M: number, N: number, K: number, out: 'bf16' | 'f32', label: string): TuneShape {
  return {
    label: `${label} ${M}x${N}x${K}`,
    setup(): TuneTrial {
      const [aShape, bShape, cShape] =
        layout === 'linear' ? [[M, K], [N, K], [M, N]] : layout === 'linearBackwardInput' ? [[M, N], [N, K], [M, K]] : [[M, N], [M, K], [N, K]];
      const a = gpu.upload(seeded(aShape[0]! * aShape[1]!, 11), aShape, 'bf16', 'tune.a');
      const b = gpu.upload(seeded(bShape[0]! * bShape[1]!, 23, 0.5), bShape, 'bf16', 'tune.b');
      const acc = layout === 'linearBackwardWeight';
      const fn = layout === 'linear' ? linear : layout === 'linearBackwardInput' ? linearBackwardInput : linearBackwardWeight;
      const record = (variant: string, o: Tensor[]): void => fn(gpu, a, b, o[0]!, { path: variant as GemmPath, accumulate: acc });
      // A fresh output is zero: the accumulating form starts from 0. Same bf16 products, f32 sums
      // in another order: 1e-3 of the largest, plus one bf16 rounding.
      const outs = (): Tensor[] => [gpu.empty(cShape, out, 'tune.c')];
      return recordingTrial(gpu, [a, b], outs, record, [{ name: 'out', ofMax: 1e-3, rel: out === 'bf16' ? 2 ** -7 : 0 }]);
    },
  };
}

const gemmFamily: TuneFamily = {
  family: 'gemm',
  reference: 'portable',
  async candidates(gpu) {
    // The tensor-core kernel is a candidate only where its own start-up check passed (and where
    // the device has no subgroup matrices the check answers at once).
    if (gpu.features.subgroupMatrix && sgmatState(gpu) === 'unavailable') await checkMatmulPaths(gpu);
    const sg = sgmatState(gpu);
    return [
      { variant: 'portable' },
      { variant: 'cpu' },
      { variant: 'subgroup-matrix', ...(sg === 'ok' ? {} : { unavailable: gpu.features.subgroupMatrix ? `checkMatmulPaths: ${sg}` : 'no subgroup matrices' }) },
    ];
  },
  shapes(gpu, d) {
    const T = d.tokens, H = d.hidden, I = d.intermediate;
    const rows = Math.min(16, T);
    return [
      gemmShape(gpu, 'linear', T, I, H, 'bf16', 'mlp up'),
      gemmShape(gpu, 'linearBackwardInput', T, I, H, 'bf16', 'mlp up dx'),
      gemmShape(gpu, 'linearBackwardWeight', T, I, H, 'f32', 'mlp up dW'),
      gemmShape(gpu, 'linear', rows, Math.min(d.vocab, 8192), H, 'f32', 'decode logits'),
    ];
  },
};

// ------------------------------------------------------------------ attention

/** Training attention, forward and backward, over two packed sequences of tokens/2 (at most 256
 *  on a CPU adapter, where v1 takes seconds at 2 x 1024). */
function attentionShape(gpu: Gpu, d: TuneDims): TuneShape {
  const L = Math.max(1, Math.min(Math.floor(d.tokens / 2), gpu.isCpu ? 256 : 2048)), T = 2 * L;
  const { heads, kvHeads, headDim: hd } = d;
  const dims = { heads, kvHeads, headDim: hd };
  const seq = { nSeq: 2, maxSeqLen: L };
  return {
    label: `attention 2x${L} ${heads}/${kvHeads} heads hd ${hd}`,
    setup(): TuneTrial {
      const q = gpu.upload(seeded(T * heads * hd, 31), [T, heads * hd], 'bf16', 'tune.q');
      const k = gpu.upload(seeded(T * kvHeads * hd, 37), [T, kvHeads * hd], 'bf16', 'tune.k');
      const v = gpu.upload(seeded(T * kvHeads * hd, 41), [T, kvHeads * hd], 'bf16', 'tune.v');
      const dOut = gpu.upload(seeded(T * heads * hd, 43), [T, heads * hd], 'bf16', 'tune.dout');
      const cu = gpu.upload([0, L, T], [3], 'u32', 'tune.cu');
      const outs = (): Tensor[] => [
        gpu.empty([T, heads * hd], 'bf16', 'tune.out'),
        gpu.empty([T, heads], 'f32', 'tune.lse'),
        gpu.empty([T, heads * hd], 'bf16', 'tune.dq'),
        gpu.empty([T, kvHeads * hd], 'bf16', 'tune.dk'),
        gpu.empty([T, kvHeads * hd], 'bf16', 'tune.dv'),
      ];
      const record = (variant: string, o: Tensor[]): void => {
        const opts = { variant: variant as 'v1' | 'cpu' };
        const [out, lse, dq, dk, dv] = o as [Tensor, Tensor, Tensor, Tensor, Tensor];
        attentionForward(gpu, q, k, v, cu, out, lse, dims, seq, opts);
        attentionBackward(gpu, dOut, q, k, v, out, lse, cu, dq, dk, dv, dims, seq, opts);
      };
      const g = { ofMax: 2e-2, rel: 8e-3 }; // as the tensor-core attention's check
      const tols = [{ ...g, name: 'out' }, { name: 'lse', ofMax: 1e-3, rel: 1e-3 }, { ...g, name: 'dq' }, { ...g, name: 'dk' }, { ...g, name: 'dv' }];
      return recordingTrial(gpu, [q, k, v, dOut, cu], outs, record, tols);
    },
  };
}

const attentionFamily: TuneFamily = {
  family: 'attention',
  reference: 'v1',
  async candidates(gpu, d) {
    return [
      { variant: 'v1' },
      { variant: 'cpu', ...(cpuAttentionPreferred(d.headDim) ? {} : { unavailable: `head dim ${d.headDim}: the ops run v1 there (cpu only for 8-32)` }) },
    ];
  },
  shapes: (gpu, d) => [attentionShape(gpu, d)],
};

// ------------------------------------------------------------------ lm_head

/** The fused lm_head forward and backward on scored rows over one vocabulary chunk (two on a GPU):
 *  the variants differ in the log-softmax kernels, the GEMMs around them are the chosen ones. */
function lmHeadShape(gpu: Gpu, d: TuneDims): TuneShape {
  const R = Math.min(d.tokens, gpu.isCpu ? 64 : 1024), H = d.hidden, V = Math.min(d.vocab, gpu.isCpu ? 8192 : 16384);
  const dims = { tokens: R, hidden: H, vocab: V };
  return {
    label: `lm_head ${R} rows x ${V} vocab x ${H}`,
    setup(): TuneTrial {
      const h = gpu.upload(seeded(R * H, 51), [R, H], 'bf16', 'tune.h');
      const w = gpu.upload(seeded(V * H, 53, 0.2), [V, H], 'bf16', 'tune.w');
      const rng = makeRng(55);
      const targets = gpu.upload(Array.from({ length: R }, (_, i) => (i % 7 === 6 ? -1 : Math.floor(rng() * V))), [R], 'i32', 'tune.targets');
      const dlogprob = gpu.upload(seeded(R, 57), [R], 'f32', 'tune.dlogprob');
      const dentropy = gpu.upload(seeded(R, 59, 0.1), [R], 'f32', 'tune.dentropy');
      const outs = (): Tensor[] => [
        gpu.empty([R], 'f32', 'tune.logprob'),
        gpu.empty([R], 'f32', 'tune.entropy'),
        gpu.empty([R], 'f32', 'tune.lse'),
        gpu.empty([R, H], 'bf16', 'tune.dh'),
        gpu.empty([V, H], 'f32', 'tune.dw'),
      ];
      const record = (variant: string, o: Tensor[]): void => {
        const softmax = variant as 'portable' | 'cpu';
        const [logprob, entropy, lse, dh, dw] = o as [Tensor, Tensor, Tensor, Tensor, Tensor];
        lmHeadForward(gpu, h, w, targets, logprob, entropy, lse, dims, { softmax });
        lmHeadBackward(gpu, h, w, targets, lse, dlogprob, dentropy, dh, dw, dims, { softmax, entropy });
      };
      const g = { ofMax: 2e-2, rel: 8e-3 }; // dlogits are rounded to bf16 before the GEMMs
      const tols = [{ name: 'logprob', ofMax: 1e-4, rel: 1e-4 }, { name: 'entropy', ofMax: 1e-4, rel: 1e-4 }, { name: 'lse', ofMax: 0, rel: 1e-4 }, { ...g, name: 'dh' }, { ...g, name: 'dw' }];
      return recordingTrial(gpu, [h, w, targets, dlogprob, dentropy], outs, record, tols);
    },
  };
}

const lmHeadFamily: TuneFamily = {
  family: 'lmHead',
  reference: 'portable',
  async candidates(gpu) {
    return [{ variant: 'portable' }, { variant: 'cpu', ...(gpu.features.subgroups ? {} : { unavailable: 'no subgroups' }) }];
  },
  shapes: (gpu, d) => [lmHeadShape(gpu, d)],
};

// ------------------------------------------------------------------ optimizer

/** AdamW on the largest weight (capped) with a bf16 copy out, and its gradient's sum of squares. */
function optimizerShape(gpu: Gpu, d: TuneDims): TuneShape {
  const largest = Math.max(d.vocab * d.hidden, d.intermediate * d.hidden);
  const n = Math.max(8, Math.floor(Math.min(largest, gpu.isCpu ? 1 << 20 : 1 << 26) / 8) * 8);
  const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
  return {
    label: `adamw + grad norm ${n} elements`,
    setup(): TuneTrial {
      const init = { master: seeded(n, 61), m: seeded(n, 63, 1e-2), v: seeded(n, 65, 1e-4) };
      for (let i = 0; i < n; i++) init.v[i] = Math.abs(init.v[i]!);
      const grad = gpu.upload(seeded(n, 67, 1e-2), [n], 'f32', 'tune.grad');
      const state = (): Tensor[] => [
        gpu.upload(init.master, [n], 'f32', 'tune.master'),
        gpu.upload(init.m, [n], 'f32', 'tune.m'),
        gpu.upload(init.v, [n], 'f32', 'tune.v'),
        gpu.empty([n], 'bf16', 'tune.weight'),
        gpu.empty([1], 'f32', 'tune.sumsq'),
      ];
      const record = (variant: string, st: Tensor[]): void => {
        const opts = { variant: variant as 'portable' | 'cpu' };
        const [master, m, v, weightOut, sumsq] = st as [Tensor, Tensor, Tensor, Tensor, Tensor];
        sumSquares(gpu, [grad], sumsq, opts);
        adamwStep(gpu, { master, m, v, grad, weightOut }, hyper, 3, 0.7, opts);
      };
      const f = { ofMax: 1e-6, rel: 1e-5 };
      const tols = [{ ...f, name: 'master' }, { ...f, name: 'm' }, { ...f, name: 'v' }, { name: 'weight', ofMax: 1e-6, rel: 2 ** -7 }, { name: 'sumsq', ofMax: 0, rel: 1e-3 }];
      return recordingTrial(gpu, [grad], state, record, tols);
    },
  };
}

const optimizerFamily: TuneFamily = {
  family: 'optimizer',
  reference: 'portable',
  async candidates() {
    return [{ variant: 'portable' }, { variant: 'cpu' }];
  },
  shapes: (gpu, d) => [optimizerShape(gpu, d)],
};

/** The families in the order they are tuned: GEMM first, since the lm_head's products run on the
 *  GEMM chosen by then. */
export const TUNE_FAMILIES: readonly TuneFamily[] = [gemmFamily, attentionFamily, lmHeadFamily, optimizerFamily, memoryFamily, sampleFamily];
