// One Qwen3-14B-sized decoder layer (hidden 5120, 40/8 heads, head_dim 128, intermediate 17408)
// through our model code: forward, and backward with the layer recomputed (what training runs per
// layer), timed with GPU timestamps; compared with tools/device/layer_torch.py's numbers from the
// same card when given. The model has one layer and a 1024-token vocabulary so the embedding and
// lm_head cost next to nothing; weights are zeros (GEMM and attention time do not depend on values).
// Timed with the default kernels and, where this device's checks passed them, with the candidate
// variants (GEMM v2 prestaged at 256x128 tiles, tensor-core attention), each as its own entry.
// Usage: node layer-bench.mjs [TORCH.json] [OUT.json] [--small]
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { getGpu } from '../../src/gpu/gpu.js';
import { QWEN3_14B, qwen3Tensors, type Qwen3Config } from '../../src/model/config.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { assembleWeights } from '../../src/model/qwen3-weights.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { checkAttentionSgmat, checkSgmat2 } from '../../src/ops/experimental/index.js';
import type { LayerKernels } from '../../src/model/qwen3-layer.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const small = process.argv.includes('--small');
  const [torchPath, outPath] = args;
  const torch = torchPath && existsSync(torchPath) ? (JSON.parse(readFileSync(torchPath, 'utf8')) as Record<string, number>) : null;
  const T = small ? 256 : (torch?.T ?? 4096);
  const seqs = small ? 2 : (torch?.seqs ?? 2);
  const cfg: Qwen3Config = small
    ? { ...QWEN3_14B, hidden_size: 256, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 64, intermediate_size: 512, num_hidden_layers: 1, vocab_size: 1024 }
    : { ...QWEN3_14B, num_hidden_layers: 1, vocab_size: 1024 };
  const gpu = await getGpu();
  const paths = await checkSgmat2(gpu); // lets the model's GEMMs use tensor cores where verified
  console.log(`tensor-core GEMM: ${paths.subgroupMatrix}`);
  const attn = await checkAttentionSgmat(gpu);
  console.log(`tensor-core GEMM v2: ${paths.sgmat2}; tensor-core attention: ${attn.status}`);
  const variants: [string, LayerKernels][] = [['default', {}]];
  const v2: LayerKernels['matmul'] = { sgmatVariant: 'v2', sgmat2: { tile: '256x128', bk: 32, double: false, prestage: true } };
  if (paths.sgmat2 === 'ok') variants.push(['gemm-v2', { matmul: v2 }]);
  if (attn.status === 'ok') variants.push(['attn-sgmat', { attention: { variant: 'sgmat' } }]);
  if (paths.sgmat2 === 'ok' && attn.status === 'ok') variants.push(['gemm-v2+attn-sgmat', { matmul: v2, attention: { variant: 'sgmat' } }]);
  const byName = new Map<string, Tensor>();
  for (const t of qwen3Tensors(cfg)) byName.set(t.name, gpu.empty(t.shape, 'bf16', t.name));
  const weights = assembleWeights(cfg, byName);
  const tokens = Array.from({ length: T }, (_, i) => (i * 7) % cfg.vocab_size);
  const cuSeqlens = Array.from({ length: seqs + 1 }, (_, i) => Math.round((i * T) / seqs));
  const batch = { tokens, cuSeqlens };
  const dlogprob = new Float32Array(T).fill(1 / T);
  const H = cfg.hidden_size, NH = cfg.num_attention_heads, NKV = cfg.num_key_value_heads, HD = cfg.head_dim, I = cfg.intermediate_size;
  const S = T / seqs;
  const flopsFwd = 2 * T * (H * (NH + 2 * NKV) * HD + NH * HD * H + 3 * H * I) + 2 * 2 * seqs * ((S * S) / 2) * HD * NH;
  const reps = small ? 1 : 3;
  const runs: Record<string, { fwd_ms: number; fwd_bwd_recompute_ms: number; fwd_tflops: number; fwd_bwd_tflops: number; ratio_time_ours_over_torch: { fwd: number; fwd_bwd: number } | null } | { error: string }> = {};
  for (const [label, kernels] of variants) {
    // One model per variant over the same weights (the model does not own them: destroyed at the end).
    const model = new Qwen3Model(gpu, cfg, weights, { maxTokens: T, kernels });
    try {
      model.recordForward(batch);
      model.backward(batch, dlogprob); // warm-up: pipelines, scratch
      await gpu.sync();
      let fwd = 0;
      let fb = 0;
      for (let r = 0; r < reps; r++) {
        fwd += await gpu.timeGpu(() => void model.recordForward(batch));
        fb += await gpu.timeGpu(() => {
          model.recordForward(batch);
          model.backward(batch, dlogprob);
        });
      }
      fwd /= reps;
      fb /= reps;
      runs[label] = {
        fwd_ms: fwd,
        fwd_bwd_recompute_ms: fb,
        fwd_tflops: flopsFwd / fwd / 1e9,
        fwd_bwd_tflops: (4 * flopsFwd) / fb / 1e9,
        ratio_time_ours_over_torch: torch ? { fwd: fwd / torch.fwd_ms!, fwd_bwd: fb / torch.fwd_bwd_recompute_ms! } : null,
      };
    } catch (e) {
      runs[label] = { error: (e instanceof Error ? e.message : String(e)).slice(0, 500) };
      await gpu.sync().catch(() => undefined);
    }
    console.log(`${label}: ${JSON.stringify(runs[label])}`);
    model.releaseActivations();
  }
  const res = { device: gpu.describe(), T, seqs, ours: runs, torch };
  console.log(JSON.stringify(res, null, 1));
  if (outPath) writeFileSync(outPath, JSON.stringify(res, null, 1));
  for (const t of byName.values()) t.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
