// The weight-reload routes of a stock vLLM server (>= 0.16, started with VLLM_SERVER_DEV_MODE=1),
// which `npm run serve` answers with the same shapes (src/serve/control-routes.ts). What vLLM's
// own source says (README "vLLM as the sampler" for files and versions):
//   POST /pause?mode=wait          {"status": "paused"}: in-flight requests finish, new ones wait
//   POST /collective_rpc           {"method", "args", "kwargs", "timeout"} -> {"results": [...]} or
//                                  an empty 200; method "reload_weights" with kwargs
//                                  {"weights_path": DIR, "is_checkpoint_format": true}
//   POST /reset_prefix_cache       empty 200
//   POST /resume                   {"status": "resumed"}
//   GET  /is_paused                {"is_paused": bool}
//   GET  /version                  {"version": "0.16.0"} (vLLM's main router, no dev mode needed)
// Without dev mode vLLM registers none of the first five: they answer 404, which preflight names
// with its fix. Every answer read here is checked with zod.
import { z } from 'zod';
import { SamplerClientError, requestRoute, serverRoot } from './client.js';

/** The oldest vLLM whose reload_weights takes weights_path (README: PR #32133, 0.16). */
export const MIN_VLLM: readonly [number, number] = [0, 16];

export const DEV_MODE_FIX =
  'start vLLM >= 0.16 with the environment variable VLLM_SERVER_DEV_MODE=1 (it adds /pause, /resume, /collective_rpc, /reset_prefix_cache), bound to 127.0.0.1 (--host 127.0.0.1: these routes let any caller run worker methods)';

const Paused = z.looseObject({ status: z.literal('paused') });
const Resumed = z.looseObject({ status: z.literal('resumed') });
const IsPaused = z.looseObject({ is_paused: z.boolean() });
const RpcResults = z.looseObject({ results: z.array(z.unknown()) });
const Version = z.looseObject({ version: z.string() });

function parseJson<S extends z.ZodType>(schema: S, text: string, what: string, url: string): z.infer<S> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SamplerClientError(url, `${what}: the answer is not JSON: ${text.slice(0, 200)}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new SamplerClientError(url, `${what}: unexpected answer ${text.slice(0, 200)}: ${z.prettifyError(r.error)}`);
  return r.data;
}

/** "0.16.0", "0.16.1rc1.dev5+g..." -> [0, 16]; null when it does not start with two numbers. */
export function majorMinor(version: string): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export class ServerControl {
  readonly root: string;

  constructor(
    baseURL: string,
    private readonly apiKey: string | undefined,
    /** Per request: a reload of a 14B model from disk takes tens of seconds. */
    private readonly timeoutMs: number,
  ) {
    this.root = serverRoot(baseURL);
  }

  private call(path: string, o: { method?: 'GET' | 'POST'; body?: unknown; query?: Record<string, string>; accept?: number[] } = {}) {
    return requestRoute(this.root, path, { ...o, apiKey: this.apiKey, timeoutMs: this.timeoutMs });
  }

  /** Requests in flight finish, new ones wait until resume(). `mode=wait` is vLLM's current
   *  parameter; `wait_for_inflight_requests=true` the one before it (0.14 had only that, and its
   *  default aborts requests in flight), which vLLM with `mode` still maps to "wait". */
  async pause(): Promise<void> {
    const { text } = await this.call('/pause', { query: { mode: 'wait', wait_for_inflight_requests: 'true' } });
    parseJson(Paused, text, 'POST /pause', `${this.root}/pause`);
  }

  /** reload_weights on every worker, reading the HF checkpoint in `dir` (a path on the server's
   *  machine). `timeout` (seconds) bounds the workers' RPC inside vLLM, below our HTTP timeout. */
  async reloadWeights(dir: string): Promise<void> {
    const body = { method: 'reload_weights', args: [], kwargs: { weights_path: dir, is_checkpoint_format: true }, timeout: Math.max(1, Math.floor(this.timeoutMs / 1000) - 5) };
    const { text } = await this.call('/collective_rpc', { body });
    if (text.trim() !== '') parseJson(RpcResults, text, 'POST /collective_rpc reload_weights', `${this.root}/collective_rpc`);
  }

  async resetPrefixCache(): Promise<void> {
    await this.call('/reset_prefix_cache');
  }

  async resume(): Promise<void> {
    const { text } = await this.call('/resume');
    parseJson(Resumed, text, 'POST /resume', `${this.root}/resume`);
  }

  async isPaused(): Promise<boolean> {
    const { text } = await this.call('/is_paused', { method: 'GET' });
    return parseJson(IsPaused, text, 'GET /is_paused', `${this.root}/is_paused`).is_paused;
  }

  /** vLLM's version, or null when the server has no /version (ours). */
  async version(): Promise<string | null> {
    const { status, text } = await this.call('/version', { method: 'GET', accept: [404] });
    return status === 404 ? null : parseJson(Version, text, 'GET /version', `${this.root}/version`).version;
  }

  /** Preflight, without side effects: the routes of the sync exist (dev mode on) and the version,
   *  when the server tells it, is new enough. Returns what it found, for the log. */
  async check(): Promise<{ version: string | null; paused: boolean }> {
    const version = await this.version();
    const v = version === null ? null : majorMinor(version);
    if (v && (v[0] < MIN_VLLM[0] || (v[0] === MIN_VLLM[0] && v[1] < MIN_VLLM[1]))) {
      throw new SamplerClientError(this.root, `vLLM ${version} is too old for sampler.sync "vllm": reload_weights takes weights_path since vLLM ${MIN_VLLM.join('.')} (or use sync "reload" with a reload route)`);
    }
    // A POST without a method is refused with 400 by the route when it exists, and changes nothing.
    const rpc = await this.call('/collective_rpc', { body: {}, accept: [400, 404, 405, 422] });
    const paused = await this.call('/is_paused', { method: 'GET', accept: [404, 405] });
    const missing = ([['POST /collective_rpc', rpc.status], ['GET /is_paused', paused.status]] as const).filter(([, st]) => st === 404 || st === 405);
    if (missing.length > 0) throw new SamplerClientError(this.root, `${missing.map(([r, st]) => `${r} answers ${st}`).join(', ')}: no dev-mode routes for sampler.sync "vllm": ${DEV_MODE_FIX}`);
    return { version, paused: parseJson(IsPaused, paused.text, 'GET /is_paused', `${this.root}/is_paused`).is_paused };
  }
}
