// The server over a real tiny model (KV-cache generator behind a BatchedSampler, on lavapipe),
// reached with the openai package: OpenAISampler gives exactly what the sampler gives when called
// directly, concurrent HTTP requests decode in one generator batch, and /update_weights swaps the
// model in.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/io/rng.js';
import { getGpu } from '../../src/gpu/gpu.js';
import { HfTokenizer } from '../../src/io/tokenizer.js';
import { Generator, type GenerateRequest } from '../../src/model/generate.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { makeTinyModel } from '../../src/model/tiny.js';
import { OpenAISampler, wireSeed } from '../../src/rollout/client.js';
import { ModelHost } from '../../src/serve/model-host.js';
import { type SamplerServer, startSamplerServer } from '../../src/serve/server.js';

const V = 512;
const CAP = 40;
const tiny = { vocab: V, layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128 };

describe('sampler server over a tiny Qwen3', () => {
  let root: string;
  let host: ModelHost;
  let tok: HfTokenizer;
  let server: SamplerServer;
  let client: OpenAISampler;
  const rng = new Rng('serve-prompts');
  const prompts = [5, 9, 7, 12].map((n) => Array.from({ length: n }, () => rng.int(0, V - 1)));

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'serve-'));
    await makeTinyModel(join(root, 'a'), { ...tiny, seed: 11 });
    await makeTinyModel(join(root, 'b'), { ...tiny, seed: 12 });
    const gpu = await getGpu();
    host = await ModelHost.load(gpu, join(root, 'a'), { slots: 8, maxTokens: CAP, seed: 0 });
    tok = await HfTokenizer.load(join(root, 'a'));
    server = await startSamplerServer({ sampler: host, tokenizer: tok, modelName: 'tiny', port: 0, maxTokens: CAP, vocabSize: V, reload: (dir) => host.reload(dir), batchWindowMs: 200 });
    client = new OpenAISampler({ baseURL: server.url, model: 'tiny', maxRetries: 0, timeoutMs: 120_000 });
  });
  afterAll(async () => {
    await server?.close();
    host?.destroy();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('OpenAISampler equals the BatchedSampler on the same requests and seeds, one batch each', async () => {
    const greedy = await host.sample({ prompt: prompts[0]!, maxNewTokens: 8, sampling: { temperature: 0 } });
    const stop = greedy.tokens[3]!;
    const reqs: GenerateRequest[] = [
      { prompt: prompts[0]!, maxNewTokens: 8, stopTokens: [stop], sampling: { temperature: 0 }, seed: 1 },
      { prompt: prompts[1]!, maxNewTokens: 8, sampling: { temperature: 1.3, topK: 50, topP: 0.9 }, seed: 7 },
      { prompt: prompts[2]!, maxNewTokens: 6, sampling: { temperature: 0.7, topP: 0.5 }, seed: 8 },
      { prompt: prompts[3]!, maxNewTokens: 8, sampling: { temperature: 1 }, seed: 'rollout-3/turn0' },
    ];
    let b0 = host.batches;
    // Direct: string seeds go over the wire as their hash, so the direct call uses the hash.
    const direct = await Promise.all(reqs.map((r) => host.sample({ ...r, seed: wireSeed(r.seed!) })));
    expect(host.batches - b0).toBe(1);
    b0 = host.batches;
    const viaHttp = await Promise.all(reqs.map((r) => client.sample(r)));
    expect(host.batches - b0).toBe(1); // the four HTTP requests decoded together
    expect(viaHttp).toEqual(direct);
    expect(direct[0]!.finishReason).toBe('stop');
    expect(direct[0]!.tokens.at(-1)).toBe(stop);
    expect(direct[0]!.tokens).toEqual(greedy.tokens.slice(0, greedy.tokens.indexOf(stop) + 1));
    expect(direct[1]!.finishReason).toBe('length');
    expect(direct[1]!.tokens).toHaveLength(8);
    expect(direct[1]!.logprobs.some((x) => x < 0)).toBe(true);
    // log mu under truncation differs from the raw softmax logprob, and both came through.
    expect(direct[2]!.logprobs).not.toEqual(direct[2]!.modelLogprobs);
  });

  // The window is 200 ms here (20 by default) so a CPU shared with other test files cannot split the batch.
  it('requests sent a few ms apart still share one generator batch (the admission window)', async () => {
    const b0 = host.batches;
    const sent = prompts.map(async (prompt, i) => {
      await new Promise((r) => setTimeout(r, 5 * i));
      return client.sample({ prompt, maxNewTokens: 3, sampling: { temperature: 1 }, seed: i });
    });
    const out = await Promise.all(sent);
    expect(host.batches - b0).toBe(1);
    expect(out.map((r) => r.tokens.length)).toEqual([3, 3, 3, 3]);
  });

  it('the raw response: text, token ids, prompt ids, logprobs and usage agree', async () => {
    const openai = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
    const res: any = await openai.completions.create({
      model: 'tiny',
      prompt: prompts[1]!,
      max_tokens: 5,
      temperature: 0.9,
      seed: 3,
      logprobs: 1,
      return_token_ids: true,
    } as OpenAI.CompletionCreateParamsNonStreaming);
    const c = res.choices[0];
    const direct = await host.sample({ prompt: prompts[1]!, maxNewTokens: 5, sampling: { temperature: 0.9 }, seed: 3, stopTokens: [tok.eosTokenId!] });
    expect(c.token_ids).toEqual(direct.tokens);
    expect(c.prompt_token_ids).toEqual(prompts[1]);
    expect(c.text).toBe(tok.decode(direct.tokens, { skipSpecialTokens: true }));
    expect(c.logprobs.token_logprobs).toEqual(direct.logprobs);
    expect(c.model_logprobs).toEqual(direct.modelLogprobs);
    expect(res.usage).toEqual({ prompt_tokens: prompts[1]!.length, completion_tokens: direct.tokens.length, total_tokens: prompts[1]!.length + direct.tokens.length });
  });

  it('/update_weights loads another checkpoint: generations follow the new weights', async () => {
    const req: GenerateRequest = { prompt: prompts[2]!, maxNewTokens: 6, sampling: { temperature: 0 } };
    const before = await client.sample(req);
    await client.reloadWeights(join(root, 'b'));
    const after = await client.sample(req);
    const gpu = await getGpu();
    const modelB = await Qwen3Model.load(gpu, join(root, 'b'));
    const gen = new Generator(modelB, { slots: 1, maxTokens: CAP });
    try {
      const [want] = await gen.generate([req]);
      expect(after.tokens).toEqual(want!.tokens);
      expect(after.tokens).not.toEqual(before.tokens);
    } finally {
      gen.destroy();
      modelB.destroy();
    }
  });
});
