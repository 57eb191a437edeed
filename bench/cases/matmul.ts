// GEMMs of one Qwen3-14B layer (hidden 5120, 40 q heads / 8 kv heads of 128, intermediate 17408)
// at M = 8192 tokens, both backward layouts for the MLP up projection, and a square 8192^3; each on
// the portable kernel, on subgroup matrices v1 (.sgmat) and v2 (.sgmat2, src/ops/experimental/
// matmul-sgmat2.ts: vec4 staging, unchecked interior tiles, double buffering, dyW's W staged
// transposed). The tensor-core cases error out where checkSgmat2 (v1's check, then v2's) did not
// pass on this device, with its reason. For the two
// layouts with K-major operands, .sgmat2k keeps them as stored and .sgmat2t transposes both.
// .sgmat2p runs v2 on operands converted to scaled f16 by a pre-pass first (time included): if
// it is much faster than .sgmat2, the per-element bf16 -> f16 conversion in staging is the limit.
// .sgmat2w / .sgmat2wp: a 256x128 workgroup tile (8 subgroups, bk 32, single-buffered staging
// with register prefetch: double buffering would not fit 48 KiB), without / with the pre-pass.
// .cpu: the CPU-shaped kernel (src/ops/matmul-cpu.ts: what a CPU adapter runs by default).
// matmul.tiny.*: the default CPU training run's GEMMs (configs/tiny-cpu.json: hidden 64,
// intermediate 128, vocab 151936; 7320 packed tokens, 128 scored rows, decode at 4 / 16 rows) at
// every scale, portable and cpu side by side.
// Names: matmul.<layout>.<shape>.<path>.
import type { Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { linear, linearBackwardInput, linearBackwardWeight, type MatmulOpts } from '../../src/ops/matmul.js';
import { checkSgmat2 } from '../../src/ops/experimental/index.js';
import { BenchUnavailable, type BenchCase, type BenchScale } from '../types.js';

type Layout = 'xwT' | 'dyW' | 'dyTx';
type Path = 'portable' | 'cpu' | 'sgmat' | 'sgmat2' | 'sgmat2k' | 'sgmat2t' | 'sgmat2p' | 'sgmat2w' | 'sgmat2wp';

const WIDE = { tile: '256x128', bk: 32, double: false } as const;

/** Options per tensor-core path (v2's variants differ in how K-major operands are staged). */
const PATH_OPTS: Record<Exclude<Path, 'portable'>, MatmulOpts> = {
  cpu: { path: 'cpu' },
  sgmat: { path: 'subgroup-matrix' },
  sgmat2: { path: 'subgroup-matrix', sgmatVariant: 'v2' },
  sgmat2k: { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: { transposeA: false, transposeB: false } },
  sgmat2t: { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: { transposeA: true, transposeB: true } },
  sgmat2p: { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: { prestage: true } },
  sgmat2w: { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: WIDE },
  sgmat2wp: { path: 'subgroup-matrix', sgmatVariant: 'v2', sgmat2: { ...WIDE, prestage: true } },
};

// [name, layout, M, N, K] with N = out features, K = in features of the weight [N, K].
const SHAPES: [string, Layout, number, number, number][] = [
  ['q', 'xwT', 8192, 5120, 5120],
  ['kv', 'xwT', 8192, 1024, 5120],
  ['o', 'xwT', 8192, 5120, 5120],
  ['mlp_up', 'xwT', 8192, 17408, 5120], // gate and up alike
  ['mlp_down', 'xwT', 8192, 5120, 17408],
  ['mlp_up', 'dyW', 8192, 17408, 5120],
  ['mlp_up', 'dyTx', 8192, 17408, 5120],
  ['square', 'xwT', 8192, 8192, 8192],
];

const checked = new WeakMap<Gpu, Promise<{ subgroupMatrix: string; sgmat2: string; detail: string }>>();

let pattern: Uint16Array | null = null;

/** Non-zero bf16 values (zeros would flatter the power-limited clock), written 16 MiB at a time. */
function fillPattern(gpu: Gpu, t: Tensor): void {
  if (!pattern) {
    pattern = new Uint16Array(8 << 20);
    const f = new Float32Array(1), u = new Uint32Array(f.buffer);
    for (let i = 0; i < pattern.length; i++) {
      f[0] = Math.sin(i * 0.37) * 0.5;
      pattern[i] = u[0] >>> 16;
    }
  }
  gpu.flush();
  for (let off = 0; off < t.byteSize; off += pattern.byteLength) {
    const n = Math.min(pattern.byteLength, t.byteSize - off);
    gpu.device.queue.writeBuffer(t.buffer, off, pattern.buffer, 0, n);
  }
}

function sizes(scale: BenchScale, M: number, N: number, K: number, fixed: boolean): [number, number, number] {
  return scale === 'full' || fixed ? [M, N, K] : [256, 320, 256];
}

function gemmCase(name: string, layout: Layout, M0: number, N0: number, K0: number, path: Path, fixed = false): BenchCase {
  return {
    name: fixed ? `matmul.tiny.${layout}.${name}.${path}` : `matmul.${layout}.${name}.${path}`,
    group: 'gemm',
    experimental: path.startsWith('sgmat2'),
    async setup(gpu, scale) {
      if (path === 'cpu' && !gpu.isCpu) throw new BenchUnavailable('the CPU-shaped GEMM is for CPU adapters (this device runs its GPU paths)');
      if (path !== 'portable' && path !== 'cpu') {
        if (!checked.has(gpu)) checked.set(gpu, checkSgmat2(gpu));
        const r = await checked.get(gpu)!;
        const status = path === 'sgmat' ? r.subgroupMatrix : r.sgmat2;
        const lines = r.detail.split('\n');
        const bad = lines.filter((l) => l.startsWith('BAD') || l.includes('failed')).slice(0, 3);
        const why = `subgroup-matrix ${path === 'sgmat' ? 'v1' : 'v2'} ${status}: ${[...lines.slice(0, 2), ...bad].join(' | ')}`;
        if (status === 'unavailable') throw new BenchUnavailable(why);
        if (status !== 'ok') throw new Error(why);
      }
      const [M, N, K] = sizes(scale, M0, N0, K0, fixed);
      const opts: MatmulOpts = path === 'portable' ? { path: 'portable' } : PATH_OPTS[path];
      const ts: Tensor[] = [];
      const t = (shape: number[], dtype: 'bf16' | 'f32', fill: boolean, label: string): Tensor => {
        const x = gpu.empty(shape, dtype, label);
        if (fill) fillPattern(gpu, x);
        ts.push(x);
        return x;
      };
      let run: () => void;
      if (layout === 'xwT') {
        const x = t([M, K], 'bf16', true, 'x'), w = t([N, K], 'bf16', true, 'w'), y = t([M, N], 'bf16', false, 'y');
        run = () => linear(gpu, x, w, y, opts);
      } else if (layout === 'dyW') {
        const dy = t([M, N], 'bf16', true, 'dy'), w = t([N, K], 'bf16', true, 'w'), dx = t([M, K], 'bf16', false, 'dx');
        run = () => linearBackwardInput(gpu, dy, w, dx, opts);
      } else {
        // Weight gradients are f32 (they feed the optimizer).
        const dy = t([M, N], 'bf16', true, 'dy'), x = t([M, K], 'bf16', true, 'x'), dw = t([N, K], 'f32', false, 'dw');
        run = () => linearBackwardWeight(gpu, dy, x, dw, opts);
      }
      return {
        shape: `M=${M} N=${N} K=${K} bf16${layout === 'dyTx' ? '->f32' : ''}`,
        flops: 2 * M * N * K,
        torch: { op: 'mm', args: { M, N, K, layout } },
        run,
        dispose() {
          for (const x of ts) x.destroy();
        },
      };
    },
  };
}

// The tiny model's: [name, layout, M, N, K] as above.
const TINY: [string, Layout, number, number, number][] = [
  ['logits4', 'xwT', 4, 151936, 64],
  ['logits16', 'xwT', 16, 151936, 64],
  ['mlp_up', 'xwT', 7320, 128, 64],
  ['mlp_down', 'xwT', 7320, 64, 128],
  ['mlp_up', 'dyW', 7320, 128, 64],
  ['mlp_up', 'dyTx', 7320, 128, 64],
  ['lm_head', 'xwT', 128, 8192, 64],
  ['lm_head', 'dyW', 128, 8192, 64],
  ['lm_head', 'dyTx', 128, 8192, 64],
];

export const cases: BenchCase[] = [
  ...TINY.flatMap(([name, layout, M, N, K]) => [gemmCase(name, layout, M, N, K, 'portable', true), gemmCase(name, layout, M, N, K, 'cpu', true)]),
  ...SHAPES.flatMap(([name, layout, M, N, K]) => [
  gemmCase(name, layout, M, N, K, 'portable'),
  // One cpu case per layout (at small scale every shape is 256x320x256).
  ...((layout === 'xwT' && name === 'square') || layout !== 'xwT' ? [gemmCase(name, layout, M, N, K, 'cpu')] : []),
  gemmCase(name, layout, M, N, K, 'sgmat'),
  gemmCase(name, layout, M, N, K, 'sgmat2'),
  gemmCase(name, layout, M, N, K, 'sgmat2p'),
  gemmCase(name, layout, M, N, K, 'sgmat2w'),
  gemmCase(name, layout, M, N, K, 'sgmat2wp'),
  ...(layout === 'dyW' ? [gemmCase(name, layout, M, N, K, 'sgmat2k')] : []),
  ...(layout === 'dyTx' ? [gemmCase(name, layout, M, N, K, 'sgmat2t')] : []),
  ]),
];
