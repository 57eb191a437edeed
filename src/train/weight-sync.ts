// The sampler side of a run and how it gets the trainer's weights. The embedded sampler (the
// KV-cache generator behind a BatchedSampler) runs on rank 0's model itself: nothing to send.
// OpenAI-compatible sampler servers (vLLM, `npm run serve`; one or several, src/rollout/pool.ts)
// hold their own copies: after an update the weights are written as a HF directory and every live
// server loads it, by sampler.sync:
//   'reload': POST reloadRoute {reloadField: dir} (our /update_weights), the directory overwritten;
//   'vllm':   stock vLLM's dev-mode routes, a fresh directory per push (src/train/vllm-sync.ts).
// Then each server's greedy probe is checked against the trainer's own forward (probe.ts). A server
// that cannot be reached is taken out of the pool; one that answers with an error stops the run.
import { join } from 'node:path';
import { Generator } from '../model/generate.js';
import type { Qwen3Model } from '../model/qwen3.js';
import { SamplerPool } from '../rollout/pool.js';
import { BatchedSampler, type TurnSampler } from '../rollout/sampler.js';
import { samplerURLs, type TrainConfig } from './config.js';
import { ServerReload, type ServerSyncOptions, type WeightSync } from './server-sync.js';
import { VllmSync } from './vllm-sync.js';

export type { WeightSync } from './server-sync.js';

export interface SamplerSide {
  sampler: TurnSampler;
  /** True when the sampler holds its own weights (a server): it can sample while the trainer
   *  updates. The embedded sampler shares rank 0's weights, so it cannot. */
  ownWeights: boolean;
  sync: WeightSync;
  close(): void;
}

/** The embedded sampler reads the trainer's weights in place. */
const shared: WeightSync = { push: async () => {}, verify: async () => {} };

/** The configured sampler over `model` (rank 0's) and its weight sync. */
export function openSampler(cfg: TrainConfig, model: Qwen3Model, log: (line: string) => void): SamplerSide {
  const sc = cfg.sampler;
  if (sc.kind === 'openai') {
    const pool = new SamplerPool(samplerURLs(sc.baseURL), { model: sc.model, apiKey: sc.apiKey, timeoutMs: sc.timeoutMs, reloadRoute: sc.reloadRoute, reloadField: sc.reloadField }, log);
    const o: ServerSyncOptions = { pool, model, copyFrom: cfg.model.path, dir: sc.weightsDir ?? join(cfg.out, 'sampler-weights'), probe: sc.probe, log };
    const sync = sc.sync === 'vllm' ? new VllmSync(o, { keep: sc.keepWeights, apiKey: sc.apiKey, timeoutMs: sc.timeoutMs }) : new ServerReload(o);
    return { sampler: pool, ownWeights: true, sync, close: () => {} };
  }
  // A slot holds a whole episode's context: prompt plus every turn and reply.
  const slots = cfg.samplerSlots ?? cfg.examplesPerStep * cfg.groupSize;
  const generator = new Generator(model, { slots, maxTokens: cfg.episode.maxEpisodeTokens + 4096, seed: `${cfg.seed}` });
  return { sampler: new BatchedSampler(generator), ownWeights: false, sync: shared, close: () => generator.destroy() };
}
