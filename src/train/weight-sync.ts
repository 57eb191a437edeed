// The sampler side of a run and how it gets the trainer's weights. The embedded sampler (the
// KV-cache generator behind a BatchedSampler) runs on rank 0's model itself: nothing to send. An
// OpenAI-compatible sampler server (vLLM, `npm run serve`; src/rollout/client.ts) holds its own
// copy: after an update the weights are written as a HF directory and it is told to reload them
// (POST reloadRoute, /update_weights by default).
import { join } from 'node:path';
import { Generator } from '../model/generate.js';
import type { Qwen3Model } from '../model/qwen3.js';
import { OpenAISampler } from '../rollout/client.js';
import { BatchedSampler, type TurnSampler } from '../rollout/sampler.js';
import type { TrainConfig } from './config.js';

export interface WeightSync {
  /** Gives the sampler the trainer's current weights. */
  push(): Promise<void>;
}

export interface SamplerSide {
  sampler: TurnSampler;
  /** True when the sampler holds its own weights (a server): it can sample while the trainer
   *  updates. The embedded sampler shares rank 0's weights, so it cannot. */
  ownWeights: boolean;
  sync: WeightSync;
  close(): void;
}

/** The embedded sampler reads the trainer's weights in place. */
const shared: WeightSync = { push: async () => {} };

/** A sampler server reloads the weights from a directory after each push. */
export class ServerReload implements WeightSync {
  constructor(
    private readonly server: OpenAISampler,
    private readonly model: Qwen3Model,
    /** The base model's directory (its tokenizer and other files go along). */
    private readonly copyFrom: string,
    private readonly dir: string,
    private readonly log: (line: string) => void,
  ) {}

  async push(): Promise<void> {
    const t = performance.now();
    await this.model.save(this.dir, { copyFrom: this.copyFrom, overwrite: true });
    await this.server.reloadWeights(this.dir);
    this.log(`sampler ${this.server.opts.baseURL} reloaded ${this.dir} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  }
}

/** The configured sampler over `model` (rank 0's) and its weight sync. */
export function openSampler(cfg: TrainConfig, model: Qwen3Model, log: (line: string) => void): SamplerSide {
  const sc = cfg.sampler;
  if (sc.kind === 'openai') {
    const server = new OpenAISampler({ baseURL: sc.baseURL, model: sc.model, apiKey: sc.apiKey, timeoutMs: sc.timeoutMs, reloadRoute: sc.reloadRoute, reloadField: sc.reloadField });
    const sync = new ServerReload(server, model, cfg.model.path, sc.weightsDir ?? join(cfg.out, 'sampler-weights'), log);
    return { sampler: server, ownWeights: true, sync, close: () => {} };
  }
  // A slot holds a whole episode's context: prompt plus every turn and reply.
  const slots = cfg.samplerSlots ?? cfg.examplesPerStep * cfg.groupSize;
  const generator = new Generator(model, { slots, maxTokens: cfg.episode.maxEpisodeTokens + 4096, seed: `${cfg.seed}` });
  return { sampler: new BatchedSampler(generator), ownWeights: false, sync: shared, close: () => generator.destroy() };
}
