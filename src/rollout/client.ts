// Token in, token out: one assistant turn from an OpenAI-compatible sampler server (our embedded
// src/serve, or vLLM) through POST /v1/completions, with the prompt as token ids and the new
// tokens read back as ids, so rollouts never re-tokenize text (src/rollout/conversation.ts).
//
// A vLLM sampler must be started with `--logprobs-mode processed_logprobs`: by default vLLM returns
// logprobs of the raw model distribution, while AIPO needs log mu, the logprob under the
// distribution actually sampled from (temperature, top-k, top-p applied), which is what our server
// returns. It also needs return_token_ids (vLLM >= 0.10.2).
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { z } from 'zod';
import { hashString } from '../io/rng.js';
import type { GenerateRequest, GenerateResult } from '../model/generate.js';
import { SamplingParams } from '../ops/sampling.js';
import type { TurnSampler } from './sampler.js';

export interface OpenAISamplerOptions {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:8000/v1. */
  baseURL: string;
  model: string;
  /** Default 'EMPTY' (vLLM and our server do not check it). */
  apiKey?: string;
  /** Per request, default 10 minutes (a long turn on a busy sampler). */
  timeoutMs?: number;
  /** The openai client's own retries (connection errors, 408/409/429/5xx); default 2. */
  maxRetries?: number;
  /** Weight reload: POST <server root><reloadRoute> {<reloadField>: dir}. Default
   *  '/update_weights' {"path"} (our server); SGLang's is '/update_weights_from_disk'
   *  {"model_path"}; stock vLLM has none (a wrapper route is needed, README). */
  reloadRoute?: string;
  reloadField?: string;
}

/** The part of a completion response this client relies on. */
const CompletionChoice = z.looseObject({
  finish_reason: z.string(),
  token_ids: z.array(z.int().nonnegative()).nullish(),
  logprobs: z.looseObject({ token_logprobs: z.array(z.number().nullable()) }).nullish(),
  /** Our server's extension: raw softmax logprobs (vLLM has no such field). */
  model_logprobs: z.array(z.number()).nullish(),
  /** vLLM: the stop token id (or stop string) that ended the generation. */
  stop_reason: z.union([z.int(), z.string()]).nullish(),
});
const CompletionResponse = z.looseObject({ choices: z.array(CompletionChoice).min(1) });

/** Seeds on the wire are integers: an integer goes as is (so it draws what the embedded sampler
 *  draws for the same seed), anything else as its 32-bit hash. */
export function wireSeed(seed: number | string): number {
  return typeof seed === 'number' && Number.isSafeInteger(seed) ? seed : hashString(String(seed));
}

export class SamplerClientError extends Error {
  constructor(
    readonly url: string,
    message: string,
    readonly status?: number,
    /** The server could not be reached (connection refused or reset, a timeout, 502/503/504),
     *  after the client's own retries: a pool of servers takes it out (src/rollout/pool.ts). */
    readonly unreachable = false,
  ) {
    super(`sampler ${url}: ${message}`);
  }
}

/** Statuses a server that is going away or behind a proxy answers: the server, not the request. */
export const UNREACHABLE_STATUSES: readonly number[] = [502, 503, 504];

function explain(e: unknown, timeoutMs: number): { message: string; status?: number; unreachable: boolean } {
  if (e instanceof APIConnectionTimeoutError) return { message: `no answer within ${timeoutMs} ms (timeout)`, unreachable: true };
  if (e instanceof APIConnectionError) return { message: `cannot connect (${e.cause ? errorChain(e.cause) : e.message})`, unreachable: true };
  if (e instanceof APIError) {
    const detail = (e.error as { message?: unknown } | undefined)?.message;
    const status = e.status;
    return { message: `HTTP ${status}: ${typeof detail === 'string' ? detail : e.message}`, status, unreachable: status !== undefined && UNREACHABLE_STATUSES.includes(status) };
  }
  return { message: e instanceof Error ? e.message : String(e), unreachable: false };
}

