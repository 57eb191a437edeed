// LLM mode against a tiny local fake of an OpenAI-compatible server (canned chat.completion JSON).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { generateDataset, generateRow, planDataset, planPersona, type RowPlan } from '../../src/data/generate.js';
import { DEFAULT_WEAK_RATIO, LlmRowError, rowFromAnswer, writeRowWithLlm, type LlmAnswer, type LlmOptions } from '../../src/data/llm.js';
import { loadDataset } from '../../src/data/load.js';
import type { DataRow } from '../../src/data/schema.js';
import { main } from '../../tools/make-data.js';

interface Call {
  body: { model: string; messages: { role: string; content: string }[] };
  auth: string | undefined;
}

interface Fake {
  url: string;
  calls: Call[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((res) => s.close(() => res()))));
});

/** Starts a fake /v1/chat/completions; `reply` gives the assistant content for each call. */
async function fakeServer(reply: (call: Call, n: number) => string): Promise<Fake> {
  const calls: Call[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
        res.writeHead(404).end();
        return;
      }
      const call: Call = { body: JSON.parse(data), auth: req.headers.authorization };
      calls.push(call);
      const content = reply(call, calls.length);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: `chatcmpl-${calls.length}`,
          object: 'chat.completion',
          created: 0,
          model: call.body.model,
          choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null }],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      );
    });
  });
  servers.push(server);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', () => res()));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, calls };
}

/** A valid model answer: the procedural row's text, with weak lines quoted (no numbers). */
function answerFor(row: DataRow): LlmAnswer {
  return {
    resume: row.resume,
    jd: row.jd,
    description: row.weakness.description,
    weak_lines: row.weakness.lines.map((w) => ({ text: w.text, reason: w.reason })),
  };
}

const SEED = '42';
const SIZES = { train: 6, eval: 2 };
const plans = planDataset(SEED, SIZES);
const planOf = (type: string): RowPlan => plans.find((p) => p.weakness === type) as RowPlan;

function options(url: string, extra: Partial<LlmOptions> = {}): LlmOptions {
  return {
    client: new OpenAI({ baseURL: url, apiKey: 'test-key', maxRetries: 0 }),
    model: 'fake-model',
    maxAttempts: 3,
    concurrency: 2,
    temperature: 0.7,
    jsonMode: true,
    weakRatio: DEFAULT_WEAK_RATIO,
    ...extra,
  };
}

describe('rowFromAnswer', () => {
  const plan = planOf('vague_bullets');
  const persona = planPersona(SEED, plan);
  const proc = generateRow(SEED, plan);

  it('accepts a valid answer and recomputes line numbers and stats from the text', () => {
    const res = rowFromAnswer(plan, persona, JSON.stringify(answerFor(proc)));
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.row.source).toBe('llm');
    expect(res.row.weakness.lines).toEqual(proc.weakness.lines);
    expect(res.row.stats).toEqual(proc.stats);
    expect(res.row.persona).toEqual(proc.persona);
    // Fenced JSON and CRLF line ends are tolerated.
    const fenced = '```json\n' + JSON.stringify({ ...answerFor(proc), resume: proc.resume.replace(/\n/g, '\r\n') }) + '\n```';
    expect(rowFromAnswer(plan, persona, fenced).ok).toBe(true);
  });

  it('names what is wrong', () => {
    const bad = (content: string): string[] => {
      const r = rowFromAnswer(plan, persona, content);
      expect(r.ok).toBe(false);
      return r.ok ? [] : r.problems;
    };
    expect(bad('Sure! Here is the resume')[0]).toMatch(/not valid JSON/);
    const { jd: _jd, ...noJd } = answerFor(proc);
    expect(bad(JSON.stringify(noJd))[0]).toMatch(/field jd/);
    const invented = answerFor(proc);
    invented.weak_lines[0] = { text: '- A line that is not in the resume.', reason: 'x' };
    expect(bad(JSON.stringify(invented))[0]).toMatch(/weak_lines\[0\]\.text is not a line of the resume/);
    const few = { ...answerFor(proc), weak_lines: answerFor(proc).weak_lines.slice(0, 1) };
    expect(bad(JSON.stringify(few)).join(' ')).toMatch(/about 60% should be/);
  });

  it('enforces the page rule both ways', () => {
    // A 44-50 line resume offered for a too_long row, and a too_long resume for a short-type row.
    const long = planOf('too_long');
    expect(rowFromAnswer(long, planPersona(SEED, long), JSON.stringify(answerFor(proc))).ok).toBe(false);
    const longRow = generateRow(SEED, long);
    const r = rowFromAnswer(plan, persona, JSON.stringify(answerFor(longRow)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join(' ')).toMatch(/at most 55 layout lines; this one has \d+/);
  });
});

