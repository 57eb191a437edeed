// vLLM's dev-mode reload routes on our server (src/serve/control-routes.ts), driven by the client
// the trainer uses for sampler.sync "vllm" (src/rollout/server-control.ts): pause lets the
// generation in flight finish and holds new ones until resume; collective_rpc reload_weights
// reloads from weights_path; every misuse is a 400 naming it; a server without them (vLLM without
// dev mode) is named by the preflight check with its fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HfTokenizer, loadQwen3Tokenizer } from '../../src/io/tokenizer.js';
import { OpenAISampler } from '../../src/rollout/client.js';
import { ServerControl, majorMinor } from '../../src/rollout/server-control.js';
import { type SamplerServer, startSamplerServer } from '../../src/serve/server.js';
import { ScriptedSampler, lengthReply, post, sleep, until } from './helpers.js';

describe('sampler server: vLLM dev-mode reload routes', () => {
  let tok: HfTokenizer;
  let server: SamplerServer;
  let root: string;
  let client: OpenAISampler;
  let control: ServerControl;
  const sampler = new ScriptedSampler(lengthReply);
  const routes: string[] = [];
  const reload = async (dir: string) => {
    sampler.events.push(`reload ${dir}`);
    if (dir === '/broken') throw new Error('no config.json');
  };

  beforeAll(async () => {
    tok = await loadQwen3Tokenizer();
    server = await startSamplerServer({ sampler, tokenizer: tok, modelName: 'm', port: 0, maxTokens: 64, reload, onRequest: (m, p) => routes.push(`${m} ${p}`) });
    root = server.url.replace(/\/v1$/, '');
    client = new OpenAISampler({ baseURL: server.url, model: 'm', maxRetries: 0 });
    control = new ServerControl(server.url, undefined, 10_000);
  });
  afterAll(() => server.close());

  it('pause waits for the generation in flight and holds new ones until resume', async () => {
    sampler.hold = true;
    const first = client.sample({ prompt: [1], maxNewTokens: 2 });
    await until(() => sampler.held === 1, 'the generation to start');
    let paused = false;
    const pausing = control.pause().then(() => (paused = true));
    await sleep(100);
    expect(paused).toBe(false); // the generation in flight is not done
    sampler.release();
    await Promise.all([first, pausing]);
    expect(await control.isPaused()).toBe(true);
    const second = client.sample({ prompt: [2], maxNewTokens: 1 });
    await sleep(100);
    expect(sampler.requests).toHaveLength(1); // held while paused
    await control.reloadWeights('/w/step-1');
    await control.resetPrefixCache();
    await control.resume();
    expect((await second).tokens).toEqual([1]);
    expect(await control.isPaused()).toBe(false);
    expect(sampler.events).toEqual(['sample-start', 'sample-end', 'reload /w/step-1', 'sample-start', 'sample-end']);
    expect(routes.filter((r) => !r.includes('/v1/'))).toEqual(['POST /pause', 'GET /is_paused', 'POST /collective_rpc', 'POST /reset_prefix_cache', 'POST /resume', 'GET /is_paused']);
  });

  it("answers vLLM's shapes", async () => {
    expect(await post(root, '/pause?mode=wait', {})).toEqual({ status: 200, json: { status: 'paused' } });
    const rpc = await post(root, '/collective_rpc', { method: 'reload_weights', kwargs: { weights_path: '/w/step-2', is_checkpoint_format: true } });
    expect(rpc).toEqual({ status: 200, json: { results: [null] } });
    const reset = await fetch(`${root}/reset_prefix_cache`, { method: 'POST' });
    expect([reset.status, await reset.text()]).toEqual([200, '']);
    expect(await post(root, '/resume', {})).toEqual({ status: 200, json: { status: 'resumed' } });
    // vLLM 0.14's parameter: wait_for_inflight_requests=true means mode wait
    expect((await post(root, '/pause?wait_for_inflight_requests=true', {})).status).toBe(200);
    await control.resume();
  });

  it('refuses what it does not do, naming it', async () => {
    const bad = async (path: string, body: unknown, re: RegExp) => {
      const r = await post(root, path, body);
      expect(r.status, path).toBe(400);
      expect(r.json.error.message).toMatch(re);
    };
    await bad('/pause?mode=abort', {}, /pause mode "abort" is not supported .*use POST \/pause\?mode=wait/);
    await bad('/pause', {}, /pause mode "abort"/); // vLLM's default
    await bad('/collective_rpc', {}, /invalid collective_rpc request[\s\S]*method/);
    await bad('/collective_rpc', { method: 'sleep' }, /method "sleep" is not supported by this server \(only reload_weights\)/);
    await bad('/collective_rpc', { method: 'reload_weights', kwargs: {} }, /reload_weights kwargs[\s\S]*weights_path/);
    await bad('/collective_rpc', { method: 'reload_weights', kwargs: { weights_path: '/w', is_checkpoint_format: false } }, /Hugging Face checkpoints only/);
    await bad('/collective_rpc', { method: 'reload_weights', args: ['/w'] }, /as kwargs/);
    await expect(control.reloadWeights('/broken')).rejects.toThrow(/collective_rpc: HTTP 500: reload_weights from \/broken failed: no config.json/);
    expect(await control.isPaused()).toBe(false);
    expect((await client.sample({ prompt: [1], maxNewTokens: 1 })).tokens).toEqual([1]); // still serving
  });

  it('preflight: present routes pass; a server without them is named with the fix', async () => {
    expect(await control.check()).toEqual({ version: null, paused: false });
    const plain = await startSamplerServer({ sampler, tokenizer: tok, modelName: 'm', port: 0 });
    try {
      await expect(new ServerControl(plain.url, undefined, 10_000).check()).rejects.toThrow(
        /POST \/collective_rpc answers 404, GET \/is_paused answers 404: no dev-mode routes for sampler.sync "vllm": start vLLM >= 0.16 with the environment variable VLLM_SERVER_DEV_MODE=1 .*--host 127\.0\.0\.1/,
      );
    } finally {
      await plain.close();
    }
    await expect(new ServerControl('http://127.0.0.1:9/v1', undefined, 10_000).check()).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:9\/version: cannot connect/);
    expect([majorMinor('0.16.0'), majorMinor('0.15.1rc2+cu128'), majorMinor('dev')]).toEqual([[0, 16], [0, 15], null]);
  });
});