export class OpenAISampler implements TurnSampler {
  private readonly client: OpenAI;
  private readonly timeoutMs: number;

  constructor(readonly opts: OpenAISamplerOptions) {
    this.timeoutMs = opts.timeoutMs ?? 600_000;
    this.client = new OpenAI({ baseURL: opts.baseURL, apiKey: opts.apiKey ?? 'EMPTY', timeout: this.timeoutMs, maxRetries: opts.maxRetries ?? 2 });
  }

  /** Preflight: the server answers GET /v1/models and serves `model` (a run checks this before
   *  loading its ranks, which takes minutes at 14B). */
  async check(): Promise<void> {
    let ids: string[];
    try {
      const page = await this.client.models.list({ timeout: Math.min(this.timeoutMs, 30_000), maxRetries: 0 });
      ids = page.data.map((m) => m.id);
    } catch (e) {
      const d = explain(e, Math.min(this.timeoutMs, 30_000));
      throw new SamplerClientError(this.opts.baseURL, `${d.message} (is the sampler server running?)`, d.status, d.unreachable);
    }
    if (!ids.includes(this.opts.model)) throw new SamplerClientError(this.opts.baseURL, `serves ${ids.length ? ids.map((i) => JSON.stringify(i)).join(', ') : 'no model'}, not ${JSON.stringify(this.opts.model)} (sampler.model must be the served model name)`);
  }

  async sample(req: GenerateRequest): Promise<GenerateResult> {
    const p = SamplingParams.parse(req.sampling ?? {});
    const stops = req.stopTokens ?? [];
    // Every sampling field is sent explicitly: vLLM fills absent ones from the model's
    // generation_config.json (Qwen3: temperature 0.6, top_k 20, top_p 0.95).
    const body = {
      model: this.opts.model,
      prompt: [...req.prompt],
      max_tokens: req.maxNewTokens,
      temperature: p.temperature,
      top_p: p.topP,
      top_k: p.topK === 0 ? -1 : p.topK,
      ...(req.seed !== undefined ? { seed: wireSeed(req.seed) } : {}),
      n: 1,
      stream: false,
      logprobs: 1,
      stop_token_ids: [...stops],
      // Stop only at stop_token_ids, like the Generator (vLLM otherwise also stops at the model's EOS).
      ignore_eos: true,
      return_token_ids: true,
      return_tokens_as_token_ids: true,
      skip_special_tokens: false,
      include_stop_str_in_output: true,
    };
    let raw: unknown;
    try {
      raw = await this.client.completions.create(body as unknown as OpenAI.CompletionCreateParamsNonStreaming);
    } catch (e) {
      const d = explain(e, this.timeoutMs);
      throw new SamplerClientError(this.opts.baseURL, d.message, d.status, d.unreachable);
    }
    return this.result(raw, req, stops);
  }

  private result(raw: unknown, req: GenerateRequest, stops: readonly number[]): GenerateResult {
    const fail = (msg: string) => new SamplerClientError(this.opts.baseURL, msg);
    const parsed = CompletionResponse.safeParse(raw);
    if (!parsed.success) throw fail(`unexpected completion response: ${z.prettifyError(parsed.error)}`);
    const c = parsed.data.choices[0]!;
    if (c.token_ids == null) throw fail('the server did not return token ids: vLLM needs return_token_ids (vLLM >= 0.10.2)');
    if (c.logprobs == null) throw fail('the server did not return logprobs');
    if (c.finish_reason !== 'stop' && c.finish_reason !== 'length') throw fail(`finish_reason ${JSON.stringify(c.finish_reason)}: expected stop or length`);
    const tokens = [...c.token_ids];
    const logprobs = c.logprobs.token_logprobs.map((x, i) => {
      if (x === null) throw fail(`logprob ${i} is null`);
      return x;
    });
    if (logprobs.length !== tokens.length) throw fail(`${tokens.length} token ids but ${logprobs.length} logprobs`);
    // The embedded server returns raw logprobs too; vLLM does not: then they repeat the sampler's.
    const modelLogprobs = c.model_logprobs != null && c.model_logprobs.length === tokens.length ? [...c.model_logprobs] : [...logprobs];
    if (c.finish_reason === 'stop' && !stops.includes(tokens[tokens.length - 1]!)) {
      // As from the Generator, a stop token ends the tokens. A server that leaves it out: append the
      // one that stopped it (its logprob is unknown: 0, i.e. mu = 1).
      const stop = typeof c.stop_reason === 'number' && stops.includes(c.stop_reason) ? c.stop_reason : stops.length === 1 ? stops[0] : undefined;
      if (stop === undefined) throw fail(`finish_reason is stop but the tokens do not end with a stop token (stop_reason ${JSON.stringify(c.stop_reason)})`);
      tokens.push(stop);
      logprobs.push(0);
      modelLogprobs.push(0);
    }
    if (tokens.length > req.maxNewTokens) throw fail(`${tokens.length} new tokens, more than max_tokens ${req.maxNewTokens}`);
    return { tokens, logprobs, modelLogprobs, finishReason: c.finish_reason };
  }

