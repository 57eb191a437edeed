// The tensor-core attention (src/ops/experimental/attention-sgmat.ts, emulated on lavapipe) through
// the whole model: logprobs and gradients against the float64 reference with the same bounds as
// the default kernels (test/model/qwen3.test.ts).
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../../src/gpu/gpu.js';
import { packSequences } from '../../../src/model/qwen3-batch.js';
import { Qwen3Model } from '../../../src/model/qwen3.js';
import { referenceBackward, referenceForward } from '../../../src/model/reference.js';
import '../../../src/ops/experimental/index.js'; // registers the variant
import { makeRng } from '../../../src/ops/ref/random.js';
import { bf16Weights, gradMetrics, LOGPROB_ATOL, LOGPROB_RTOL, MAX_REL_L2, MIN_COS, refConfigOf, seqOf, tinyQwen3 } from '../../model/qwen3-helpers.js';

describe('kernel variants (ModelOptions.kernels)', () => {
  // The tensor-core attention (emulated here) through the whole model: logprobs and gradients
  // against the float64 reference with the same bounds as the default kernels.
  it('sgmat attention gives the reference logprobs and gradients', async () => {
    const gpu = await getGpu();
    if (!gpu.features.f16 || !gpu.features.subgroups) return;
    const cfg = tinyQwen3();
    const w = bf16Weights(cfg, 7);
    const batch = packSequences([seqOf(13, 1, 512), seqOf(70, 2, 512)]); // 70: past one 64-row block
    const model = Qwen3Model.fromHost(gpu, cfg, w, { kernels: { attention: { variant: 'sgmat', emulate: true } } });
    expect(model.kernels?.attention?.variant).toBe('sgmat');
    const got = await model.forward(batch);
    const ref = referenceForward(refConfigOf(cfg), w, batch.tokens, batch.cuSeqlens);
    for (let t = 0; t < batch.tokens.length; t++) {
      expect(Math.abs(got.logprobs[t]! - ref.logprobs[t]!), `logprob ${t}`).toBeLessThanOrEqual(LOGPROB_ATOL + LOGPROB_RTOL * Math.abs(ref.logprobs[t]!));
    }
    const rng = makeRng(5);
    const c = Float64Array.from(batch.tokens, () => rng() * 2 - 1);
    model.backward(batch, c);
    const rg = referenceBackward(refConfigOf(cfg), w, batch.tokens, batch.cuSeqlens, c);
    for (const [name, t] of model.grads) {
      const m = gradMetrics(await gpu.readF32(t), rg.grads[name]!);
      expect(m.cos, name).toBeGreaterThan(MIN_COS);
      expect(m.relL2, name).toBeLessThan(MAX_REL_L2);
    }
    // Another model over the same weights (the layer benchmark's pattern): default kernels agree.
    model.releaseActivations();
    const other = new Qwen3Model(gpu, cfg, model.weights);
    const again = await other.forward(batch);
    for (let t = 0; t < batch.tokens.length; t++) expect(Math.abs(again.logprobs[t]! - got.logprobs[t]!), `default vs sgmat ${t}`).toBeLessThan(5e-2);
    other.destroy(); // frees the shared weights too
    // The option reaches the kernels: the real tensor-core variant is refused without the feature.
    if (!gpu.features.subgroupMatrix) {
      const real = Qwen3Model.fromHost(gpu, cfg, w, { kernels: { attention: { variant: 'sgmat' } } });
      await expect(real.forward(batch)).rejects.toThrow(/variant 'sgmat' needs f16 subgroup matrices/);
      await gpu.sync(); // what was recorded before the refusal runs while its buffers are alive
      real.destroy();
    }
  });
});
