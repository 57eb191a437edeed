// The kernel tuner's family of next-token sampling (src/gpu/variants.ts `sample`): the portable
// kernel against the CPU-shaped one on one decode step's logits at the model's vocabulary.
import type { Gpu } from '../../gpu/gpu.js';
import { SamplingParams } from '../sampling.js';
import { encodeRows, recordSample } from '../sample.js';
import { compareOutputs, seeded, type TuneDims, type TuneFamily, type TuneShape, type TuneTrial } from './trial.js';

/** Rows of one decode step: the default CPU run samples 16 rollouts at a time. */
const ROWS = 16;

/** A decode step's sampling of ROWS rows over the whole vocabulary: rows alternate T = 1 (the
 *  default run's setting) and T = 0.7, no top-k / top-p (each cut adds ~50 passes over a row in
 *  both kernels, which would only lengthen the tuning). Outputs compared: tokens and statuses
 *  exactly; the two logprobs within 1e-5 relative (the same bits on lavapipe,
 *  test/ops/sample-cpu.test.ts; another compiler may contract a multiply-add differently). */
function sampleShape(gpu: Gpu, d: TuneDims): TuneShape {
  const B = ROWS, V = d.vocab;
  return {
    label: `sample ${B} rows x ${V} vocab`,
    setup(): TuneTrial {
      const logits = gpu.upload(seeded(B * V, 91, 6), [B, V], 'f32', 'tune.logits');
      const params = [SamplingParams.parse({}), SamplingParams.parse({ temperature: 0.7 })];
      const rows = gpu.upload(encodeRows(Array.from({ length: B }, (_, b) => ({ params: params[b % 2]!, seed: 93 + b, step: b }))), [B * 5], 'u32', 'tune.rows');
      const out = gpu.empty([B, 4], 'u32', 'tune.out');
      const record = (variant: string, o = out): void => recordSample(gpu, logits, rows, o, { variant: variant as 'portable' | 'cpu' });
      return {
        run: (variant) => record(variant),
        async outputs(variant) {
          const o = gpu.empty([B, 4], 'u32', 'tune.out');
          try {
            record(variant, o);
            const w = (await gpu.read(o)) as Uint32Array;
            const f = new Float32Array(w.buffer, w.byteOffset, w.length);
            const col = (k: number, bits: boolean): Float32Array => Float32Array.from({ length: B }, (_, b) => (bits ? f[4 * b + k]! : w[4 * b + k]!));
            return [col(0, false), col(1, true), col(2, true), col(3, false)];
          } finally {
            o.destroy();
          }
        },
        compare: (ref, got) =>
          compareOutputs(
            [
              { name: 'token', ofMax: 0, rel: 0 },
              { name: 'logprob', ofMax: 0, rel: 1e-5 },
              { name: 'model logprob', ofMax: 0, rel: 1e-5 },
              { name: 'status', ofMax: 0, rel: 0 },
            ],
            ref,
            got,
          ),
        dispose: () => [logits, rows, out].forEach((t) => t.destroy()),
      };
    },
  };
}

export const sampleFamily: TuneFamily = {
  family: 'sample',
  reference: 'portable',
  async candidates(gpu) {
    return [{ variant: 'portable' }, { variant: 'cpu', ...(gpu.features.subgroups ? {} : { unavailable: 'no subgroups' }) }];
  },
  shapes: (gpu, d) => [sampleShape(gpu, d)],
};