  /** POST <server root><reloadRoute> {<reloadField>: dir} (default /update_weights {"path"}): the
   *  sampler loads the weights in `dir` between generations. */
  async reloadWeights(dir: string, timeoutMs = this.timeoutMs): Promise<void> {
    const body = { [this.opts.reloadField ?? 'path']: dir };
    await requestRoute(serverRoot(this.opts.baseURL), this.opts.reloadRoute ?? '/update_weights', { body, apiKey: this.opts.apiKey, timeoutMs });
  }
}

/** The server's root: the base URL without its trailing /v1 (where vLLM's other routes live). */
export function serverRoot(baseURL: string): string {
  return baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export interface RouteOptions {
  method?: 'GET' | 'POST';
  /** Sent as JSON (POST). */
  body?: unknown;
  query?: Record<string, string>;
  apiKey?: string;
  timeoutMs: number;
  /** Statuses answered without throwing besides 2xx (a preflight probing whether a route exists). */
  accept?: readonly number[];
}

/** One request to a server's non-OpenAI route (weight reloads, vLLM's dev-mode routes); the answer's
 *  status and text. A failure throws a SamplerClientError naming the URL: no connection or no
 *  answer in time (unreachable), or a status outside 2xx and `accept` (with the server's message). */
export async function requestRoute(root: string, path: string, o: RouteOptions): Promise<{ status: number; text: string }> {
  const url = `${root}${path}${o.query ? `?${new URLSearchParams(o.query).toString()}` : ''}`;
  const method = o.method ?? 'POST';
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}), authorization: `Bearer ${o.apiKey ?? 'EMPTY'}` },
      ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (e) {
    const timedOut = e instanceof Error && e.name === 'TimeoutError';
    throw new SamplerClientError(`${method} ${url}`, timedOut ? `no answer within ${o.timeoutMs} ms (timeout)` : `cannot connect (${errorChain(e)})`, undefined, true);
  }
  const text = await res.text();
  if (res.ok || o.accept?.includes(res.status)) return { status: res.status, text };
  throw new SamplerClientError(`${method} ${url}`, `HTTP ${res.status}: ${errorMessage(text)}`, res.status, UNREACHABLE_STATUSES.includes(res.status));
}

/** The message of an error body: OpenAI's {"error": {"message"}}, vLLM's {"error": "..."} or
 *  FastAPI's {"detail": ...}; else the text itself. */
export function errorMessage(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown; detail?: unknown };
    const e = j.error as { message?: unknown } | string | undefined;
    if (typeof e === 'string') return e;
    if (e && typeof e.message === 'string') return e.message;
    if (j.detail !== undefined) return typeof j.detail === 'string' ? j.detail : JSON.stringify(j.detail);
  } catch {
    // not JSON: the text itself
  }
  return text.trim() || '(empty body)';
}

function errorChain(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e; c instanceof Error && parts.length < 4; c = c.cause) {
    const code = (c as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${c.message}` : c.message);
  }
  return parts.join(' <- ') || String(e);
}
