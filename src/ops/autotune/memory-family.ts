// The kernel tuner's family of the model's memory-bound kernels (src/gpu/variants.ts `memory`):
// portable against the CPU-shaped forms, on one layer's worth of them at the model's shapes.
import type { Gpu } from '../../gpu/gpu.js';
import type { Tensor } from '../../gpu/tensor.js';
import { cast } from '../cast.js';
import { embeddingBackward, embeddingForward } from '../embedding.js';
import { addInPlace } from '../residual.js';
import { rmsnormBackward, rmsnormForward } from '../rmsnorm.js';
import { ropeBackward, ropeForward } from '../rope.js';
import { swigluBackward, swigluForward } from '../swiglu.js';
import { recordingTrial, seeded, type TuneDims, type TuneFamily, type TuneShape, type TuneTrial } from './trial.js';

/** One layer's memory-bound kernels on `tokens` rows (capped): SwiGLU forward and backward on
 *  [T, intermediate], RoPE forward and backward on the q heads, the RMSNorm backward of the hidden
 *  norm and of the q norm, a cast and a residual add-in-place on [T, hidden]; and the embedding
 *  gather and scatter-add (vocabulary capped at 8192 rows). */
function memoryShape(gpu: Gpu, d: TuneDims): TuneShape {
  const T = Math.max(1, Math.min(d.tokens, gpu.isCpu ? 2048 : 8192));
  const { hidden: H, intermediate: I, heads, headDim: hd } = d;
  return {
    label: `memory-bound ${T} tokens`,
    setup(): TuneTrial {
      const bf = (n: number, seed: number, shape: number[], label: string, scale = 1): Tensor => gpu.upload(seeded(n, seed, scale), shape, 'bf16', label);
      const g = bf(T * I, 71, [T, I], 'tune.gate', 4);
      const u = bf(T * I, 73, [T, I], 'tune.up');
      const q = bf(T * heads * hd, 75, [T, heads * hd], 'tune.q');
      const x = bf(T * H, 77, [T, H], 'tune.x');
      const w = gpu.upload(seeded(H, 79, 0.5).map((v) => v + 1), [H], 'bf16', 'tune.w');
      const wq = gpu.upload(seeded(hd, 81, 0.5).map((v) => v + 1), [hd], 'bf16', 'tune.wq');
      const dres = gpu.upload(seeded(T * H, 83), [T, H], 'f32', 'tune.dres');
      const positions = gpu.upload(Uint32Array.from({ length: T }, (_, t) => t % 1024), [T], 'u32', 'tune.positions');
      const V = Math.min(d.vocab, 8192);
      const hostIds = Uint32Array.from({ length: T }, (_, t) => (Math.imul(t % 509, 2654435761) >>> 0) % V);
      const ids = gpu.upload(hostIds, [T], 'u32', 'tune.ids');
      const table = gpu.upload(seeded(V * H, 85), [V, H], 'bf16', 'tune.table');
      // The norms' saved rstd (the forward has one form).
      const rstd = gpu.empty([T], 'f32', 'tune.rstd');
      const rstdq = gpu.empty([T * heads], 'f32', 'tune.rstdq');
      const y = gpu.empty([T, H], 'bf16', 'tune.y');
      const yq = gpu.empty([T, heads * hd], 'bf16', 'tune.yq');
      rmsnormForward(gpu, x, w, y, rstd, { rows: T, dim: H, eps: 1e-6 });
      rmsnormForward(gpu, q, wq, yq, rstdq, { rows: T * heads, dim: hd, eps: 1e-6 });
      const outs = (): Tensor[] => [
        gpu.empty([T, I], 'bf16', 'tune.act'),
        gpu.empty([T, I], 'bf16', 'tune.dg'),
        gpu.empty([T, I], 'bf16', 'tune.du'),
        gpu.empty([T, heads * hd], 'bf16', 'tune.qr'),
        gpu.empty([T, heads * hd], 'bf16', 'tune.dq'),
        gpu.empty([T, H], 'bf16', 'tune.dx'),
        gpu.empty([H], 'f32', 'tune.dw'),
        gpu.empty([T, heads * hd], 'bf16', 'tune.dqn'),
        gpu.empty([hd], 'f32', 'tune.dwq'),
        gpu.empty([T, H], 'bf16', 'tune.dresbf'),
        gpu.empty([T, H], 'f32', 'tune.acc'),
        gpu.empty([T, H], 'bf16', 'tune.emb'),
        gpu.empty([V, H], 'f32', 'tune.dtable'),
      ];
      const record = (variant: string, o: Tensor[]): void => {
        const opts = { variant: variant as 'portable' | 'cpu' };
        const [act, dg, du, qr, dq, dx, dw, dqn, dwq, dresBf, acc, emb, dtable] = o as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
        swigluForward(gpu, g, u, act, opts);
        swigluBackward(gpu, act, g, u, dg, du, opts);
        const rd = { tokens: T, heads, headDim: hd, theta: 1e6 };
        ropeForward(gpu, q, positions, qr, rd, opts);
        ropeBackward(gpu, qr, positions, dq, rd, opts);
        rmsnormBackward(gpu, x, x, w, rstd, dx, dw, { rows: T, dim: H, eps: 1e-6 }, opts);
        rmsnormBackward(gpu, dq, q, wq, rstdq, dqn, dwq, { rows: T * heads, dim: hd, eps: 1e-6 }, opts);
        cast(gpu, dres, dresBf, opts);
        addInPlace(gpu, acc, dx, opts);
        embeddingForward(gpu, ids, table, emb, opts);
        embeddingBackward(gpu, ids, x, dtable, { ...opts, hostIds });
      };
      // The elementwise outputs are the same arithmetic in both forms; the norms' sums run in
      // another order (dx within 2 bf16 ulps, dw as f32 sums of T rows).
      const same = { ofMax: 0, rel: 0 };
      const dx = { ofMax: 1e-2, rel: 1e-2 };
      const dw = { ofMax: 1e-5, rel: 1e-4 };
      const tols = [
        { ...same, name: 'swiglu out' },
        { ...same, name: 'swiglu dgate' },
        { ...same, name: 'swiglu dup' },
        { ...same, name: 'rope fwd' },
        { ...same, name: 'rope bwd' },
        { ...dx, name: 'rmsnorm dx' },
        { ...dw, name: 'rmsnorm dw' },
        { ...dx, name: 'q norm dx' },
        { ...dw, name: 'q norm dw' },
        { ...same, name: 'cast' },
        { ...dx, name: 'add' },
        { ...same, name: 'embedding' },
        { ...same, name: 'embedding grad' },
      ];
      return recordingTrial(gpu, [g, u, q, x, w, wq, dres, positions, ids, table, rstd, rstdq, y, yq], outs, record, tols);
    },
  };
}

export const memoryFamily: TuneFamily = {
  family: 'memory',
  reference: 'portable',
  async candidates() {
    return [{ variant: 'portable' }, { variant: 'cpu' }];
  },
  shapes: (gpu, d) => [memoryShape(gpu, d)],
};

