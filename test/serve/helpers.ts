// Test helpers for the sampler server: a scripted TurnSampler (records requests, answers what the
// test says, can be held until released), raw HTTP calls, and polling.
import type { GenerateRequest, GenerateResult } from '../../src/model/generate.js';
import type { TurnSampler } from '../../src/rollout/sampler.js';

export class ScriptedSampler implements TurnSampler {
  readonly requests: GenerateRequest[] = [];
  readonly events: string[] = [];
  /** While set, each sample waits for release(). */
  hold = false;
  private waiting: (() => void)[] = [];

  constructor(private readonly reply: (req: GenerateRequest) => GenerateResult) {}

  async sample(req: GenerateRequest): Promise<GenerateResult> {
    this.requests.push(req);
    this.events.push('sample-start');
    if (this.hold) await new Promise<void>((resolve) => this.waiting.push(resolve));
    const r = this.reply(req);
    this.events.push('sample-end');
    return r;
  }

  get held(): number {
    return this.waiting.length;
  }

  release(): void {
    this.hold = false;
    for (const w of this.waiting.splice(0)) w();
  }
}

/** Tokens 1..n of a 'length' reply with logprob -0.5 each. */
export function lengthReply(req: GenerateRequest): GenerateResult {
  const tokens = Array.from({ length: req.maxNewTokens }, (_, i) => 1 + i);
  return { tokens, logprobs: tokens.map(() => -0.5), modelLogprobs: tokens.map(() => -0.75), finishReason: 'length' };
}

export async function post(base: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

export async function until(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
