import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JudgeError, OpenAIJudge, type OpenAIJudgeConfig } from '../../src/reward/judge.js';
import { JudgeConfig, describeJudge, judgeApiKey } from '../../src/reward/judge-config.js';
import { makeJudge as judgeOf } from '../../src/rl/setup.js';
import { JUDGE_PROMPT_VERSION } from '../../src/reward/judge-prompt.js';
import { parseVerdictReply, VERDICT_JSON_SCHEMA, VERDICT_SCHEMA_NAME } from '../../src/reward/judge-schema.js';
import type { JudgeInput, Verdict } from '../../src/reward/verdict.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

const GOOD: Verdict = {
  hallucination: 'faithful',
  clarity: 'better',
  quantification: 'same',
  jd_alignment: 'better',
  action_verbs: 'worse',
  overall_preference: 'better',
};
const good = (v: Verdict = GOOD) => ({ content: JSON.stringify(v) });

const input = (revised = '- Led migration of billing to Go'): JudgeInput => ({
  jd: 'Senior Go engineer. Billing systems.',
  original: '- Was responsible for billing migration',
  revised,
  weakness: { type: 'weak_verbs', description: 'passive bullets', lines: [{ line: 1, text: '- Was responsible for billing migration', reason: 'passive' }] },
});

let server: FakeOpenAIServer;
let dir: string;
beforeEach(async () => {
  server = await startOpenAIServer();
  dir = mkdtempSync(join(tmpdir(), 'judge-test-'));
});
afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const makeJudge = (over: Partial<OpenAIJudgeConfig> = {}) =>
  new OpenAIJudge({
    baseURL: server.baseURL,
    model: 'fake-judge',
    apiKey: 'test-key',
    timeoutMs: 2_000,
    maxAttempts: 3,
    baseDelayMs: 5,
    maxDelayMs: 20,
    ...over,
  });

