// RMSNorm at Qwen3-14B shapes: the hidden norm [T, 5120] and the per-head q norm [T*40, 128],
// forward and backward (backward includes the deterministic dw partial reduction).
import type { Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { rmsnormBackward, rmsnormForward } from '../../src/ops/rmsnorm.js';
import type { BenchCase, BenchScale } from '../types.js';

function shape(scale: BenchScale, perHead: boolean): { rows: number; dim: number } {
  const T = scale === 'full' ? 8192 : 256;
  return perHead ? { rows: T * (scale === 'full' ? 40 : 8), dim: 128 } : { rows: T, dim: scale === 'full' ? 5120 : 1024 };
}

function norm(name: string, perHead: boolean, backward: boolean): BenchCase {
  return {
    name,
    group: 'norm',
    async setup(gpu: Gpu, scale: BenchScale) {
      const { rows, dim } = shape(scale, perHead);
      const dims = { rows, dim, eps: 1e-6 };
      const x = gpu.upload(Float32Array.from({ length: rows * dim }, (_, i) => ((i * 7919) % 2001) / 1000 - 1), [rows, dim], 'bf16', 'x');
      const w = gpu.upload(new Float32Array(dim).fill(1), [dim], 'bf16', 'w');
      const y = gpu.empty([rows, dim], 'bf16', 'y');
      const rstd = gpu.empty([rows], 'f32', 'rstd');
      const dx = gpu.empty([rows, dim], 'bf16', 'dx');
      const dw = gpu.empty([dim], 'f32', 'dw');
      rmsnormForward(gpu, x, w, y, rstd, dims);
      const act = rows * dim * 2;
      const all: Tensor[] = [x, w, y, rstd, dx, dw];
      return {
        shape: `rows=${rows} dim=${dim} bf16`,
        bytes: backward ? 3 * act + rows * 4 : 2 * act + rows * 4,
        run: backward ? () => rmsnormBackward(gpu, y, x, w, rstd, dx, dw, dims) : () => rmsnormForward(gpu, x, w, y, rstd, dims),
        dispose: () => all.forEach((t) => t.destroy()),
      };
    },
  };
}

export const cases: BenchCase[] = [
  norm('rmsnorm.fwd', false, false),
  norm('rmsnorm.bwd', false, true),
  norm('qknorm.fwd', true, false),
  norm('qknorm.bwd', true, true),
];
