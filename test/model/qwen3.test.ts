// The GPU Qwen3 (bf16 weights and activations, f32 accumulation) against the float64 reference fed
// the same bf16-rounded weights: logprobs, every weight gradient, and packing invariance.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { QWEN3_14B } from '../../src/model/config.js';
import { bytesPerToken } from '../../src/model/qwen3-activations.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { referenceBackward, referenceForward } from '../../src/model/reference.js';
import { makeRng } from '../../src/ops/ref/random.js';
import { toBf16 } from '../../src/ops/ref/index.js';
import { bf16Weights, gradMetrics, LOGPROB_ATOL, LOGPROB_RTOL, MAX_REL_L2, MIN_COS, refConfigOf, seqOf, tinyQwen3 } from './qwen3-helpers.js';


describe.each([false, true])('Qwen3Model on the GPU vs the float64 reference (tied %s)', (tied) => {
  const cfg = tinyQwen3({ tied });
  const w = bf16Weights(cfg, tied ? 11 : 7);
  const seqs = [seqOf(13, 1, 512), seqOf(6, 2, 512), seqOf(21, 3, 512)];
  const batch = packSequences(seqs);

  it('forward logprobs and entropies match', async () => {
    const gpu = await getGpu();
    const model = Qwen3Model.fromHost(gpu, cfg, w);
    const got = await model.forward(batch);
    const ref = referenceForward(refConfigOf(cfg), w, batch.tokens, batch.cuSeqlens);
    expect(Array.from(got.targets)).toEqual(Array.from(ref.targets));
    let maxErr = 0;
    let maxEntErr = 0;
    for (let t = 0; t < batch.tokens.length; t++) {
      const err = Math.abs(got.logprobs[t]! - ref.logprobs[t]!);
      maxErr = Math.max(maxErr, err);
      maxEntErr = Math.max(maxEntErr, Math.abs(got.entropy[t]! - ref.entropy[t]!));
      expect(err, `logprob of token ${t}`).toBeLessThanOrEqual(LOGPROB_ATOL + LOGPROB_RTOL * Math.abs(ref.logprobs[t]!));
    }
    console.log(`tied=${tied}: logprob max |err| ${maxErr.toExponential(2)}, entropy max |err| ${maxEntErr.toExponential(2)} (logprobs ${Math.min(...ref.logprobs).toFixed(1)}..${Math.max(...ref.logprobs).toFixed(1)})`);
    expect(maxEntErr).toBeLessThan(LOGPROB_ATOL);
    model.destroy();
  });

  it('every weight gradient of L = sum_t c_t logprob_t matches', async () => {
    const gpu = await getGpu();
    const model = Qwen3Model.fromHost(gpu, cfg, w);
    const rng = makeRng(5);
    const c = Float64Array.from(batch.tokens, () => rng() * 2 - 1);
    await model.forward(batch);
    model.backward(batch, c);
    const ref = referenceBackward(refConfigOf(cfg), w, batch.tokens, batch.cuSeqlens, c);
    expect([...model.grads.keys()].sort()).toEqual(Object.keys(ref.grads).sort());
    let worst = { name: '', cos: 1, relL2: 0 };
    const lines: string[] = [];
    for (const [name, t] of model.grads) {
      const m = gradMetrics(await gpu.readF32(t), ref.grads[name]!);
      lines.push(`${name}: cos ${m.cos.toFixed(5)} relL2 ${m.relL2.toFixed(4)}`);
      if (!(m.cos >= worst.cos)) worst = { name, ...m, relL2: Math.max(worst.relL2, m.relL2) };
      else worst.relL2 = Math.max(worst.relL2, m.relL2);
      expect(m.cos, name).toBeGreaterThan(MIN_COS);
      expect(m.relL2, name).toBeLessThan(MAX_REL_L2);
    }
    console.log(`tied=${tied}: worst cos ${worst.cos.toFixed(5)} (${worst.name}), worst relL2 ${worst.relL2.toFixed(4)}\n  ${lines.join('\n  ')}`);
    // A second backward accumulates (+=): gradients double.
    const before = await gpu.readF32(model.grads.get('model.norm.weight')!);
    model.backward(batch, c);
    const after = await gpu.readF32(model.grads.get('model.norm.weight')!);
    for (let i = 0; i < before.length; i++) expect(after[i]).toBeCloseTo(2 * before[i]!, 4);
    model.destroy();
  });

  it('bf16 gradient accumulators (gradDtype bf16) hold the f32 gradients rounded once per pass', async () => {
    const gpu = await getGpu();
    const f32 = Qwen3Model.fromHost(gpu, cfg, w);
    const bf = Qwen3Model.fromHost(gpu, cfg, w, { gradDtype: 'bf16' });
    const rng = makeRng(6);
    const c = Float64Array.from(batch.tokens, () => rng() * 2 - 1);
    for (const m of [f32, bf]) {
      await m.forward(batch);
      m.backward(batch, c);
    }
    // One pass: the same f32 sums, rounded to bf16 once (bit for bit, every tensor; tied, the
    // embedding's two parts, from lm_head and from the embedding itself, are added one by one).
    const once = new Map<string, Float32Array>();
    for (const [name, g] of bf.grads) {
      expect(g.dtype, name).toBe('bf16');
      const want = await gpu.readF32(f32.grads.get(name)!);
      const got = await gpu.readF32(g);
      once.set(name, want);
      if (tied && name === 'model.embed_tokens.weight') {
        // Two roundings where the parts may cancel: whole-tensor error of a few bf16 ulps at most.
        expect(gradMetrics(got, Float64Array.from(want)).relL2, name).toBeLessThan(2 ** -7);
        continue;
      }
      let bad = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== toBf16(want[i]!)) bad++;
      expect(bad, name).toBe(0);
    }
    // A second pass accumulates: bf16(bf16(g) + g) is within one bf16 rounding of 2g.
    bf.backward(batch, c);
    for (const [name, g] of bf.grads) {
      const got = await gpu.readF32(g);
      const want = once.get(name)!;
      if (tied && name === 'model.embed_tokens.weight') {
        expect(gradMetrics(got, Float64Array.from(want, (x) => 2 * x)).relL2, name).toBeLessThan(2 ** -7);
        continue;
      }
      for (let i = 0; i < want.length; i++) {
        const err = Math.abs(got[i]! - 2 * want[i]!);
        if (!(err <= 2 ** -7 * Math.abs(2 * want[i]!) + 1e-30)) expect([name, i, got[i], 2 * want[i]!]).toEqual('within one bf16 rounding');
      }
    }
    f32.destroy();
    bf.destroy();
  });

  it('without recompute (every layer keeps its forward activations): the same logprobs and gradients, bit for bit', async () => {
    const gpu = await getGpu();
    const ckpt = Qwen3Model.fromHost(gpu, cfg, w);
    const kept = Qwen3Model.fromHost(gpu, cfg, w, { recompute: false });
    const rng = makeRng(8);
    const c = Float64Array.from(batch.tokens, () => rng() * 2 - 1);
    const a = await ckpt.forward(batch);
    const b = await kept.forward(batch);
    expect(Array.from(b.logprobs)).toEqual(Array.from(a.logprobs));
    for (const m of [ckpt, kept]) {
      m.backward(batch, c);
      // A forward of another batch in between: the second backward records this batch's forward again.
      await m.forward(packSequences([seqOf(9, 4, 512)]));
      m.backward(batch, c);
    }
    for (const [name, g] of ckpt.grads) {
      const want = await gpu.readF32(g);
      const got = await gpu.readF32(kept.grads.get(name)!);
      let bad = 0;
      for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) bad++;
      expect(bad, name).toBe(0);
    }
    ckpt.destroy();
    kept.destroy();
  });
});

