// memory.tiny.*: the memory-bound kernels of the default CPU training run (configs/tiny-cpu.json:
// hidden 64, intermediate 128, 4/2 heads of 16; a pass of 7320 packed tokens, as
// tools/profile-step.ts), each in its portable form (256 invocations of one unit: `.portable`) and
// its CPU-shaped one (`.cpu`: workgroups of one SIMD vector, many units per invocation; the
// device's memory variant, src/gpu/variants.ts) side by side. RMSNorm: the backward only (hidden
// [T, 64] and the q norm [T*4, 16]); its forward has no CPU-shaped form. The CPU cases report unavailable on
// other adapters. Bytes are the minimum moved.
import type { Gpu } from '../../src/gpu/gpu.js';
import type { DType, Tensor } from '../../src/gpu/tensor.js';
import { cast } from '../../src/ops/cast.js';
import { embeddingBackward, embeddingForward } from '../../src/ops/embedding.js';
import { add, addInPlace } from '../../src/ops/residual.js';
import { rmsnormBackward, rmsnormForward } from '../../src/ops/rmsnorm.js';
import { ropeBackward, ropeForward } from '../../src/ops/rope.js';
import { swigluBackward, swigluForward } from '../../src/ops/swiglu.js';
import { BenchUnavailable, type BenchCase, type BenchInstance } from '../types.js';

const T = 7320;
const H = 64;
const I = 128;
const HEADS = 4;
const HD = 16;
const VOCAB = 151936;

type Variant = 'portable' | 'cpu';

function ramp(gpu: Gpu, shape: number[], dtype: DType, label: string): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = ((i * 7919) % 2001) / 1000 - 1;
  return gpu.upload(v, shape, dtype, label);
}

type Setup = (gpu: Gpu, variant: Variant) => { shape: string; bytes: number; run: () => void; ts: Tensor[] };