describe('OpenAIJudge', () => {
  it('sends a strict json_schema response_format and round-trips the verdict', async () => {
    server.enqueue(good());
    const v = await makeJudge().judge(input());
    expect(v).toEqual(GOOD);
    expect(server.requests).toHaveLength(1);
    const req = server.requests[0]!;
    expect(req.url).toBe('/v1/chat/completions');
    expect(req.headers.authorization).toBe('Bearer test-key');
    expect(req.body.model).toBe('fake-judge');
    expect(req.body.response_format.type).toBe('json_schema');
    expect(req.body.response_format.json_schema.name).toBe(VERDICT_SCHEMA_NAME);
    expect(req.body.response_format.json_schema.strict).toBe(true);
    const schema = req.body.response_format.json_schema.schema;
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$schema).toBeUndefined();
    expect([...schema.required].sort()).toEqual(Object.keys(GOOD).sort());
    expect(schema.properties.hallucination.enum).toEqual(['fabricated', 'faithful']);
    expect(schema.properties.clarity.enum).toEqual(['worse', 'same', 'better']);
    // The prompt carries every input the judge may see.
    const [sys, user] = req.body.messages;
    expect(sys.role).toBe('system');
    expect(sys.content).toMatch(/fabricated/);
    expect(user.content).toContain('Senior Go engineer');
    expect(user.content).toContain('Was responsible for billing migration');
    expect(user.content).toContain('Led migration of billing to Go');
    expect(user.content).toContain('weak_verbs');
  });

  it('forwards extra body fields and max_tokens without letting them override the schema', async () => {
    server.enqueue(good());
    await makeJudge({ maxTokens: 256, extraBody: { chat_template_kwargs: { enable_thinking: false }, response_format: { type: 'text' } } }).judge(input());
    const body = server.requests[0]!.body;
    expect(body.chat_template_kwargs).toEqual({ enable_thinking: false });
    expect(body.max_tokens).toBe(256);
    expect(body.response_format.type).toBe('json_schema');
    expect(body.temperature).toBeUndefined(); // the endpoint's default unless configured
    server.enqueue(good());
    await makeJudge({ temperature: 0.2 }).judge(input('- other'));
    expect(server.requests[1]!.body.temperature).toBe(0.2);
  });

  it('retries a malformed reply, then accepts a fenced good one', async () => {
    server.enqueue({ content: 'I think it is better overall.' }, { content: '```json\n' + JSON.stringify(GOOD) + '\n```' });
    const judge = makeJudge();
    expect(await judge.judge(input())).toEqual(GOOD);
    expect(server.requests).toHaveLength(2);
  });

  it('treats a wrong enum value as malformed', async () => {
    server.enqueue({ content: JSON.stringify({ ...GOOD, clarity: 'much better' }) }, good());
    expect(await makeJudge().judge(input())).toEqual(GOOD);
    expect(server.requests).toHaveLength(2);
  });

  it('times out a slow reply and retries', async () => {
    server.enqueue({ ...good(), delayMs: 1_500 }, good());
    const t0 = Date.now();
    expect(await makeJudge({ timeoutMs: 150 }).judge(input())).toEqual(GOOD);
    expect(server.requests).toHaveLength(2);
    expect(Date.now() - t0).toBeLessThan(1_200);
  });

  it('honours Retry-After on a 429, then succeeds', async () => {
    server.enqueue({ status: 429, headers: { 'retry-after': '1' } }, good());
    const t0 = Date.now();
    expect(await makeJudge().judge(input())).toEqual(GOOD);
    const gap = server.requests[1]!.at - server.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(900); // base backoff is 5 ms: only Retry-After explains this
    expect(Date.now() - t0).toBeLessThan(3_000);
  });

  it('retries a 503 with backoff', async () => {
    server.enqueue({ status: 503 }, good());
    expect(await makeJudge().judge(input())).toEqual(GOOD);
    expect(server.requests).toHaveLength(2);
  });

  it('throws a JudgeError naming endpoint, model, attempts and cause when retries run out', async () => {
    server.setFallback({ content: 'not json at all' });
    const err = await makeJudge().judge(input()).catch((e) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect(err.attempts).toBe(3);
    expect(err.model).toBe('fake-judge');
    expect(err.endpoint).toBe(server.baseURL);
    expect(err.lastCause).toMatch(/malformed reply: reply is not JSON/);
    expect(err.message).toContain(server.baseURL);
    expect(err.message).toContain('3 attempt(s)');
    expect(server.requests).toHaveLength(3);
  });

  it('names a timeout as the cause when every attempt times out', async () => {
    server.setFallback({ ...good(), delayMs: 1_000 });
    const err = await makeJudge({ timeoutMs: 80, maxAttempts: 2 }).judge(input()).catch((e) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect(err.lastCause).toMatch(/timeout/);
    expect(err.attempts).toBe(2);
  });

  it('makes exactly maxAttempts requests on persistent 500s (client retries are off)', async () => {
    server.setFallback({ status: 500 });
    const err = await makeJudge({ maxAttempts: 2 }).judge(input()).catch((e) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect(err.lastCause).toMatch(/HTTP 500/);
    expect(server.requests).toHaveLength(2);
  });

  it('does not retry a 401', async () => {
    server.setFallback({ status: 401 });
    const err = await makeJudge().judge(input()).catch((e) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect(err.attempts).toBe(1);
    expect(err.lastCause).toMatch(/HTTP 401/);
    expect(server.requests).toHaveLength(1);
  });

  it('names a connection failure', async () => {
    const url = server.baseURL;
    await server.close();
    server = await startOpenAIServer(); // for afterEach
    const err = await makeJudge({ baseURL: url, maxAttempts: 2 }).judge(input()).catch((e) => e);
    expect(err).toBeInstanceOf(JudgeError);
    expect(err.lastCause).toMatch(/connection error/);
  });

  it('serves a repeated input from the cache without a second request', async () => {
    server.enqueue(good());
    const judge = makeJudge();
    expect(await judge.judge(input())).toEqual(GOOD);
    expect(await judge.judge(input())).toEqual(GOOD);
    expect(server.requests).toHaveLength(1);
    // A different revision is a different key.
    server.enqueue(good({ ...GOOD, clarity: 'same' }));
    expect((await judge.judge(input('- Led billing'))).clarity).toBe('same');
    expect(server.requests).toHaveLength(2);
  });

  it('shares one request between identical inputs judged at the same time', async () => {
    server.enqueue({ ...good(), delayMs: 100 });
    const judge = makeJudge();
    const [a, b] = await Promise.all([judge.judge(input()), judge.judge(input())]);
    expect(a).toEqual(GOOD);
    expect(b).toEqual(GOOD);
    expect(server.requests).toHaveLength(1);
  });

  it('appends to a JSONL disk cache and reloads it in a new instance', async () => {
    const path = join(dir, 'sub', 'cache.jsonl');
    server.enqueue(good());
    await makeJudge({ cachePath: path }).judge(input());
    const first = readFileSync(path, 'utf8');
    expect(first.trim().split('\n')).toHaveLength(1);
    const rec = JSON.parse(first);
    expect(rec.prompt_version).toBe(JUDGE_PROMPT_VERSION);
    expect(rec.verdict).toEqual(GOOD);

    const again = makeJudge({ cachePath: path });
    expect(again.cache.size).toBe(1);
    expect(await again.judge(input())).toEqual(GOOD);
    expect(server.requests).toHaveLength(1);

    server.enqueue(good({ ...GOOD, action_verbs: 'better' }));
    await again.judge(input('- Led billing'));
    const second = readFileSync(path, 'utf8');
    expect(second.startsWith(first)).toBe(true); // appended, not rewritten
    expect(second.trim().split('\n')).toHaveLength(2);
  });

  it('a different model does not reuse cached verdicts', async () => {
    const path = join(dir, 'cache.jsonl');
    server.enqueue(good(), good());
    await makeJudge({ cachePath: path }).judge(input());
    await makeJudge({ cachePath: path, model: 'other-judge' }).judge(input());
    expect(server.requests).toHaveLength(2);
  });

  it('rejects a corrupt cache line by file and line, skips a torn last line', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"key":"nope"}\n');
    expect(() => makeJudge({ cachePath: bad })).toThrow(/bad\.jsonl:1: invalid record/);

    const torn = join(dir, 'torn.jsonl');
    server.enqueue(good(), good());
    await makeJudge({ cachePath: torn }).judge(input());
    writeFileSync(torn, readFileSync(torn, 'utf8') + '{"key":"ab', { flag: 'w' });
    const j = makeJudge({ cachePath: torn });
    expect(j.cache.size).toBe(1);
    await j.judge(input('- Led billing'));
    const reloaded = makeJudge({ cachePath: torn });
    expect(reloaded.cache.size).toBe(2); // the new record is on its own line
    expect(reloaded.cache.tornLines).toBe(1);
    const garbage = join(dir, 'garbage.jsonl');
    writeFileSync(garbage, 'hello\n');
    expect(() => makeJudge({ cachePath: garbage })).toThrow(/garbage\.jsonl:1: invalid record \(not JSON\)/);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    server.setFallback({ ...good(), delayMs: 80 });
    const judge = makeJudge({ concurrency: 2 });
    const inputs = Array.from({ length: 6 }, (_, i) => input(`- Led billing ${i}`));
    const out = await Promise.all(inputs.map((x) => judge.judge(x)));
    expect(out).toHaveLength(6);
    expect(server.requests).toHaveLength(6);
    expect(server.maxInFlight).toBe(2);
  });
});

describe('judge configuration and reply parsing', () => {
  it('takes its settings from the config section and only the key from the environment', async () => {
    const cfg = JudgeConfig.parse({ kind: 'openai', baseURL: server.baseURL, model: 'fake-judge', concurrency: 4, extraBody: { reasoning_effort: 'low' } });
    expect(cfg).toMatchObject({ timeoutMs: 60_000, maxAttempts: 5, concurrency: 4, apiKeyEnv: 'JUDGE_API_KEY' });
    expect(describeJudge(cfg)).toBe(`openai:fake-judge at ${server.baseURL}`);
    expect(describeJudge(JudgeConfig.parse({}))).toBe('rules');
    server.enqueue(good());
    const judge = judgeOf({ ...cfg, apiKeyEnv: 'MY_JUDGE_KEY' }, { MY_JUDGE_KEY: 'secret' });
    expect(await judge.judge(input())).toEqual(GOOD);
    expect(server.requests[0]!.headers.authorization).toBe('Bearer secret');
    expect(server.requests[0]!.body.reasoning_effort).toBe('low');
  });

  it('names what is wrong: missing fields, a key in the config, a missing or stale environment', () => {
    const err = (x: unknown) => {
      const r = JudgeConfig.safeParse(x);
      return r.success ? '' : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    };
    expect(err({ kind: 'openai' })).toMatch(/baseURL: required when kind is 'openai'.*model: required when kind is 'openai'/);
    expect(err({ kind: 'openai', baseURL: 'not a url', model: 'm' })).toMatch(/^baseURL: /);
    expect(err({ kind: 'rules', apiKey: 'k' })).toMatch(/the API key never goes into the config; set it in the environment variable named by judge.apiKeyEnv/);
    expect(err({ kind: 'rules', timeoutMS: 5 })).toMatch(/timeoutMS/);
    expect(err({ concurrency: 0 })).toMatch(/^concurrency: /);
    const cfg = JudgeConfig.parse({ kind: 'openai', baseURL: 'http://x/v1', model: 'm' });
    expect(() => judgeApiKey(cfg, {})).toThrow(/needs its API key in the environment variable JUDGE_API_KEY/);
    expect(judgeApiKey(cfg, { JUDGE_API_KEY: 'k' })).toBe('k');
    expect(() => judgeApiKey(cfg, { JUDGE_API_KEY: 'k', JUDGE_MODEL: 'other' })).toThrow(/JUDGE_MODEL is set, but the judge's settings come from the run config only: judge.model/);
    expect(() => new OpenAIJudge({ baseURL: 'http://x/v1', model: 'm', apiKey: '' })).toThrow(/config.apiKey is required/);
  });

  it('the JSON schema is a strict plain object schema', () => {
    expect(VERDICT_JSON_SCHEMA).toMatchObject({ type: 'object', additionalProperties: false });
    expect(Object.keys(VERDICT_JSON_SCHEMA)).not.toContain('$schema');
  });

  it('parses fenced and bare replies and names schema problems', () => {
    expect(parseVerdictReply(JSON.stringify(GOOD))).toEqual(GOOD);
    expect(parseVerdictReply('```\n' + JSON.stringify(GOOD) + '\n```')).toEqual(GOOD);
    expect(() => parseVerdictReply(JSON.stringify({ ...GOOD, hallucination: 'same' }))).toThrow(/hallucination/);
    expect(() => parseVerdictReply('')).toThrow(/empty/);
  });
});
