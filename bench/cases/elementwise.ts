// Elementwise and row ops at Qwen3-14B shapes (T=8192): rope on q [T, 40*128], swiglu [T, 17408],
// residual add [T, 5120], embedding gather/scatter with vocab 151936. Bytes are the minimum moved.
import type { Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { embeddingBackward, embeddingForward } from '../../src/ops/embedding.js';
import { add } from '../../src/ops/residual.js';
import { ropeBackward, ropeForward } from '../../src/ops/rope.js';
import { swigluBackward, swigluForward } from '../../src/ops/swiglu.js';
import { makeRng } from '../../src/ops/ref/random.js';
import type { BenchCase, BenchInstance, BenchScale } from '../types.js';

const full = (s: BenchScale) => s === 'full';
const T = (s: BenchScale) => (full(s) ? 8192 : 256);

function ramp(gpu: Gpu, shape: number[], label: string): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7919) % 2001) / 1000 - 1;
  return gpu.upload(v, shape, 'bf16', label);
}

function instance(shape: string, bytes: number, run: () => void, ts: Tensor[]): BenchInstance {
  return { shape, bytes, run, dispose: () => ts.forEach((t) => t.destroy()) };
}

function packedPositions(n: number): Uint32Array {
  return Uint32Array.from({ length: n }, (_, t) => t % 3000); // sequences of 3000 tokens
}

const rope = (backward: boolean): BenchCase => ({
  name: backward ? 'rope.q.bwd' : 'rope.q.fwd',
  group: 'elementwise',
  async setup(gpu, scale) {
    const tokens = T(scale);
    const heads = full(scale) ? 40 : 8;
    const x = ramp(gpu, [tokens, heads * 128], 'q');
    const out = gpu.empty([tokens, heads * 128], 'bf16', 'q.rot');
    const pos = gpu.upload(packedPositions(tokens), [tokens], 'u32', 'positions');
    const dims = { tokens, heads, headDim: 128, theta: 1e6 };
    ropeForward(gpu, x, pos, out, dims); // builds the cos/sin table outside the timing
    const f = backward ? ropeBackward : ropeForward;
    return instance(`T=${tokens} heads=${heads} hd=128 bf16`, 2 * x.byteSize + pos.byteSize, () => f(gpu, x, pos, out, dims), [x, out, pos]);
  },
});

const swiglu = (backward: boolean): BenchCase => ({
  name: backward ? 'swiglu.bwd' : 'swiglu.fwd',
  group: 'elementwise',
  async setup(gpu, scale) {
    const shape = [T(scale), full(scale) ? 17408 : 2048];
    const [g, u, o, d1, d2] = ['gate', 'up', 'out', 'dGate', 'dUp'].map((l) => ramp(gpu, shape, l));
    const sh = `[${shape.join('x')}] bf16`;
    return backward
      ? instance(sh, 5 * g.byteSize, () => swigluBackward(gpu, o, g, u, d1, d2), [g, u, o, d1, d2])
      : instance(sh, 3 * g.byteSize, () => swigluForward(gpu, g, u, o), [g, u, o, d1, d2]);
  },
});

const residual: BenchCase = {
  name: 'residual.add',
  group: 'elementwise',
  async setup(gpu, scale) {
    const shape = [T(scale), full(scale) ? 5120 : 1024];
    const [a, b, o] = ['a', 'b', 'out'].map((l) => ramp(gpu, shape, l));
    return instance(`[${shape.join('x')}] bf16`, 3 * a.byteSize, () => add(gpu, a, b, o), [a, b, o]);
  },
};

const embedding = (backward: boolean): BenchCase => ({
  name: backward ? 'embedding.bwd' : 'embedding.fwd',
  group: 'elementwise',
  async setup(gpu, scale) {
    const tokens = T(scale);
    const [V, H] = full(scale) ? [151936, 5120] : [4096, 1024];
    const rng = makeRng(1);
    const hostIds = Uint32Array.from({ length: tokens }, () => Math.floor(rng() * rng() * V)); // skewed: repeats
    const unique = new Set(hostIds).size;
    const ids = gpu.upload(hostIds, [tokens], 'u32', 'ids');
    const rows = ramp(gpu, [tokens, H], 'rows');
    const sh = `T=${tokens} V=${V} H=${H} (${unique} unique ids)`;
    if (backward) {
      const dTable = gpu.empty([V, H], 'f32', 'dTable');
      return instance(sh, rows.byteSize + 2 * unique * H * 4, () => embeddingBackward(gpu, ids, rows, dTable, { hostIds }), [ids, rows, dTable]);
    }
    const table = gpu.empty([V, H], 'bf16', 'table');
    return instance(sh, 2 * rows.byteSize, () => embeddingForward(gpu, ids, table, rows), [ids, rows, table]);
  },
});

export const cases: BenchCase[] = [rope(false), rope(true), swiglu(false), swiglu(true), residual, embedding(false), embedding(true)];