describe('writeRowWithLlm against a fake server', () => {
  it('retries with the problems fed back until the answer validates', async () => {
    const plan = planOf('weak_verbs');
    const good = JSON.stringify(answerFor(generateRow(SEED, plan)));
    const fake = await fakeServer((_c, n) => (n === 1 ? 'not json at all' : n === 2 ? '{"resume": "# X\\n"}' : good));
    const row = await writeRowWithLlm(SEED, plan, options(fake.url));
    expect(row.id).toBe(plan.id);
    expect(row.weakness.type).toBe('weak_verbs');
    expect(fake.calls).toHaveLength(3);
    const first = fake.calls[0] as Call;
    expect(first.body.model).toBe('fake-model');
    expect(first.auth).toBe('Bearer test-key');
    expect(first.body.messages[1]?.content).toContain('Planted weakness: weak_verbs');
    expect(first.body.messages[1]?.content).toContain(`Row id: ${plan.id}`);
    const third = (fake.calls[2] as Call).body.messages;
    expect(third).toHaveLength(6); // system, user, bad answer, feedback, bad answer, feedback
    expect(third[2]).toEqual({ role: 'assistant', content: 'not json at all' });
    expect(third[3]?.content).toMatch(/invalid[\s\S]*not valid JSON/);
    expect(third[5]?.content).toMatch(/field jd/);
  });

  it('gives up after maxAttempts with the row id and the last problem', async () => {
    const plan = planOf('too_long');
    const short = JSON.stringify(answerFor(generateRow(SEED, planOf('no_metrics'))));
    const fake = await fakeServer(() => short);
    const err = await writeRowWithLlm(SEED, plan, options(fake.url, { maxAttempts: 2 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LlmRowError);
    expect((err as Error).message).toMatch(new RegExp(`row ${plan.id}: no valid answer after 2 attempt`));
    expect((err as Error).message).toMatch(/must be over 55 layout lines/);
    expect(fake.calls).toHaveLength(2);
  });

  it('npm run data -- --llm writes valid splits (settings from env)', async () => {
    // The fake answers each row with the procedural text of the same planned row.
    const procRows = generateDataset(SEED, { train: 2, eval: 1 });
    const byId = new Map([...procRows.train, ...procRows.eval].map((r) => [r.id, r]));
    const fake = await fakeServer((c) => {
      const id = /Row id: (\S+)/.exec(c.body.messages[1]?.content ?? '')?.[1] ?? '';
      return JSON.stringify(answerFor(byId.get(id) as DataRow));
    });
    const out = mkdtempSync(join(tmpdir(), 'make-data-llm-'));
    const env = { DATA_BASE_URL: fake.url, DATA_MODEL: 'env-model', DATA_API_KEY: 'env-key' };
    await main(['--llm', '--out', out, '--train', '2', '--eval', '1', '--seed', SEED], env, () => {});
    const train = loadDataset(join(out, 'train.jsonl'));
    const evalRows = loadDataset(join(out, 'eval.jsonl'));
    expect(train.map((r) => r.id)).toEqual(['train-000', 'train-001']);
    expect(evalRows.map((r) => r.id)).toEqual(['eval-000']);
    expect([...train, ...evalRows].every((r) => r.source === 'llm')).toBe(true);
    expect(train[0]?.resume).toBe(byId.get('train-000')?.resume);
    expect(fake.calls.every((c) => c.body.model === 'env-model' && c.auth === 'Bearer env-key')).toBe(true);
  });
});
