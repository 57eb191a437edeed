// Several OpenAI-compatible sampler servers as one TurnSampler: each request goes to the live
// server with the fewest requests in flight (ties: the one that has served fewest). A server that
// cannot be reached after the client's own retries (connection refused or reset, timeouts,
// 502/503/504: SamplerClientError.unreachable) is taken out for the rest of the run, with a log
// line naming it, and the request is sent to another one; the run fails only when none is left,
// naming every server and why it went. Any other error (a bad request, a malformed answer) is the
// request's, not the server's, and is thrown as it is.
import type { GenerateRequest, GenerateResult } from '../model/generate.js';
import { OpenAISampler, SamplerClientError, type OpenAISamplerOptions } from './client.js';
import type { TurnSampler } from './sampler.js';

export interface PoolMember {
  readonly sampler: OpenAISampler;
  readonly url: string;
  inFlight: number;
  served: number;
  /** Why it was taken out; undefined while live. */
  out?: string;
}

export class SamplerPool implements TurnSampler {
  readonly members: PoolMember[];

  constructor(
    baseURLs: readonly string[],
    opts: Omit<OpenAISamplerOptions, 'baseURL'>,
    private readonly log: (line: string) => void,
  ) {
    if (baseURLs.length === 0) throw new Error('sampler pool: no server URL');
    this.members = baseURLs.map((url) => ({ sampler: new OpenAISampler({ ...opts, baseURL: url }), url, inFlight: 0, served: 0 }));
  }

  /** The servers still in the run. */
  live(): PoolMember[] {
    return this.members.filter((m) => m.out === undefined);
  }

  /** Takes `m` out of the run (once; later calls for it do nothing). Throws when none is left. */
  takeOut(m: PoolMember, why: string): void {
    if (m.out === undefined) {
      const own = `sampler ${m.url}: `; // the client's errors start with the URL the line names already
      m.out = why.startsWith(own) ? why.slice(own.length) : why;
      const left = this.live();
      this.log(`sampler ${m.url} taken out: ${m.out}; ${left.length} of ${this.members.length} server(s) left${left.length ? ` (${left.map((l) => l.url).join(', ')})` : ''}`);
    }
    this.ensureLive();
  }

  /** Throws, naming every server and why it went, when none is live. */
  ensureLive(): void {
    if (this.live().length > 0) return;
    throw new Error(`no sampler server left: ${this.members.map((m) => `${m.url} (${m.out})`).join('; ')}`);
  }

  private pick(): PoolMember {
    this.ensureLive();
    return this.live().reduce((a, b) => (b.inFlight < a.inFlight || (b.inFlight === a.inFlight && b.served < a.served) ? b : a));
  }

  async sample(req: GenerateRequest): Promise<GenerateResult> {
    for (;;) {
      const m = this.pick();
      m.inFlight++;
      m.served++;
      try {
        return await m.sampler.sample(req);
      } catch (e) {
        if (!isUnreachable(e)) throw e;
        this.takeOut(m, e.message); // then the request goes to another live server
      } finally {
        m.inFlight--;
      }
    }
  }
}

/** An error that means the server itself is gone (the pool takes it out) rather than a failure of
 *  what was asked of it. */
export function isUnreachable(e: unknown): e is SamplerClientError {
  return e instanceof SamplerClientError && e.unreachable;
}
