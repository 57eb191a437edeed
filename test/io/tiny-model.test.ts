import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bf16ArrayToF32, f32ArrayToBf16, viewAs } from '../../src/io/dtype.js';
import { ShardedSafetensors } from '../../src/io/safetensors/index.js';
import { HfTokenizer } from '../../src/io/tokenizer.js';
import { checkTensorShapes, loadQwen3Config, qwen3Tensors } from '../../src/model/config.js';
import { MATRIX_STD, NORM_NOISE_STD, makeTinyModel, tinyConfig } from '../../src/model/tiny.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tiny-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const SMALL = { layers: 2, hidden: 32, heads: 4, kvHeads: 2, headDim: 8, intermediate: 48, vocab: 512, seed: 7 };

async function shapesOf(ckpt: ShardedSafetensors): Promise<Map<string, readonly number[]>> {
  const m = new Map<string, readonly number[]>();
  for (const n of ckpt.names) m.set(n, (await ckpt.info(n)).shape);
  return m;
}

function stats(x: Float32Array): { mean: number; std: number } {
  let s = 0;
  for (const v of x) s += v;
  const mean = s / x.length;
  let q = 0;
  for (const v of x) q += (v - mean) ** 2;
  return { mean, std: Math.sqrt(q / x.length) };
}

describe('tiny model directory', () => {
  it('writes a HF Qwen3 directory that loads back: config, sharded bf16 weights, tokenizer', async () => {
    const dir = join(root, 'sharded');
    const res = await makeTinyModel(dir, { ...SMALL, shards: 3 });
    expect((await readdir(dir)).sort()).toEqual([
      'config.json',
      'generation_config.json',
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const config = await loadQwen3Config(join(dir, 'config.json'));
    expect(config).toEqual(tinyConfig(SMALL));
    expect(config.tie_word_embeddings).toBe(false);
    const raw = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
    expect(raw.architectures).toEqual(['Qwen3ForCausalLM']);
    expect(raw.model_type).toBe('qwen3');
    const gen = JSON.parse(await readFile(join(dir, 'generation_config.json'), 'utf8'));
    expect(gen.eos_token_id).toEqual([151645, 151643]);

    const ckpt = await ShardedSafetensors.open(dir);
    try {
      await ckpt.verify();
      expect(checkTensorShapes(config, await shapesOf(ckpt))).toEqual([]);
      expect(ckpt.totalSize).toBe(res.weightBytes);
      expect(res.weightBytes).toBe(res.parameters * 2);
      for (const n of ckpt.names) expect((await ckpt.info(n)).dtype).toBe('BF16');
      expect((await ckpt.fileOf('model.embed_tokens.weight')).metadata).toEqual({ format: 'pt' });

      const norm = bf16ArrayToF32(viewAs(Uint16Array, await ckpt.read('model.layers.1.post_attention_layernorm.weight')));
      const ns = stats(norm);
      expect(Math.abs(ns.mean - 1)).toBeLessThan(0.05);
      expect(ns.std).toBeGreaterThan(NORM_NOISE_STD / 2);
      expect(ns.std).toBeLessThan(NORM_NOISE_STD * 2);
      const emb = stats(bf16ArrayToF32(viewAs(Uint16Array, await ckpt.read('model.embed_tokens.weight'))));
      expect(Math.abs(emb.mean)).toBeLessThan(0.002);
      expect(emb.std).toBeCloseTo(MATRIX_STD, 3);
    } finally {
      await ckpt.close();
    }

    const tok = await HfTokenizer.load(dir);
    expect(tok.encode('Hello world')).toEqual([9707, 1879]);
  });

  it('weights depend on the seed only, not on dtype or sharding; tied drops lm_head', async () => {
    const a = join(root, 'f32-single');
    await makeTinyModel(a, { ...SMALL, dtype: 'f32', tied: true });
    const b = join(root, 'bf16-greedy');
    await makeTinyModel(b, { ...SMALL, maxShardBytes: 20_000, tied: true });
    const c = join(root, 'other-seed');
    await makeTinyModel(c, { ...SMALL, seed: 8, shards: 1, tied: true });
    const [ca, cb, cc] = await Promise.all([a, b, c].map((d) => ShardedSafetensors.open(d)));
    try {
      expect(ca!.files).toEqual(['model.safetensors']);
      expect(cb!.files.length).toBeGreaterThan(1);
      const cfg = await loadQwen3Config(join(a, 'config.json'));
      expect(cfg.torch_dtype).toBe('float32');
      expect(cfg.tie_word_embeddings).toBe(true);
      expect(ca!.has('lm_head.weight')).toBe(false);
      expect(ca!.names).toEqual(qwen3Tensors(cfg).map((t) => t.name).sort());
      for (const name of ['model.embed_tokens.weight', 'model.layers.1.self_attn.k_norm.weight', 'model.layers.0.mlp.down_proj.weight']) {
        const f32 = viewAs(Float32Array, await ca!.read(name));
        const bf16 = viewAs(Uint16Array, await cb!.read(name));
        expect(Buffer.from(f32ArrayToBf16(f32).buffer).equals(Buffer.from(bf16.slice().buffer))).toBe(true);
        const other = viewAs(Uint16Array, await cc!.read(name));
        expect(Buffer.from(other.slice().buffer).equals(Buffer.from(bf16.slice().buffer))).toBe(false);
      }
    } finally {
      await Promise.all([ca, cb, cc].map((x) => x!.close()));
    }
  });

  it('rejects impossible shapes', () => {
    expect(() => tinyConfig({ heads: 6, kvHeads: 4 })).toThrow(/must divide/);
    expect(() => tinyConfig({ headDim: 7 })).toThrow(/even/);
    expect(() => tinyConfig({ hidden: 0 })).toThrow(/hidden_size must be a positive integer/);
  });
});
