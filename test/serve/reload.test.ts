// POST /update_weights: the reload runs only after the generations in flight have finished, and
// generations that arrive during a reload wait for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HfTokenizer, loadQwen3Tokenizer } from '../../src/io/tokenizer.js';
import { OpenAISampler } from '../../src/rollout/client.js';
import { type SamplerServer, startSamplerServer } from '../../src/serve/server.js';
import { ScriptedSampler, lengthReply, sleep, until } from './helpers.js';

describe('sampler server: weight reload', () => {
  let tok: HfTokenizer;
  let server: SamplerServer;
  let client: OpenAISampler;
  const sampler = new ScriptedSampler(lengthReply);
  let reloadHold: Promise<void> | null = null;
  const reload = async (dir: string) => {
    sampler.events.push(`reload-start ${dir}`);
    if (dir === '/broken') throw new Error('no config.json');
    if (reloadHold) await reloadHold;
    sampler.events.push('reload-end');
  };

  beforeAll(async () => {
    tok = await loadQwen3Tokenizer();
    server = await startSamplerServer({ sampler, tokenizer: tok, modelName: 'm', port: 0, maxTokens: 64, reload });
    client = new OpenAISampler({ baseURL: server.url, model: 'm', maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('waits for the generation in flight, then reloads with the path', async () => {
    sampler.hold = true;
    const gen = client.sample({ prompt: [1, 2], maxNewTokens: 3 });
    await until(() => sampler.held === 1, 'the generation to start');
    const rel = client.reloadWeights('/ckpt/step-1');
    await sleep(150);
    expect(sampler.events).toEqual(['sample-start']); // the reload has not run
    sampler.release();
    const [r] = await Promise.all([gen, rel]);
    expect(r.tokens).toEqual([1, 2, 3]);
    expect(sampler.events).toEqual(['sample-start', 'sample-end', 'reload-start /ckpt/step-1', 'reload-end']);
  });

  it('holds new generations until the reload is done', async () => {
    sampler.events.length = 0;
    let done!: () => void;
    reloadHold = new Promise<void>((r) => (done = r));
    const rel = client.reloadWeights('/ckpt/step-2');
    await until(() => sampler.events.includes('reload-start /ckpt/step-2'), 'the reload to start');
    const gen = client.sample({ prompt: [3], maxNewTokens: 2 });
    await sleep(150);
    expect(sampler.events).toEqual(['reload-start /ckpt/step-2']); // the generation waits
    done();
    reloadHold = null;
    await Promise.all([rel, gen]);
    expect(sampler.events).toEqual(['reload-start /ckpt/step-2', 'reload-end', 'sample-start', 'sample-end']);
  });

  it('a failed reload is a 500 naming the path; no reload configured is a 404', async () => {
    await expect(client.reloadWeights('/broken')).rejects.toThrow(/HTTP 500: reloading the weights from \/broken failed: no config.json/);
    expect((await client.sample({ prompt: [1], maxNewTokens: 1 })).tokens).toEqual([1]); // still serving
    const plain = await startSamplerServer({ sampler, tokenizer: tok, modelName: 'm', port: 0 });
    try {
      const c = new OpenAISampler({ baseURL: plain.url, model: 'm', maxRetries: 0 });
      await expect(c.reloadWeights('/x')).rejects.toThrow(/update_weights: HTTP 404: this server has no weight reload configured/);
    } finally {
      await plain.close();
    }
  });
});
