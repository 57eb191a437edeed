// Next-token sampling on the GPU at a decode step's shape: B = 64 sequences x V = 151936 f32
// logits (what one decode step of the embedded sampler produces), greedy, top-k + top-p (the
// common serving setting) and top-p alone (the most bisection passes). bytes = one read of the
// logits, the floor for any sampler; the bisections re-read them from cache many times.
import type { Gpu } from '../../src/gpu/gpu.js';
import { SamplingParams, type SamplingInput } from '../../src/ops/sampling.js';
import { encodeRows, recordSample } from '../../src/ops/sample.js';
import type { BenchCase, BenchScale } from '../types.js';

function sample(name: string, p: SamplingInput): BenchCase {
  return {
    name,
    group: 'sampling',
    async setup(gpu: Gpu, scale: BenchScale) {
      const [B, V] = scale === 'full' ? [64, 151936] : [8, 4099];
      const params = SamplingParams.parse(p);
      const logits = gpu.upload(Float32Array.from({ length: B * V }, (_, i) => Math.sin(i * 12.9898) * 8), [B, V], 'f32', 'logits');
      const rows = gpu.upload(encodeRows(Array.from({ length: B }, (_, b) => ({ params, seed: 7, step: b }))), [B * 5], 'u32', 'rows');
      const out = gpu.empty([B, 4], 'u32', 'out');
      return {
        shape: `B=${B} V=${V} T=${params.temperature} top_k=${params.topK} top_p=${params.topP}`,
        bytes: B * V * 4,
        torch: { op: 'sample', args: { B, V, temperature: params.temperature, topK: params.topK, topP: params.topP } },
        run: () => recordSample(gpu, logits, rows, out),
        dispose: () => [logits, rows, out].forEach((t) => t.destroy()),
      };
    },
  };
}

export const cases: BenchCase[] = [
  sample('sample.greedy', { temperature: 0 }),
  sample('sample.topk50.topp95', { temperature: 1, topK: 50, topP: 0.95 }),
  sample('sample.topp90', { temperature: 0.8, topP: 0.9 }),
];
