// Several sampler servers as one (src/rollout/pool.ts), against two of our servers on 127.0.0.1:
// requests go to the least busy; a server killed with a request in flight is taken out with a log
// line naming it and the request is answered by the other; so is one that does not answer in time;
// with none left the error names both.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HfTokenizer, loadQwen3Tokenizer } from '../../src/io/tokenizer.js';
import { SamplerPool } from '../../src/rollout/pool.js';
import { type SamplerServer, startSamplerServer } from '../../src/serve/server.js';
import { ScriptedSampler, lengthReply, until } from '../serve/helpers.js';

describe('sampler pool', () => {
  let tok: HfTokenizer;
  const a = new ScriptedSampler(lengthReply);
  const b = new ScriptedSampler(lengthReply);
  let sa: SamplerServer;
  let sb: SamplerServer;
  let pool: SamplerPool;
  const lines: string[] = [];

  beforeAll(async () => {
    tok = await loadQwen3Tokenizer();
    sa = await startSamplerServer({ sampler: a, tokenizer: tok, modelName: 'm', port: 0, batchWindowMs: 0 });
    sb = await startSamplerServer({ sampler: b, tokenizer: tok, modelName: 'm', port: 0, batchWindowMs: 0 });
    pool = new SamplerPool([sa.url, sb.url], { model: 'm', maxRetries: 1, timeoutMs: 10_000 }, (l) => lines.push(l));
  });
  afterAll(async () => {
    a.release();
    b.release();
    await sb.close();
  });

  it('sends each request to the server with the fewest in flight', async () => {
    a.hold = b.hold = true;
    const reqs = [0, 1, 2, 3].map((i) => pool.sample({ prompt: [i], maxNewTokens: 1 }));
    await until(() => a.held + b.held === 4, 'four requests to arrive');
    expect([a.held, b.held]).toEqual([2, 2]);
    a.release();
    b.release();
    await Promise.all(reqs);
    expect(pool.members.map((m) => m.inFlight)).toEqual([0, 0]);
  });

  it('takes out a server killed mid-request and answers on the other', async () => {
    a.hold = true;
    const r = pool.sample({ prompt: [7], maxNewTokens: 2 });
    await until(() => a.held === 1, 'the request to reach server a');
    await sa.close(); // drops the connection of the request in flight; then refuses new ones
    expect((await r).tokens).toEqual([1, 2]);
    expect(b.requests.at(-1)!.prompt).toEqual([7]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^sampler ${sa.url.replace(/[./]/g, '\\$&')} taken out: .*cannot connect.*; 1 of 2 server\\(s\\) left \\(${sb.url.replace(/[./]/g, '\\$&')}\\)$`));
    const before = b.requests.length;
    await pool.sample({ prompt: [8], maxNewTokens: 1 });
    expect(b.requests.length).toBe(before + 1);
    expect(lines).toHaveLength(1);
  });

  it('takes out a server that does not answer within the timeout', async () => {
    const hang = createServer((req) => req.resume()); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}/v1`;
    const got: string[] = [];
    const p = new SamplerPool([url, sb.url], { model: 'm', maxRetries: 0, timeoutMs: 300 }, (l) => got.push(l));
    try {
      expect((await p.sample({ prompt: [5], maxNewTokens: 1 })).tokens).toEqual([1]);
      expect(got).toEqual([`sampler ${url} taken out: no answer within 300 ms (timeout); 1 of 2 server(s) left (${sb.url})`]);
    } finally {
      hang.closeAllConnections();
      await new Promise<void>((r) => hang.close(() => r()));
    }
  });

  it('fails when none is left, naming each server and why', async () => {
    await sb.close();
    const e = await pool.sample({ prompt: [9], maxNewTokens: 1 }).then(() => null, (x: Error) => x);
    expect(e?.message).toMatch(new RegExp(`^no sampler server left: ${sa.url.replace(/[./]/g, '\\$&')} \\(cannot connect.*\\); ${sb.url.replace(/[./]/g, '\\$&')} \\(cannot connect.*\\)$`));
    sb = await startSamplerServer({ sampler: b, tokenizer: tok, modelName: 'm', port: 0 }); // for afterAll
  });
});
