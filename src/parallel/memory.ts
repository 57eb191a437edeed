// Device memory of one rank of a sharded run, from the config alone: what decides whether a model
// trains on a set of GPUs before any buffer is allocated. Counts the large buffers: bf16 weights
// (every rank holds all), gradient accumulators (f32 or bf16, all weights), the f32 scratch of one
// gradient group (bf16 mode: src/model/qwen3.ts), AdamW's f32 master + two moments for the owned
// weights (src/parallel/shard-plan.ts), and activations for one pass (src/model/qwen3-activations.ts).
// Not counted: the sampler's KV cache (vLLM runs on its own GPU in the production shape), pipeline
// and staging buffers (megabytes).
import { formatBytes } from '../io/progress.js';
import { type Qwen3Config, qwen3Tensors } from '../model/config.js';
import { bytesPerToken } from '../model/qwen3-activations.js';
import { layerTensorNames } from '../model/qwen3-weights.js';
import { planShards } from './shard-plan.js';

export interface RankMemory {
  params: number;
  weights: number;
  grads: number;
  gradScratch: number;
  /** The largest rank's optimizer shard. */
  optimizer: number;
  activations: number;
  total: number;
}

export function rankMemory(c: Qwen3Config, o: { world: number; passTokens: number; gradDtype: 'f32' | 'bf16' }): RankMemory {
  const ts = qwen3Tensors(c).map((t) => ({ name: t.name, numel: t.shape.reduce((a, b) => a * b, 1) }));
  const numel = new Map(ts.map((t) => [t.name, t.numel]));
  const params = ts.reduce((a, t) => a + t.numel, 0);
  const plan = planShards(ts, o.world);
  const head = numel.get(c.tie_word_embeddings ? 'model.embed_tokens.weight' : 'lm_head.weight')! + c.hidden_size;
  const layer = Object.values(layerTensorNames(0)).reduce((a, n) => a + numel.get(n)!, 0);
  const gradScratch = o.gradDtype === 'bf16' ? 4 * Math.max(head, layer, numel.get('model.embed_tokens.weight')!) : 0;
  const m: Omit<RankMemory, 'total'> = {
    params,
    weights: 2 * params,
    grads: (o.gradDtype === 'bf16' ? 2 : 4) * params,
    gradScratch,
    optimizer: 12 * Math.max(...plan.load),
    activations: bytesPerToken(c).total * o.passTokens,
  };
  return { ...m, total: m.weights + m.grads + m.gradScratch + m.optimizer + m.activations };
}

/** "29.5 GB weights + ..." for logs. */
export function describeRankMemory(m: RankMemory): string {
  const gb = formatBytes;
  return `${gb(m.total)} per rank: ${gb(m.weights)} weights + ${gb(m.grads)} gradients${m.gradScratch ? ` + ${gb(m.gradScratch)} gradient scratch` : ''} + ${gb(m.optimizer)} optimizer shard + ${gb(m.activations)} activations`;
}
