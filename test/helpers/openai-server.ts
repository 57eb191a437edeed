// A fake OpenAI-compatible endpoint for tests: a real node:http server on 127.0.0.1 (port 0) that
// answers POST /v1/chat/completions with chat.completion objects. Each request takes the next
// scripted reply (content, HTTP status and headers, delay, raw body), or the fallback when the
// script is empty. Every request is recorded, and the number of requests in flight is tracked.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedReply {
  /** Assistant message content (status 200). */
  content?: string | null;
  /** HTTP status; non-2xx replies send an OpenAI-style error body. Default 200. */
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before answering (to force a client timeout). */
  delayMs?: number;
  /** Raw JSON body to send instead of the generated one. */
  body?: unknown;
  finishReason?: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (undefined when not JSON). */
  body: any;
  at: number;
}

export interface FakeOpenAIServer {
  /** Base URL to give the client, ending in /v1. */
  baseURL: string;
  requests: RecordedRequest[];
  /** Most requests that were in flight at the same time. */
  readonly maxInFlight: number;
  readonly inFlight: number;
  /** Appends replies to the script. */
  enqueue(...replies: ScriptedReply[]): void;
  /** Reply used when the script is empty. */
  setFallback(reply: ScriptedReply | ((req: RecordedRequest) => ScriptedReply)): void;
  close(): Promise<void>;
}

export function completion(content: string | null, finishReason = 'stop', model = 'fake-judge') {
  return {
    id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: finishReason, logprobs: null }],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}

export async function startOpenAIServer(
  opts: { replies?: ScriptedReply[]; fallback?: ScriptedReply | ((req: RecordedRequest) => ScriptedReply) } = {},
): Promise<FakeOpenAIServer> {
  const script: ScriptedReply[] = [...(opts.replies ?? [])];
  let fallback = opts.fallback ?? { status: 500, body: { error: { message: 'fake server: script exhausted', type: 'server_error' } } };
  const requests: RecordedRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const rec: RecordedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: Date.now() };
      requests.push(rec);
      if (req.method !== 'POST' || !rec.url.endsWith('/chat/completions')) {
        send(res, 404, { error: { message: `fake server: no route ${req.method} ${rec.url}`, type: 'invalid_request_error' } });
        return;
      }
      const reply = script.shift() ?? (typeof fallback === 'function' ? fallback(rec) : fallback);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        inFlight--;
        clearTimeout(timer);
      };
      // A client that gives up (timeout) closes the socket: stop counting it as in flight.
      res.on('close', finish);
      const timer = setTimeout(() => {
        const status = reply.status ?? 200;
        if (reply.body !== undefined) send(res, status, reply.body, reply.headers);
        else if (status >= 200 && status < 300) send(res, status, completion(reply.content ?? null, reply.finishReason), reply.headers);
        else send(res, status, { error: { message: `fake server: status ${status}`, type: 'server_error' } }, reply.headers);
        finish();
      }, reply.delayMs ?? 0);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
    enqueue: (...replies) => void script.push(...replies),
    setFallback: (r) => void (fallback = r),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
