// Every way a request can go wrong answers an OpenAI-style error naming the problem, and the server
// keeps serving; the client's errors name the server URL and what happened.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HfTokenizer, loadQwen3Tokenizer } from '../../src/io/tokenizer.js';
import { OpenAISampler } from '../../src/rollout/client.js';
import { type SamplerServer, startSamplerServer } from '../../src/serve/server.js';
import { ScriptedSampler, lengthReply, post } from './helpers.js';

const V = 1000;
const CAP = 32;

/** A raw server answering every request with `body` (or never, when body is undefined). */
async function rawServer(body: unknown): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    if (body === undefined) return;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1` };
}

const closeRaw = (s: Server) => new Promise<void>((r) => { s.closeAllConnections(); s.close(() => r()); });

async function apiError(p: Promise<unknown>): Promise<APIError> {
  const e = await p.then(() => null, (x: unknown) => x);
  expect(e).toBeInstanceOf(APIError);
  return e as APIError;
}

describe('sampler server: errors', () => {
  let tok: HfTokenizer;
  let server: SamplerServer;
  let client: OpenAI;
  let base: string;
  const sampler = new ScriptedSampler((req) => {
    if (req.prompt[0] === 999) throw new Error('scripted sampler failure');
    return lengthReply(req);
  });

  beforeAll(async () => {
    tok = await loadQwen3Tokenizer();
    server = await startSamplerServer({ sampler, tokenizer: tok, modelName: 'm', port: 0, maxTokens: CAP, vocabSize: V });
    client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
    base = server.url.replace(/\/v1$/, '');
  });
  afterAll(() => server.close());

  const complete = (extra: Record<string, unknown>) => client.completions.create({ model: 'm', prompt: [1, 2, 3], max_tokens: 2, ...extra } as OpenAI.CompletionCreateParamsNonStreaming);

  it('broken JSON, unsupported and invalid field values: 400 with the field named', async () => {
    const broken = await post(base, '/v1/completions', '{"prompt": [1, 2');
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('invalid_json');
    expect(broken.json.error.message).toMatch(/not valid JSON/);

    const n2 = await apiError(complete({ n: 2 }));
    expect(n2.status).toBe(400);
    expect(n2.message).toMatch(/n = 2 is not supported/);

    const stream = await post(base, '/v1/completions', { model: 'm', prompt: [1], stream: true });
    expect(stream.status).toBe(400);
    expect(stream.json.error.message).toMatch(/stream = true is not supported/);
    expect(stream.json.error.type).toBe('invalid_request_error');

    const temp = await apiError(complete({ temperature: -1 }));
    expect(temp.status).toBe(400);
    expect(temp.message).toMatch(/temperature/);
    const lp = await apiError(complete({ logprobs: 5 }));
    expect(lp.message).toMatch(/logprobs = 5 is not supported/);
    const stop = await apiError(complete({ stop: ['\n'] }));
    expect(stop.message).toMatch(/stop strings are not supported: use stop_token_ids/);
    const badPrompt = await post(base, '/v1/completions', { model: 'm', prompt: [[1, 2]] });
    expect(badPrompt.json.error.message).toMatch(/prompt must be a string or a list of token ids/);
    const model = await apiError(complete({ model: 'other' }));
    expect(model.status).toBe(404);
    expect(model.message).toMatch(/`other` does not exist/);
    const chatBad = await post(base, '/v1/chat/completions', { model: 'm', messages: [{ role: 'robot', content: 'x' }] });
    expect(chatBad.status).toBe(400);
    expect(chatBad.json.error.message).toMatch(/messages/);
    expect(sampler.requests).toHaveLength(0); // nothing reached the sampler
  });

  it('token ids outside the vocabulary and prompts that cannot fit a slot: 400 naming the numbers', async () => {
    const oov = await apiError(complete({ prompt: [1, V] }));
    expect(oov.status).toBe(400);
    expect(oov.message).toContain(`prompt[1] = ${V} is outside the vocabulary [0, ${V})`);
    const stopOov = await apiError(complete({ stop_token_ids: [V + 5] }));
    expect(stopOov.message).toContain(`stop_token_ids[0] = ${V + 5} is outside the vocabulary`);
    const long = await apiError(complete({ prompt: Array.from({ length: 30 }, (_, i) => i), max_tokens: 10 }));
    expect(long.status).toBe(400);
    expect(long.code).toBe('prompt_too_long');
    expect(long.message).toContain('the prompt has 30 tokens and max_tokens is 10');
    expect(long.message).toContain(`context is ${CAP + 1} tokens`);
    // The largest request that fits is accepted.
    const fits = await complete({ prompt: Array.from({ length: 30 }, (_, i) => i), max_tokens: CAP + 1 - 30 });
    expect(fits.choices[0]!.finish_reason).toBe('length');
  });

  it('unknown route 404, wrong method 405', async () => {
    const r = await fetch(`${base}/v1/nope`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as any).error.message).toMatch(/no route GET \/v1\/nope/);
    const m = await fetch(`${base}/v1/completions`);
    expect(m.status).toBe(405);
  });

  it('a sampler that throws: 500 with its message, and the server answers the next request', async () => {
    const e = await apiError(complete({ prompt: [999, 1] }));
    expect(e.status).toBe(500);
    expect(e.message).toContain('scripted sampler failure');
    const ok = await complete({});
    expect(ok.choices[0]!.text).toBe(tok.decode([1, 2]));
  });

  it('OpenAISampler: HTTP errors carry the URL, the status and the server message', async () => {
    const s = new OpenAISampler({ baseURL: server.url, model: 'm', maxRetries: 0 });
    await expect(s.sample({ prompt: [1, V + 1], maxNewTokens: 2 })).rejects.toThrow(
      new RegExp(`sampler ${server.url}: HTTP 400: prompt\\[1\\] = ${V + 1} is outside the vocabulary`),
    );
  });

  it('OpenAISampler.check: the served model is there, or the error says what is served', async () => {
    await new OpenAISampler({ baseURL: server.url, model: 'm', maxRetries: 0 }).check();
    await expect(new OpenAISampler({ baseURL: server.url, model: 'other', maxRetries: 0 }).check()).rejects.toThrow(/serves "m", not "other" \(sampler.model must be the served model name\)/);
    const { server: gone, url } = await rawServer({});
    await closeRaw(gone);
    await expect(new OpenAISampler({ baseURL: url, model: 'm', maxRetries: 0 }).check()).rejects.toThrow(/cannot connect .*is the sampler server running\?/);
  });

  it('OpenAISampler.reloadWeights posts to the configured route and field (SGLang-style)', async () => {
    const seen: { url?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ url: req.url, body });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"success": true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      await new OpenAISampler({ baseURL: url, model: 'm', reloadRoute: '/update_weights_from_disk', reloadField: 'model_path' }).reloadWeights('/ckpt/a');
      await new OpenAISampler({ baseURL: url, model: 'm' }).reloadWeights('/ckpt/b');
      expect(seen).toEqual([
        { url: '/update_weights_from_disk', body: JSON.stringify({ model_path: '/ckpt/a' }) },
        { url: '/update_weights', body: JSON.stringify({ path: '/ckpt/b' }) },
      ]);
    } finally {
      await closeRaw(server);
    }
  });

  it('OpenAISampler: connection refused and timeouts name the URL', async () => {
    const { server: gone, url } = await rawServer({});
    await closeRaw(gone);
    const refused = new OpenAISampler({ baseURL: url, model: 'm', maxRetries: 0 });
    const e = await refused.sample({ prompt: [1], maxNewTokens: 1 }).catch((x: Error) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).message).toContain(`sampler ${url}: cannot connect`);
    expect((e as Error).message).toContain('ECONNREFUSED');
    await expect(refused.reloadWeights('/x')).rejects.toThrow(/update_weights: cannot connect/);

    const silent = await rawServer(undefined);
    try {
      const slow = new OpenAISampler({ baseURL: silent.url, model: 'm', maxRetries: 0, timeoutMs: 300 });
      await expect(slow.sample({ prompt: [1], maxNewTokens: 1 })).rejects.toThrow(`sampler ${silent.url}: no answer within 300 ms (timeout)`);
    } finally {
      await closeRaw(silent.server);
    }
  });

  it('OpenAISampler: a response without token_ids is refused by name; a missing stop token is appended', async () => {
    const noIds = await rawServer({ id: 'x', object: 'text_completion', choices: [{ index: 0, text: 'hi', finish_reason: 'length', logprobs: { tokens: ['hi'], token_logprobs: [-1] } }] });
    try {
      const s = new OpenAISampler({ baseURL: noIds.url, model: 'm', maxRetries: 0 });
      await expect(s.sample({ prompt: [1], maxNewTokens: 1 })).rejects.toThrow(
        `sampler ${noIds.url}: the server did not return token ids: vLLM needs return_token_ids (vLLM >= 0.10.2)`,
      );
    } finally {
      await closeRaw(noIds.server);
    }
    // A server that stops at token 7 but leaves it out of token_ids (and gives no raw logprobs).
    const noStop = await rawServer({ choices: [{ index: 0, text: 'ab', finish_reason: 'stop', stop_reason: 7, token_ids: [5, 6], logprobs: { token_logprobs: [-1, -2] } }] });
    try {
      const s = new OpenAISampler({ baseURL: noStop.url, model: 'm', maxRetries: 0 });
      const r = await s.sample({ prompt: [1], maxNewTokens: 4, stopTokens: [8, 7] });
      expect(r).toEqual({ tokens: [5, 6, 7], logprobs: [-1, -2, 0], modelLogprobs: [-1, -2, 0], finishReason: 'stop' });
    } finally {
      await closeRaw(noStop.server);
    }
  });
});
