// The embedded sampler as an OpenAI-compatible HTTP server (node:http), speaking the same API as a
// vLLM sampler (protocol.ts) so rollouts run unchanged against either (src/rollout/client.ts):
//   GET  /health, GET /v1/models
//   POST /v1/completions, POST /v1/chat/completions
//   POST /update_weights {"path": DIR}: reload the weights between generations (gate.ts)
//   vLLM's dev-mode reload routes, when a reload function is given (control-routes.ts): POST /pause,
//   /resume, /collective_rpc (reload_weights), /reset_prefix_cache, GET /is_paused
// Every error is an OpenAI-style body (errors.ts); a failing request never takes the server down.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ChatTemplate } from '../io/chat-template.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import type { TurnSampler } from '../rollout/sampler.js';
import { chatCompletions } from './chat.js';
import { completions } from './completions.js';
import { EMPTY, controlRoutes } from './control-routes.js';
import { HttpError, badRequest, parseBody, toHttpError } from './errors.js';
import { ReloadGate } from './gate.js';
import type { ServeContext } from './generation.js';
import { AdmissionWindow } from './window.js';

export interface SamplerServerOptions {
  sampler: TurnSampler;
  tokenizer: HfTokenizer;
  /** Default: built from the tokenizer's own chat template (none: /v1/chat/completions answers 400). */
  template?: ChatTemplate;
  modelName: string;
  host?: string;
  /** 0 = any free port. Default 8000. */
  port?: number;
  /** Slot capacity (the Generator's maxTokens): prompts that cannot fit are refused with a 400. */
  maxTokens?: number;
  /** Token ids must be below this; default the tokenizer's id space (pass the model's vocab_size). */
  vocabSize?: number;
  /** Called by POST /update_weights with the request's path, once no generation is in flight. */
  reload?: (dir: string) => Promise<void>;
  /** Seeds of requests without one: `${seed}/${n}` (default 'serve'). */
  seed?: number | string;
  /** How long the first request after an idle spell waits for others to batch with (window.ts). */
  batchWindowMs?: number;
  /** Called with each request's method and path as it arrives (logs, tests of route sequences). */
  onRequest?: (method: string, path: string) => void;
}

export interface SamplerServer {
  /** Base URL, ending in /v1. */
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 << 20;

const UpdateWeights = z.looseObject({ path: z.string().min(1) });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `the request body is larger than ${MAX_BODY_BYTES} bytes`, 'body_too_large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`the request body is not valid JSON: ${(e as Error).message}`, 'invalid_json');
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  if (body === EMPTY) {
    res.writeHead(status, { 'content-length': '0' });
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startSamplerServer(opts: SamplerServerOptions): Promise<SamplerServer> {
  const gate = new ReloadGate();
  const tok = opts.tokenizer;
  const template = opts.template ?? (tok.chatTemplate ? new ChatTemplate(tok.chatTemplate, { eos_token: tok.eosToken, bos_token: tok.bosToken }) : null);
  const ctx: ServeContext = {
    sampler: new AdmissionWindow(opts.sampler, opts.batchWindowMs ?? 20),
    gate,
    tokenizer: tok,
    template,
    modelName: opts.modelName,
    vocabSize: opts.vocabSize ?? tok.vocabSize,
    maxTokens: opts.maxTokens,
    eosIds: tok.eosTokenId === undefined ? [] : [tok.eosTokenId],
    seedBase: String(opts.seed ?? 'serve'),
    counter: 0,
  };
  const started = Math.floor(Date.now() / 1000);

  const routes: Record<string, Record<string, (req: IncomingMessage) => Promise<unknown>>> = {
    '/health': { GET: async () => ({ status: 'ok' }) },
    '/v1/models': {
      GET: async () => ({
        object: 'list',
        data: [{ id: opts.modelName, object: 'model', created: started, owned_by: 'rlvr-webgpu', ...(opts.maxTokens !== undefined ? { max_model_len: opts.maxTokens + 1 } : {}) }],
      }),
    },
    '/v1/completions': { POST: async (req) => completions(ctx, await jsonBody(req)) },
    '/v1/chat/completions': { POST: async (req) => chatCompletions(ctx, await jsonBody(req)) },
    '/update_weights': {
      POST: async (req) => {
        const { path } = parseBody(UpdateWeights, await jsonBody(req), 'update_weights request');
        const reload = opts.reload;
        if (!reload) throw new HttpError(404, 'this server has no weight reload configured (start it with a reload function)', 'reload_not_configured');
        try {
          await gate.reload(() => reload(path));
        } catch (e) {
          throw new HttpError(500, `reloading the weights from ${path} failed: ${e instanceof Error ? e.message : String(e)}`, 'reload_failed', 'path');
        }
        return { status: 'ok', path };
      },
    },
    // Without a reload function they answer 404, as vLLM's do without dev mode.
    ...(opts.reload ? controlRoutes(gate, opts.reload, jsonBody) : {}),
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    opts.onRequest?.(req.method ?? '', path);
    const route = routes[path];
    const handler = route?.[req.method ?? ''];
    const answer = handler
      ? handler(req)
      : Promise.reject(
          route
            ? new HttpError(405, `${req.method} ${path} is not allowed (use ${Object.keys(route).join(', ')})`, 'method_not_allowed')
            : new HttpError(404, `no route ${req.method} ${path} (routes: ${Object.keys(routes).join(', ')})`, 'not_found'),
        );
    answer.then(
      (body) => send(res, 200, body),
      (e: unknown) => {
        const err = toHttpError(e);
        if (err.status >= 500) console.error(`sampler server: ${req.method} ${path}: ${err.message}`);
        send(res, err.status, err.body());
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8000, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/v1`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
