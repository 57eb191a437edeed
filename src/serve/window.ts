// HTTP requests sent together do not arrive together: each comes on its own connection, parsed in
// its own event-loop turn, and BatchedSampler batches only the requests made in the same tick.
// The first request after an idle spell would start a batch alone and the rest would wait for it to
// finish. So requests are held for a short window from the first one's arrival and handed to the
// sampler all in one tick; while a batch runs, new requests queue in BatchedSampler anyway.
import type { GenerateRequest, GenerateResult } from '../model/generate.js';
import type { TurnSampler } from '../rollout/sampler.js';

interface Held {
  req: GenerateRequest;
  resolve: (r: GenerateResult) => void;
  reject: (e: unknown) => void;
}

export class AdmissionWindow implements TurnSampler {
  private held: Held[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sampler: TurnSampler,
    private readonly windowMs: number,
  ) {}

  sample(req: GenerateRequest): Promise<GenerateResult> {
    if (this.windowMs <= 0) return this.sampler.sample(req);
    return new Promise((resolve, reject) => {
      this.held.push({ req, resolve, reject });
      this.timer ??= setTimeout(() => this.release(), this.windowMs);
    });
  }

  private release(): void {
    this.timer = null;
    for (const h of this.held.splice(0)) {
      // A sampler that throws synchronously must fail only its own request.
      try {
        this.sampler.sample(h.req).then(h.resolve, h.reject);
      } catch (e) {
        h.reject(e);
      }
    }
  }
}
