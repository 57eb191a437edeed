// Loading a HF directory (config.json + safetensors, bf16 or f32, one file or shards, tied or not)
// into bf16 GPU tensors; the loaded model's logprobs against the reference on the file's weights.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { bf16ArrayToF32, f32ArrayToBf16, viewAs } from '../../src/io/dtype.js';
import { ShardedSafetensors } from '../../src/io/safetensors/index.js';
import { qwen3Tensors } from '../../src/model/config.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { loadWeights } from '../../src/model/qwen3-weights.js';
import { referenceForward, type RefWeights } from '../../src/model/reference.js';
import { makeTinyModel } from '../../src/model/tiny.js';
import { refConfigOf, seqOf } from './qwen3-helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** The checkpoint's values rounded to bf16, as float64 (what the GPU should hold). */
async function hostWeights(dir: string): Promise<RefWeights> {
  const ck = await ShardedSafetensors.open(dir);
  const out: RefWeights = {};
  for (const name of ck.names) {
    const info = await ck.info(name);
    const bytes = await ck.read(name);
    const f32 = info.dtype === 'BF16' ? bf16ArrayToF32(viewAs(Uint16Array, bytes)) : bf16ArrayToF32(f32ArrayToBf16(viewAs(Float32Array, bytes)));
    out[name] = Float64Array.from(f32);
  }
  await ck.close();
  return out;
}

describe('Qwen3Model.load', () => {
  for (const o of [
    { dtype: 'bf16', tied: false, shards: 1 },
    { dtype: 'f32', tied: true, shards: 3 },
  ] as const) {
    it(`loads a ${o.dtype} checkpoint (tied ${o.tied}, ${o.shards} shard(s)) and matches the reference`, async () => {
      const gpu = await getGpu();
      const dir = await mkdtemp(join(tmpdir(), 'qwen3-load-'));
      dirs.push(dir);
      await makeTinyModel(dir, { vocab: 512, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, layers: 2, ...o, seed: 3 });
      const model = await Qwen3Model.load(gpu, dir);
      const host = await hostWeights(dir);
      for (const t of qwen3Tensors(model.config)) {
        const got = await gpu.readF32(model.weights.byName.get(t.name)!);
        expect(Array.from(got), t.name).toEqual(Array.from(host[t.name]!, Math.fround));
      }
      expect(model.weights.lmHead === model.weights.embed).toBe(o.tied);
      const batch = packSequences([seqOf(9, 4, 512), seqOf(5, 5, 512)]);
      const got = await model.forward(batch);
      const ref = referenceForward(refConfigOf(model.config), host, batch.tokens, batch.cuSeqlens);
      for (let t = 0; t < batch.tokens.length; t++) expect(Math.abs(got.logprobs[t]! - ref.logprobs[t]!), `token ${t}`).toBeLessThan(2e-2);
      model.destroy();
    });
  }

  it('names the tensor when a checkpoint does not match its config', async () => {
    const gpu = await getGpu();
    const dir = await mkdtemp(join(tmpdir(), 'qwen3-load-'));
    dirs.push(dir);
    const { config } = await makeTinyModel(dir, { vocab: 512, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, layers: 2 });
    await expect(loadWeights(gpu, dir, { ...config, intermediate_size: 96 })).rejects.toThrow(/mlp\.gate_proj\.weight.*\[128, 64\].*\[96, 64\]/);
  });
});
