// vLLM's dev-mode weight-reload routes (VLLM_SERVER_DEV_MODE=1, vLLM >= 0.16), with vLLM's
// request and response shapes, so the trainer's sampler.sync "vllm" runs its exact request
// sequence against this server too (src/rollout/server-control.ts is the client):
//   POST /pause?mode=wait          -> {"status": "paused"}   generations in flight finish, new ones wait
//   POST /collective_rpc           {"method": "reload_weights", "kwargs": {"weights_path": DIR,
//                                  "is_checkpoint_format": true}} -> {"results": [null]} (one worker)
//   POST /reset_prefix_cache       -> empty 200 (this engine keeps no prefix cache: nothing to drop)
//   POST /resume                   -> {"status": "resumed"}
//   GET  /is_paused                -> {"is_paused": bool}
// Only what that sequence uses: pause modes "abort" and "keep" and other RPC methods are refused
// with a 400 naming them. Like vLLM's, these routes let any caller reload weights: serve on
// 127.0.0.1.
import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { HttpError, badRequest, parseBody } from './errors.js';
import type { ReloadGate } from './gate.js';

/** A handler's answer that is an empty 200 body (what vLLM sends for /reset_prefix_cache). */
export const EMPTY = Symbol('empty body');

type Handler = (req: IncomingMessage) => Promise<unknown>;

const CollectiveRpc = z.looseObject({
  method: z.string().min(1),
  args: z.array(z.unknown()).default([]),
  kwargs: z.record(z.string(), z.unknown()).default({}),
  timeout: z.number().positive().nullish(),
});
const ReloadKwargs = z.strictObject({
  weights_path: z.string().min(1),
  is_checkpoint_format: z.boolean().default(true),
});

function query(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://x').searchParams;
}

export function controlRoutes(gate: ReloadGate, reload: (dir: string) => Promise<void>, jsonBody: (req: IncomingMessage) => Promise<unknown>): Record<string, Record<string, Handler>> {
  return {
    '/pause': {
      POST: async (req) => {
        const q = query(req);
        const mode = q.get('mode') ?? (q.get('wait_for_inflight_requests') === 'true' ? 'wait' : 'abort');
        if (mode !== 'wait') throw badRequest(`pause mode ${JSON.stringify(mode)} is not supported by this server (it cannot abort or freeze generations in flight): use POST /pause?mode=wait`, 'invalid_value', 'mode');
        await gate.pause();
        return { status: 'paused' };
      },
    },
    '/resume': {
      POST: async () => {
        gate.resume();
        return { status: 'resumed' };
      },
    },
    '/is_paused': { GET: async () => ({ is_paused: gate.paused }) },
    '/reset_prefix_cache': { POST: async () => EMPTY },
    '/collective_rpc': {
      POST: async (req) => {
        const rpc = parseBody(CollectiveRpc, await jsonBody(req), 'collective_rpc request');
        if (rpc.method !== 'reload_weights') throw badRequest(`collective_rpc method ${JSON.stringify(rpc.method)} is not supported by this server (only reload_weights)`, 'invalid_value', 'method');
        if (rpc.args.length > 0) throw badRequest('reload_weights takes its arguments as kwargs {"weights_path", "is_checkpoint_format"}, not args', 'invalid_value', 'args');
        const kw = parseBody(ReloadKwargs, rpc.kwargs, 'reload_weights kwargs');
        if (!kw.is_checkpoint_format) throw badRequest('this server reloads Hugging Face checkpoints only (is_checkpoint_format: true)', 'invalid_value', 'kwargs.is_checkpoint_format');
        try {
          await gate.reload(() => reload(kw.weights_path));
        } catch (e) {
          throw new HttpError(500, `reload_weights from ${kw.weights_path} failed: ${e instanceof Error ? e.message : String(e)}`, 'reload_failed', 'kwargs.weights_path');
        }
        return { results: [null] }; // one worker; reload_weights returns None
      },
    },
  };
}
