// The served model behind a BatchedSampler, with its weights swappable: what `npm run serve` runs
// and what POST /update_weights reloads. The server's reload gate guarantees no generation is in
// flight during reload(), so the old generator and model can be destroyed right away.
import type { Gpu } from '../gpu/gpu.js';
import { Generator, type GenerateRequest, type GenerateResult, type GeneratorOptions } from '../model/generate.js';
import { Qwen3Model } from '../model/qwen3.js';
import { BatchedSampler, type TurnSampler } from '../rollout/sampler.js';

export class ModelHost implements TurnSampler {
  private generator: Generator;
  private sampler: BatchedSampler;

  constructor(
    private readonly gpu: Gpu,
    private current: Qwen3Model,
    private readonly opts: GeneratorOptions,
  ) {
    this.generator = new Generator(current, opts);
    this.sampler = new BatchedSampler(this.generator);
  }

  static async load(gpu: Gpu, dir: string, opts: GeneratorOptions): Promise<ModelHost> {
    return new ModelHost(gpu, await Qwen3Model.load(gpu, dir), opts);
  }

  get model(): Qwen3Model {
    return this.current;
  }

  /** Batches run by the current sampler (since the last reload). */
  get batches(): number {
    return this.sampler.batches;
  }

  sample(req: GenerateRequest): Promise<GenerateResult> {
    return this.sampler.sample(req);
  }

  /** Loads `dir` (same vocabulary as the served model) and swaps it in; the old model is kept
   *  when loading fails. Both models are on the GPU for a moment. */
  async reload(dir: string): Promise<void> {
    const next = await Qwen3Model.load(this.gpu, dir);
    const vOld = this.current.config.vocab_size;
    if (next.config.vocab_size !== vOld) {
      next.destroy();
      throw new Error(`${dir}: vocab_size ${next.config.vocab_size} differs from the served model's ${vOld}`);
    }
    this.generator.destroy();
    this.current.destroy();
    this.current = next;
    this.generator = new Generator(next, this.opts);
    this.sampler = new BatchedSampler(this.generator);
  }

  destroy(): void {
    this.generator.destroy();
    this.current.destroy();
  }
}
