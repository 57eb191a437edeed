// AdamW over a Qwen3 model's weights on the GPU: one step against the float64 reference on every
// weight (clipping included), the model actually training (NLL of a fixed batch falls), and state
// save/load giving bit-identical continued updates; bad inputs refused without changing anything.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { adamwStep, clipFactor, globalGradNorm, toBf16 } from '../../src/ops/ref/index.js';
import { AdamW } from '../../src/train/optimizer.js';
import { bf16Weights, seqOf, tinyQwen3 } from '../model/qwen3-helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const meanNll = (lp: Float32Array, targets: Int32Array): number => {
  let s = 0, n = 0;
  lp.forEach((x, t) => {
    if (targets[t]! >= 0) {
      s -= x;
      n++;
    }
  });
  return s / n;
};

describe('AdamW over the model weights', () => {
  const cfg = tinyQwen3();
  const batch = packSequences([seqOf(20, 1, 512), seqOf(11, 2, 512)]);
  const nTargets = batch.tokens.length - 2;
  const dNll = Float64Array.from(batch.targets, (t) => (t >= 0 ? -1 / nTargets : 0)); // d(mean NLL)/d logprob

  it('one step equals the float64 reference on every weight, clipping included', async () => {
    const gpu = await getGpu();
    const host = bf16Weights(cfg, 31);
    const model = Qwen3Model.fromHost(gpu, cfg, host);
    const hyper = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 0.05 };
    const opt = new AdamW(gpu, model.weights.byName, hyper);
    await model.forward(batch);
    model.backward(batch, dNll);
    const grads = new Map<string, Float32Array>();
    for (const [n, g] of model.grads) grads.set(n, await gpu.readF32(g));
    const info = await opt.update(model.grads);
    const norm = globalGradNorm(grads.values());
    expect(info.gradNorm).toBeCloseTo(norm, 4);
    const scale = clipFactor(norm, hyper.maxGradNorm);
    expect(scale).toBeLessThan(1); // the clip is exercised
    expect(info.clipScale).toBeCloseTo(scale, 5);
    for (const [name, g] of grads) {
      const p = Float64Array.from(host[name]!, (x) => toBf16(x));
      const m = new Float64Array(p.length), v = new Float64Array(p.length);
      const wd = name.endsWith('norm.weight') ? 0 : hyper.weightDecay;
      adamwStep(p, g.map((x) => x * info.clipScale), m, v, 1, { ...hyper, weightDecay: wd });
      const got = await gpu.readF32(opt.master(name));
      let worst = 0;
      for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(got[i]! - p[i]!) / (1e-6 + 1e-5 * Math.abs(p[i]!)));
      expect(worst, name).toBeLessThan(1);
      // The bf16 compute weight is the rounded master.
      const w = await gpu.readF32(model.weights.byName.get(name)!);
      for (let i = 0; i < p.length; i += 97) expect(w[i], `${name}[${i}]`).toBe(toBf16(got[i]!));
    }
    expect(opt.step).toBe(1);
    opt.destroy();
    model.destroy();
  });

  it('trains: the NLL of a fixed batch falls, and a saved state resumes bit for bit', async () => {
    const gpu = await getGpu();
    const model = Qwen3Model.fromHost(gpu, cfg, bf16Weights(cfg, 32));
    const opt = new AdamW(gpu, model.weights.byName, { lr: 3e-3, maxGradNorm: 1 });
    const first = meanNll((await model.forward(batch)).logprobs, batch.targets);
    const trainStep = async (m: Qwen3Model, o: AdamW): Promise<number> => {
      const r = await m.forward(batch);
      m.zeroGrads();
      m.backward(batch, dNll);
      await o.update(m.grads);
      return meanNll(r.logprobs, batch.targets);
    };
    for (let i = 0; i < 12; i++) await trainStep(model, opt);
    const after = meanNll((await model.forward(batch)).logprobs, batch.targets);
    console.log(`mean NLL ${first.toFixed(3)} -> ${after.toFixed(3)} after 12 AdamW steps`);
    expect(after).toBeLessThan(first - 1);

    // Save, take one more step; a fresh model + optimizer loaded from the saves takes the same step.
    const root = await mkdtemp(join(tmpdir(), 'adamw-'));
    dirs.push(root);
    await model.save(join(root, 'model'));
    await opt.save(join(root, 'opt'));
    await trainStep(model, opt);
    const model2 = await Qwen3Model.load(gpu, join(root, 'model'));
    const opt2 = new AdamW(gpu, model2.weights.byName, { lr: 3e-3, maxGradNorm: 1 });
    await opt2.load(join(root, 'opt'));
    expect(opt2.step).toBe(12);
    await trainStep(model2, opt2);
    expect(opt2.step).toBe(13);
    for (const name of model.weights.byName.keys()) {
      expect(Array.from(await gpu.readF32(opt2.master(name))), name).toEqual(Array.from(await gpu.readF32(opt.master(name))));
    }
    // Refusals: a missing gradient, a state of other weights; nothing changes.
    const partial = new Map([...model2.grads].slice(1));
    await expect(opt2.update(partial)).rejects.toThrow(/no gradient for/);
    expect(opt2.step).toBe(13);
    await writeFile(join(root, 'opt', 'state.json'), JSON.stringify({ format: 'rlvr-adamw-v1', step: 3, names: ['x'] }));
    await expect(opt2.load(join(root, 'opt'))).rejects.toThrow(/hold\(s\) no state for/);
    await writeFile(join(root, 'opt', 'state.json'), '{"format": "other"');
    await expect(opt2.load(join(root, 'opt'))).rejects.toThrow(/state\.json/);
    expect(opt2.step).toBe(13);
    for (const x of [opt, opt2]) x.destroy();
    for (const x of [model, model2]) x.destroy();
  });
});
