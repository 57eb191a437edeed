import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  QWEN3_14B,
  checkTensorShapes,
  countParameters,
  loadQwen3Config,
  parseQwen3Config,
  qwen3ConfigJson,
  qwen3Tensors,
} from '../../src/model/config.js';

// Qwen/Qwen3-14B config.json as published (transformers 4.51).
const QWEN3_14B_JSON = {
  architectures: ['Qwen3ForCausalLM'],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 151643,
  eos_token_id: 151645,
  head_dim: 128,
  hidden_act: 'silu',
  hidden_size: 5120,
  initializer_range: 0.02,
  intermediate_size: 17408,
  max_position_embeddings: 40960,
  max_window_layers: 40,
  model_type: 'qwen3',
  num_attention_heads: 40,
  num_hidden_layers: 40,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-6,
  rope_scaling: null,
  rope_theta: 1000000,
  sliding_window: null,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  transformers_version: '4.51.0',
  use_cache: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

describe('Qwen3 config', () => {
  it('parses the Qwen3-14B config.json into the exported constant', () => {
    expect(parseQwen3Config(QWEN3_14B_JSON)).toEqual(QWEN3_14B);
  });

  it('round-trips through qwen3ConfigJson', () => {
    const small = { ...QWEN3_14B, hidden_size: 64, tie_word_embeddings: true, eos_token_ids: [151645, 151643] };
    expect(parseQwen3Config(qwen3ConfigJson(small))).toEqual(small);
  });

  it('14B has 14.77 B parameters, 13.2 B without embeddings', () => {
    const { total, nonEmbedding } = countParameters(QWEN3_14B);
    expect(total / 1e9).toBeCloseTo(14.77, 2);
    expect(nonEmbedding / 1e9).toBeCloseTo(13.21, 2);
  });

  it('lists tensor names and HF [out, in] shapes, lm_head only when untied', () => {
    const ts = qwen3Tensors(QWEN3_14B);
    expect(ts.length).toBe(1 + 40 * 11 + 2);
    const byName = new Map(ts.map((t) => [t.name, t.shape]));
    expect(byName.get('model.embed_tokens.weight')).toEqual([151936, 5120]);
    expect(byName.get('lm_head.weight')).toEqual([151936, 5120]);
    expect(byName.get('model.layers.39.self_attn.q_proj.weight')).toEqual([5120, 5120]);
    expect(byName.get('model.layers.0.self_attn.k_proj.weight')).toEqual([1024, 5120]);
    expect(byName.get('model.layers.0.self_attn.v_proj.weight')).toEqual([1024, 5120]);
    expect(byName.get('model.layers.0.self_attn.o_proj.weight')).toEqual([5120, 5120]);
    expect(byName.get('model.layers.0.self_attn.q_norm.weight')).toEqual([128]);
    expect(byName.get('model.layers.0.mlp.gate_proj.weight')).toEqual([17408, 5120]);
    expect(byName.get('model.layers.0.mlp.down_proj.weight')).toEqual([5120, 17408]);
    expect(byName.get('model.norm.weight')).toEqual([5120]);
    const tied = qwen3Tensors({ ...QWEN3_14B, tie_word_embeddings: true });
    expect(tied.some((t) => t.name === 'lm_head.weight')).toBe(false);
    expect(tied.length).toBe(ts.length - 1);
  });

  it('checks a checkpoint listing against the config', () => {
    const c = { ...QWEN3_14B, num_hidden_layers: 1 };
    const good = new Map(qwen3Tensors(c).map((t) => [t.name, t.shape]));
    expect(checkTensorShapes(c, good)).toEqual([]);
    const bad = new Map(good);
    bad.delete('model.norm.weight');
    bad.set('model.layers.0.mlp.up_proj.weight', [5120, 17408]);
    bad.set('model.layers.0.self_attn.q_proj.bias', [5120]);
    expect(checkTensorShapes(c, bad)).toEqual([
      "tensor 'model.layers.0.mlp.up_proj.weight' has shape [5120, 17408], config expects [17408, 5120]",
      "missing tensor 'model.norm.weight' [5120]",
      "unexpected tensor 'model.layers.0.self_attn.q_proj.bias'",
    ]);
    const tied = { ...c, tie_word_embeddings: true };
    expect(checkTensorShapes(tied, good)).toEqual([]); // a stray lm_head is tolerated when tied
  });

  it('applies HF defaults and newer field spellings', () => {
    const { head_dim, rope_theta, torch_dtype, rms_norm_eps, ...rest } = QWEN3_14B_JSON;
    void head_dim, rope_theta, torch_dtype, rms_norm_eps;
    const c = parseQwen3Config({ ...rest, num_key_value_heads: null, eos_token_id: [1, 2], dtype: 'float32' });
    expect(c.head_dim).toBe(128);
    expect(c.rope_theta).toBe(10000);
    expect(c.rms_norm_eps).toBe(1e-6);
    expect(c.num_key_value_heads).toBe(40);
    expect(c.eos_token_ids).toEqual([1, 2]);
    expect(c.torch_dtype).toBe('float32');
    const p = parseQwen3Config({ ...rest, rope_parameters: { rope_type: 'default', rope_theta: 5e5 } });
    expect(p.rope_theta).toBe(5e5);
  });

  it('rejects other architectures and unsupported features, naming file and field', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ architectures: ['LlamaForCausalLM'], model_type: 'llama' }, 'architectures', /Qwen3ForCausalLM/],
      [{ architectures: ['Qwen3ForCausalLM'], model_type: 'qwen2' }, 'model_type', /'qwen3'/],
      [{ architectures: ['Qwen3MoeForCausalLM'], model_type: 'qwen3_moe' }, 'architectures', /Qwen3ForCausalLM/],
      [{ attention_bias: true }, 'attention_bias', /must be false/],
      [{ hidden_act: 'gelu' }, 'hidden_act', /silu/],
      [{ rope_scaling: { rope_type: 'yarn', factor: 4 } }, 'rope_scaling', /not implemented/],
      [{ use_sliding_window: true }, 'use_sliding_window', /sliding-window/],
      [{ num_key_value_heads: 7 }, 'num_key_value_heads', /does not divide/],
      [{ hidden_size: 0 }, 'hidden_size', /./],
      [{ vocab_size: undefined }, 'vocab_size', /./],
      [{ layer_types: ['sliding_attention'] }, 'layer_types.0', /full_attention/],
    ];
    for (const [patch, field, msg] of cases) {
      let err: unknown;
      try {
        parseQwen3Config({ ...QWEN3_14B_JSON, ...patch }, '/models/x/config.json');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(patch)).toBeInstanceOf(ConfigError);
      const e = err as ConfigError;
      expect(e.field).toBe(field);
      expect(e.message).toMatch(msg);
      expect(e.message.startsWith(`/models/x/config.json: field '${field}'`)).toBe(true);
    }
  });

  it('loads from disk and names the file on bad JSON', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cfg-'));
    try {
      await writeFile(join(dir, 'config.json'), JSON.stringify(QWEN3_14B_JSON));
      expect(await loadQwen3Config(join(dir, 'config.json'))).toEqual(QWEN3_14B);
      await writeFile(join(dir, 'bad.json'), '{"architectures": [');
      await expect(loadQwen3Config(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json: field '\(root\)': cannot read JSON/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
