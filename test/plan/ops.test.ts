// The op list's arithmetic on a model small enough to count by hand, and Qwen3-14B's parameters.
import { describe, expect, it } from 'vitest';
import { QWEN3_14B, type Qwen3Config, countParameters } from '../../src/model/config.js';
import { attentionFlops, decodeOps, dimsOf, layerParams, stepOps, totalBytes, totalFlops, trainPassOps, type Op } from '../../src/plan/ops.js';

// 1 layer, hidden 8, 2 query heads / 1 kv head of 4 (Q = 8, KV = 4), intermediate 16, vocab 32.
const HAND: Qwen3Config = {
  ...QWEN3_14B,
  hidden_size: 8,
  num_hidden_layers: 1,
  num_attention_heads: 2,
  num_key_value_heads: 1,
  head_dim: 4,
  intermediate_size: 16,
  vocab_size: 32,
};

const sum = (ops: Op[], f: (op: Op) => boolean): number => totalFlops(ops, f);

describe('op list', () => {
  // Two packed sequences of 3 and 5 tokens (T = 8), 2 scored rows.
  const ops = trainPassOps(HAND, { seqLens: [3, 5], scoredRows: 2 }, 'f32');

  it('counts GEMM FLOPs of forward, recompute and backward by hand', () => {
    // forward: q 2*8*8*8 = 1024, k 2*8*4*8 = 512, v 512, o 1024, gate/up/down 2*8*16*8 = 2048 each,
    // lm_head on 2 rows 2*2*32*8 = 1024: 10240
    expect(sum(ops, (o) => o.kind === 'gemm' && o.phase === 'forward')).toBe(10240);
    // recompute: the layer without down_proj (7168) and the lm_head logits again (1024)
    expect(sum(ops, (o) => o.kind === 'gemm' && o.phase === 'recompute')).toBe(8192);
    // backward: dx and dW of each of the 7 projections (2 x 9216) + lm_head dh and dW (2 x 1024)
    expect(sum(ops, (o) => o.kind === 'gemm' && o.phase === 'backward')).toBe(20480);
    const q = ops.find((o) => o.name === 'q_proj dW');
    expect(q).toMatchObject({ kind: 'gemm', layout: 'dyTx', M: 8, N: 8, K: 8, flops: 1024 });
  });

  it('counts causal attention FLOPs per sequence: 4 s(s+1)/2 hd heads forward, 2.5x backward', () => {
    // 4 * 4 * 2 * (3*4/2 + 5*6/2) = 32 * 21 = 672
    expect(attentionFlops(dimsOf(HAND), [3, 5], 'fwd')).toBe(672);
    expect(attentionFlops(dimsOf(HAND), [3, 5], 'bwd')).toBe(1680);
    expect(sum(ops, (o) => o.kind === 'attention')).toBe(672 + 672 + 1680); // forward, recompute, backward
    expect(totalFlops(ops)).toBe(10240 + 8192 + 20480 + 672 + 672 + 1680);
  });

  it('without recompute (model.recompute false) only the lm_head logits are computed again', () => {
    const kept = trainPassOps(HAND, { seqLens: [3, 5], scoredRows: 2 }, 'f32', false);
    expect(kept.filter((o) => o.phase === 'recompute').map((o) => o.name)).toEqual(['lm_head (logits recompute)']);
    expect(totalFlops(kept)).toBe(10240 + 1024 + 20480 + 672 + 1680);
  });

  it('counts memory-bound bytes by hand', () => {
    const bytes = (name: string, phase: string): number => totalBytes(ops, (o) => o.name === name && o.phase === phase);
    expect(bytes('embedding gather', 'forward')).toBe(2 * 2 * 8 * 8 + 4 * 8); // rows in + out bf16, ids
    expect(bytes('swiglu', 'forward')).toBe(3 * 2 * 8 * 16); // g, u in, act out
    expect(bytes('swiglu', 'backward')).toBe(5 * 2 * 8 * 16);
    expect(bytes('q_norm', 'forward')).toBe(2 * 2 * 16 * 4 + 4 * 16); // 16 rows of 4, rstd
    expect(bytes('lm_head dlogits (f32 logits in, bf16 out)', 'backward')).toBe(6 * 2 * 32);
    // f32 accumulators: no gradient-group scratch; bf16: zero (4 B) + commit (8 B) per parameter
    expect(totalBytes(ops, (o) => o.kernel === 'grad-commit' || o.kernel === 'zero')).toBe(2 * 8 * 8); // only dnf's zeroing
    const bf16 = trainPassOps(HAND, { seqLens: [3, 5], scoredRows: 2 }, 'bf16');
    const params = countParameters(HAND).total;
    expect(totalBytes(bf16, (o) => o.kernel === 'grad-commit' || (o.kernel === 'zero' && o.name !== 'zero dnf'))).toBe(12 * params);
  });

  it('counts the parameters: layerParams by hand, Qwen3-14B 14.77 B (13.2 B without embeddings)', () => {
    expect(layerParams(dimsOf(HAND))).toBe(64 + 32 + 32 + 64 + 3 * 128 + 2 * 8 + 2 * 4); // q k v o, MLP, norms
    expect(countParameters(HAND).total).toBe(600 + 2 * 32 * 8 + 8);
    const p = countParameters(QWEN3_14B);
    expect((p.total / 1e9).toFixed(2)).toBe('14.77');
    expect((p.nonEmbedding / 1e9).toFixed(1)).toBe('13.2');
    const d = dimsOf(QWEN3_14B);
    expect(layerParams(d) * d.L + 2 * d.V * d.H + d.H).toBe(p.total);
  });

  it('Qwen3-14B: the trunk GEMMs of a pass are 6 x T x the layer matrices, plus the recompute without down_proj', () => {
    const T = 4096;
    const big = trainPassOps(QWEN3_14B, { seqLens: [T], scoredRows: 1000 }, 'bf16');
    const d = dimsOf(QWEN3_14B);
    const matrices = (d.H * d.Q + 2 * d.H * d.KV + d.Q * d.H + 3 * d.H * d.I) * d.L;
    const trunk = (o: Op): boolean => o.kind === 'gemm' && !o.name.startsWith('lm_head');
    expect(totalFlops(big, (o) => trunk(o) && o.phase !== 'recompute')).toBe(6 * T * matrices);
    expect(totalFlops(big, (o) => trunk(o) && o.phase === 'recompute')).toBe(2 * T * (matrices - d.H * d.I * d.L));
    expect(totalFlops(big, (o) => o.kind === 'gemm' && o.name.startsWith('lm_head'))).toBe(4 * 2 * 1000 * d.H * d.V);
  });

  it('decode reads every weight twice and the KV cache once; the optimizer touches the owned shard', () => {
    const dec = decodeOps(HAND, { seqs: 2, context: 9 });
    // weights: the layer's matrices (600 - 24 norm weights = 576) and lm_head (256), bf16, twice;
    // activations in and out of each GEMM at M = 2: 2 x 2 x (N + K); the f32 logits [2, 32]
    const act = 2 * 2 * ((8 + 8) + (4 + 8) + (4 + 8) + (8 + 8) + 3 * (16 + 8));
    expect(totalBytes(dec, (o) => o.kernel === 'weight-read')).toBe(2 * 2 * (576 + 256) + act + 4 * 2 * 32);
    expect(totalBytes(dec, (o) => o.kernel === 'kv-read')).toBe(2 * (2 * 2 * 10 * 4 + 2 * 2 * 8)); // 10 cached tokens x (k, v), q in + out
    const st = stepOps({ params: 1000, owned: 400, world: 2, gradDtype: 'bf16' });
    expect(totalBytes(st, (o) => o.kernel === 'adamw')).toBe(400 * (24 + 2 + 2));
    expect(totalBytes(st, (o) => o.kernel === 'zero')).toBe(2 * 1000);
  });
});
