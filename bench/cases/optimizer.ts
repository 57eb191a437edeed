// AdamW step and global gradient norm over one Qwen3-14B MLP matrix (5120 x 17408): memory-bound,
// reported in GB/s. Tensors are zero-filled (the arithmetic does not depend on the values).
import type { Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { adamwStep } from '../../src/ops/adamw.js';
import { sumSquares } from '../../src/ops/grad-norm.js';
import type { BenchCase, BenchScale } from '../types.js';

function dims(scale: BenchScale): [number, number] {
  return scale === 'full' ? [5120, 17408] : [256, 1024];
}

const adamw = (gradDtype: 'f32' | 'bf16'): BenchCase => ({
  name: `adamw.${gradDtype}-grad`,
  group: 'optimizer',
  async setup(gpu: Gpu, scale: BenchScale) {
    const shape = dims(scale);
    const n = shape[0] * shape[1];
    const master = gpu.empty(shape, 'f32', 'master'), m = gpu.empty(shape, 'f32', 'm'), v = gpu.empty(shape, 'f32', 'v');
    const grad = gpu.empty(shape, gradDtype, 'grad'), weightOut = gpu.empty(shape, 'bf16', 'weight');
    const all: Tensor[] = [master, m, v, grad, weightOut];
    const hyper = { lr: 1e-5, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
    let step = 0;
    return {
      shape: `${shape.join('x')} f32 master, ${gradDtype} grad, bf16 copy`,
      bytes: n * (3 * 8 + (gradDtype === 'f32' ? 4 : 2) + 2), // master/m/v read+write, grad read, copy write
      run: () => adamwStep(gpu, { master, m, v, grad, weightOut }, hyper, ++step, 0.5),
      dispose: () => all.forEach((t) => t.destroy()),
    };
  },
});

const gradNorm: BenchCase = {
  name: 'grad-norm.f32',
  group: 'optimizer',
  async setup(gpu: Gpu, scale: BenchScale) {
    const shape = dims(scale);
    const g = gpu.empty(shape, 'f32', 'grad');
    const out = gpu.empty([1], 'f32', 'sumsq');
    return {
      shape: `${shape.join('x')} f32`,
      bytes: shape[0] * shape[1] * 4,
      run: () => sumSquares(gpu, [g], out),
      dispose: () => [g, out].forEach((t) => t.destroy()),
    };
  },
};

export const cases: BenchCase[] = [adamw('f32'), adamw('bf16'), gradNorm];