const OPS: Record<string, Setup> = {
  add(gpu, variant) {
    const [a, b, o] = ['a', 'b', 'out'].map((l) => ramp(gpu, [T, H], 'bf16', l));
    return { shape: `[${T}x${H}] bf16 + bf16`, bytes: 3 * a.byteSize, run: () => add(gpu, a!, b!, o!, { variant }), ts: [a!, b!, o!] };
  },
  add_inplace(gpu, variant) {
    const acc = ramp(gpu, [T, H], 'f32', 'acc');
    const b = ramp(gpu, [T, H], 'bf16', 'b');
    return { shape: `[${T}x${H}] f32 += bf16`, bytes: 2 * acc.byteSize + b.byteSize, run: () => addInPlace(gpu, acc, b, { variant }), ts: [acc, b] };
  },
  cast(gpu, variant) {
    const s = ramp(gpu, [T, H], 'f32', 'src');
    const d = gpu.empty([T, H], 'bf16', 'dst');
    return { shape: `[${T}x${H}] f32 -> bf16`, bytes: s.byteSize + d.byteSize, run: () => cast(gpu, s, d, { variant }), ts: [s, d] };
  },
  ...Object.fromEntries(
    (['fwd', 'bwd'] as const).map((pass): [string, Setup] => [
      `embedding.${pass}`,
      (gpu, variant) => {
        // Ids as a packed batch of 4 sequences of a few hundred distinct prompt tokens, repeated.
        const hostIds = Uint32Array.from({ length: T }, (_, t) => (Math.imul(t % 1830, 2654435761) >>> 0) % VOCAB);
        const ids = gpu.upload(hostIds, [T], 'u32', 'ids');
        const rows = gpu.empty([T, H], 'bf16', pass === 'fwd' ? 'out' : 'dOut');
        const table = pass === 'fwd' ? ramp(gpu, [VOCAB, H], 'bf16', 'table') : gpu.empty([VOCAB, H], 'f32', 'dTable');
        const run =
          pass === 'fwd' ? () => embeddingForward(gpu, ids, table, rows, { variant }) : () => embeddingBackward(gpu, ids, rows, table, { variant, hostIds });
        // Bytes: the rows gathered (read + write) or scattered (dOut read, dTable rows read + written).
        const bytes = pass === 'fwd' ? 2 * T * H * 2 : T * H * 2 + 2 * 1830 * H * 4;
        return { shape: `T=${T} V=${VOCAB} H=${H} bf16${pass === 'bwd' ? ' -> f32' : ''}`, bytes, run, ts: [ids, rows, table] };
      },
    ]),
  ),
  'swiglu.fwd'(gpu, variant) {
    const [g, u, o] = ['gate', 'up', 'out'].map((l) => ramp(gpu, [T, I], 'bf16', l));
    return { shape: `[${T}x${I}] bf16`, bytes: 3 * g!.byteSize, run: () => swigluForward(gpu, g!, u!, o!, { variant }), ts: [g!, u!, o!] };
  },
  'swiglu.bwd'(gpu, variant) {
    const [g, u, d, dg, du] = ['gate', 'up', 'dOut', 'dGate', 'dUp'].map((l) => ramp(gpu, [T, I], 'bf16', l));
    return { shape: `[${T}x${I}] bf16`, bytes: 5 * g!.byteSize, run: () => swigluBackward(gpu, d!, g!, u!, dg!, du!, { variant }), ts: [g!, u!, d!, dg!, du!] };
  },
  ...Object.fromEntries(
    (['fwd', 'bwd'] as const).map((pass): [string, Setup] => [
      `rope.q.${pass}`,
      (gpu, variant) => {
        const x = ramp(gpu, [T, HEADS * HD], 'bf16', 'q');
        const out = gpu.empty([T, HEADS * HD], 'bf16', 'q.rot');
        const pos = gpu.upload(Uint32Array.from({ length: T }, (_, t) => t % 1830), [T], 'u32', 'positions');
        const dims = { tokens: T, heads: HEADS, headDim: HD, theta: 1e6 };
        ropeForward(gpu, x, pos, out, dims, { variant }); // builds the cos/sin table outside the timing
        const f = pass === 'bwd' ? ropeBackward : ropeForward;
        return { shape: `T=${T} heads=${HEADS} hd=${HD} bf16`, bytes: 2 * x.byteSize + pos.byteSize, run: () => f(gpu, x, pos, out, dims, { variant }), ts: [x, out, pos] };
      },
    ]),
  ),
  ...Object.fromEntries(
    (
      [
        ['rmsnorm', T, H],
        ['qknorm', T * HEADS, HD],
      ] as const
    ).flatMap(([name, rows, dim]) =>
      // The backward only: the forward has no CPU-shaped form (src/ops/rmsnorm.ts).
      (['bwd'] as const).map((pass): [string, Setup] => [
        `${name}.${pass}`,
        (gpu, variant) => {
          const dims = { rows, dim, eps: 1e-6 };
          const x = ramp(gpu, [rows, dim], 'bf16', 'x');
          const w = gpu.upload(new Float32Array(dim).fill(1), [dim], 'bf16', 'w');
          const y = gpu.empty([rows, dim], 'bf16', 'y');
          const rstd = gpu.empty([rows], 'f32', 'rstd');
          const dx = gpu.empty([rows, dim], 'bf16', 'dx');
          const dw = gpu.empty([dim], 'f32', 'dw');
          rmsnormForward(gpu, x, w, y, rstd, dims, { variant });
          const act = rows * dim * 2;
          return {
            shape: `rows=${rows} dim=${dim} bf16`,
            bytes: 3 * act + rows * 4,
            run: () => rmsnormBackward(gpu, y, x, w, rstd, dx, dw, dims, { variant }),
            ts: [x, w, y, rstd, dx, dw],
          };
        },
      ]),
    ),
  ),
};

function memoryCase(op: string, variant: Variant): BenchCase {
  return {
    name: `memory.tiny.${op}.${variant}`,
    group: 'memory',
    async setup(gpu): Promise<BenchInstance> {
      if (variant === 'cpu' && !gpu.isCpu) throw new BenchUnavailable('the CPU-shaped memory-bound kernels are for CPU adapters');
      const s = OPS[op]!(gpu, variant);
      return { shape: s.shape, bytes: s.bytes, run: s.run, dispose: () => s.ts.forEach((t) => t.destroy()) };
    },
  };
}

export const cases: BenchCase[] = Object.keys(OPS).flatMap((op) => [memoryCase(op, 'portable'), memoryCase(op, 'cpu')]);
