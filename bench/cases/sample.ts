// Next-token sampling on the GPU at a decode step's shape: B = 64 sequences x V = 151936 f32
// logits (what one decode step of the embedded sampler produces), greedy, top-k + top-p (the
// common serving setting) and top-p alone (the most bisection passes). bytes = one read of the
// logits, the floor for any sampler; the bisections re-read them from cache many times.
// sample.tiny.*: the decode steps of the default CPU run (configs/tiny-cpu.json: vocab 151936, 16
// rollouts, T = 1, no cut) and of a smaller batch (4), also greedy, T = 0.7 and T = 0.7 with top-p
// 0.9, each in the portable kernel (`.portable`) and the CPU-shaped one (`.cpu`, the device's
// sample variant) side by side, at every scale; the CPU cases report unavailable on other adapters.
import type { Gpu } from '../../src/gpu/gpu.js';
import { SamplingParams, type SamplingInput } from '../../src/ops/sampling.js';
import { encodeRows, recordSample } from '../../src/ops/sample.js';
import { BenchUnavailable, type BenchCase, type BenchScale } from '../types.js';

/** B rows of V deterministic logits, each row's parameters `p` (seed 7, step = row), and the output. */
function inputs(gpu: Gpu, B: number, V: number, p: SamplingInput) {
  const params = SamplingParams.parse(p);
  const logits = gpu.upload(Float32Array.from({ length: B * V }, (_, i) => Math.sin(i * 12.9898) * 8), [B, V], 'f32', 'logits');
  const rows = gpu.upload(encodeRows(Array.from({ length: B }, (_, b) => ({ params, seed: 7, step: b }))), [B * 5], 'u32', 'rows');
  const out = gpu.empty([B, 4], 'u32', 'out');
  return {
    params,
    logits,
    rows,
    out,
    shape: `B=${B} V=${V} T=${params.temperature} top_k=${params.topK} top_p=${params.topP}`,
    bytes: B * V * 4,
    dispose: () => [logits, rows, out].forEach((t) => t.destroy()),
  };
}

function sample(name: string, p: SamplingInput): BenchCase {
  return {
    name,
    group: 'sampling',
    async setup(gpu: Gpu, scale: BenchScale) {
      const [B, V] = scale === 'full' ? [64, 151936] : [8, 4099];
      const x = inputs(gpu, B, V, p);
      return {
        shape: x.shape,
        bytes: x.bytes,
        torch: { op: 'sample', args: { B, V, temperature: x.params.temperature, topK: x.params.topK, topP: x.params.topP } },
        run: () => recordSample(gpu, x.logits, x.rows, x.out),
        dispose: x.dispose,
      };
    },
  };
}

function tinyCase(B: number, tag: string, p: SamplingInput, variant: 'portable' | 'cpu'): BenchCase {
  return {
    name: `sample.tiny.B${B}.${tag}.${variant}`,
    group: 'sampling',
    async setup(gpu: Gpu) {
      if (variant === 'cpu' && !gpu.isCpu) throw new BenchUnavailable('the CPU-shaped sampling kernel is for CPU adapters');
      const x = inputs(gpu, B, 151936, p);
      return { shape: x.shape, bytes: x.bytes, run: () => recordSample(gpu, x.logits, x.rows, x.out, { variant }), dispose: x.dispose };
    },
  };
}

const TINY: [string, SamplingInput][] = [
  ['greedy', { temperature: 0 }],
  ['t1', { temperature: 1 }],
  ['t07', { temperature: 0.7 }],
  ['t07p90', { temperature: 0.7, topP: 0.9 }],
];

export const cases: BenchCase[] = [
  ...[4, 16].flatMap((B) => TINY.flatMap(([tag, p]) => (['portable', 'cpu'] as const).map((v) => tinyCase(B, tag, p, v)))),
  sample('sample.greedy', { temperature: 0 }),
  sample('sample.topk50.topp95', { temperature: 1, topK: 50, topP: 0.95 }),
  sample('sample.topp90', { temperature: 0.8, topP: 0.9 }),
];