describe('packing', () => {
  it('two sequences packed give the same logprobs as each alone', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 3));
    const a = seqOf(17, 8, 512);
    const b = seqOf(9, 9, 512);
    const packed = await model.forward(packSequences([a, b]));
    const alone = [...(await model.forward(packSequences([a]))).logprobs, ...(await model.forward(packSequences([b]))).logprobs];
    let maxErr = 0;
    for (let t = 0; t < alone.length; t++) maxErr = Math.max(maxErr, Math.abs(packed.logprobs[t]! - alone[t]!));
    console.log(`packed vs alone: max |diff| ${maxErr.toExponential(2)}`);
    expect(maxErr).toBeLessThan(1e-3);
    expect(packed.logprobs[16]).toBe(0); // a's last token has no target
    expect(packed.targets[16]).toBe(-1);
    model.destroy();
  });
});

describe('scored rows', () => {
  it('scoring a subset of positions: same logprobs there, 0 elsewhere, same gradients as zero weights', async () => {
    const gpu = await getGpu();
    const cfg = tinyQwen3();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 5));
    const full = packSequences([seqOf(30, 4, 512), seqOf(12, 5, 512)]);
    const keep = (t: number): boolean => t % 3 === 1 || t > 35;
    const sub = { ...full, targets: Int32Array.from(full.targets, (y, t) => (keep(t) ? y : -1)) };
    const [a, b] = [await model.forward(full), await model.forward(sub)];
    let worst = 0;
    for (let t = 0; t < full.tokens.length; t++) {
      if (sub.targets[t]! >= 0) worst = Math.max(worst, Math.abs(a.logprobs[t]! - b.logprobs[t]!));
      else expect(b.logprobs[t]).toBe(0);
    }
    expect(worst).toBeLessThan(1e-4);
    // Gradients: the subset batch against the full batch with zero weight off the subset.
    const rng = makeRng(9);
    const c = Float64Array.from(full.tokens, (_, t) => (keep(t) ? rng() * 2 - 1 : 0));
    model.zeroGrads();
    model.backward(full, c);
    const ga = new Map<string, Float32Array>();
    for (const [n, g] of model.grads) ga.set(n, await gpu.readF32(g));
    model.zeroGrads();
    model.backward(sub, c);
    for (const [n, g] of model.grads) {
      const m = gradMetrics(await gpu.readF32(g), Float64Array.from(ga.get(n)!));
      expect(m.cos, n).toBeGreaterThan(0.99999);
    }
    model.destroy();
  });
});

describe('activation memory plan', () => {
  it('matches the per-token budget documented for Qwen3-14B', () => {
    // Numbers from the comment in src/model/qwen3-activations.ts.
    expect(bytesPerToken(QWEN3_14B)).toEqual({ kept: 419840, layerForward: 194920, layerBackward: 225280, head: 20484, total: 860524 });
    // Without recompute every layer keeps its own forward set: 40 of them.
    expect(bytesPerToken(QWEN3_14B, { recompute: false })).toMatchObject({ layerForward: 40 * 194920, total: 860524 + 39 * 194920 });
  });
});
