// The embedded sampler's request side: many concurrent episodes each ask for one assistant turn;
// requests made in the same tick go to the KV-cache generator as one batch (continuous batching
// over its slots), and batches run one after another on the shared generator. Episodes written as
// plain async code (src/env/episode.ts) therefore decode together without knowing of each
// other.
import type { GenerateRequest, GenerateResult, Generator } from '../model/generate.js';

/** Anything that samples one assistant turn: the embedded BatchedSampler, or an OpenAI-compatible
 *  server reached over HTTP (src/rollout/client.ts). */
export interface TurnSampler {
  sample(req: GenerateRequest): Promise<GenerateResult>;
  /** Tokens sampled so far, turns still under way included, where the sampler can see them before a
   *  turn ends (the embedded one); progress lines otherwise count the tokens of finished turns. */
  readonly generatedTokens?: number;
}

interface Pending {
  req: GenerateRequest;
  resolve: (r: GenerateResult) => void;
  reject: (e: unknown) => void;
}

export class BatchedSampler implements TurnSampler {
  private queue: Pending[] = [];
  private scheduled = false;
  private chain: Promise<void> = Promise.resolve();
  /** Requests served and batches run (for logs). */
  requests = 0;
  batches = 0;

  constructor(private readonly generator: Generator) {}

  get generatedTokens(): number {
    return this.generator.generated;
  }

  sample(req: GenerateRequest): Promise<GenerateResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // After the current microtasks: every episode that is ready asks before the batch starts.
        setImmediate(() => {
          this.scheduled = false;
          this.chain = this.chain.then(() => this.flush());
        });
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.queue.splice(0);
    if (batch.length === 0) return;
    this.batches++;
    this.requests += batch.length;
    try {
      const out = await this.generator.generate(batch.map((b) => b.req));
      batch.forEach((b, i) => b.resolve(out[i]!));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}
