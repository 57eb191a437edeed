// The server's request and response mapping, with a scripted sampler in place of the model (so the
// replies are chosen tokens): chat rendering with the model's own template, tool_calls, text,
// prompt ids, and what reaches the sampler (prompt, seed, sampling parameters, stop tokens).
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_SCHEMAS, initialMessages } from '../../src/env/resume/prompts.js';
import { ChatTemplate } from '../../src/io/chat-template.js';
import { type HfTokenizer, QWEN3_SPECIAL_IDS, loadQwen3Tokenizer } from '../../src/io/tokenizer.js';
import type { GenerateResult } from '../../src/model/generate.js';
import { formatToolCall } from '../../src/io/toolcall.js';
import { type SamplerServer, startSamplerServer } from '../../src/serve/server.js';
import { ScriptedSampler, lengthReply } from './helpers.js';

const IM_END = QWEN3_SPECIAL_IDS.imEnd;

describe('sampler server: chat and completions mapping (scripted sampler)', () => {
  let tok: HfTokenizer;
  let template: ChatTemplate;
  let server: SamplerServer;
  let client: OpenAI;
  let next: (() => GenerateResult) | null = null;
  const sampler = new ScriptedSampler((req) => (next ? next() : lengthReply(req)));

  /** A 'stop' reply: the text's tokens then <|im_end|>. */
  const reply = (text: string): GenerateResult => {
    const tokens = [...tok.encode(text), IM_END];
    return { tokens, logprobs: tokens.map((_, i) => -0.1 * (i + 1)), modelLogprobs: tokens.map(() => -1), finishReason: 'stop' };
  };

  beforeAll(async () => {
    tok = await loadQwen3Tokenizer();
    template = new ChatTemplate(tok.chatTemplate!, { eos_token: tok.eosToken, bos_token: tok.bosToken });
    server = await startSamplerServer({ sampler, tokenizer: tok, modelName: 'scripted', port: 0, maxTokens: 4096 });
    client = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
  });
  afterAll(() => server.close());

  it('chat: renders with the model template (tools, enable_thinking), parses tool_calls, returns token ids', async () => {
    const messages = initialMessages('Senior engineer, Go and Kubernetes.', '# Ann\n- did things\n');
    const said = 'I will fix the verb.\n';
    const call = formatToolCall('str_replace', { old: 'did things', new: 'Led migration to Kubernetes', count: 1 });
    next = () => reply(said + call);
    const res: any = await client.chat.completions.create({
      model: 'scripted',
      messages: messages as OpenAI.ChatCompletionMessageParam[],
      tools: TOOL_SCHEMAS as unknown as OpenAI.ChatCompletionTool[],
      max_tokens: 64,
      logprobs: true,
      return_token_ids: true,
      chat_template_kwargs: { enable_thinking: false },
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const rendered = template.render(messages, { tools: TOOL_SCHEMAS.map((t) => ({ ...t })), addGenerationPrompt: true, enableThinking: false });
    expect(rendered.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
    const want = tok.encode(rendered);
    expect(res.prompt_token_ids).toEqual(want);
    const req = sampler.requests.at(-1)!;
    expect(req.prompt).toEqual(want);
    expect(req.stopTokens).toContain(IM_END);
    expect(req.maxNewTokens).toBe(64);
    const choice = res.choices[0];
    expect(choice.token_ids).toEqual(reply(said + call).tokens);
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBe(said);
    expect(choice.message.tool_calls).toHaveLength(1);
    expect(choice.message.tool_calls[0].type).toBe('function');
    expect(choice.message.tool_calls[0].function.name).toBe('str_replace');
    expect(JSON.parse(choice.message.tool_calls[0].function.arguments)).toEqual({ old: 'did things', new: 'Led migration to Kubernetes', count: 1 });
    expect(choice.logprobs.content.map((e: any) => e.logprob)).toEqual(reply(said + call).logprobs);
    expect(res.usage).toEqual({ prompt_tokens: want.length, completion_tokens: choice.token_ids.length, total_tokens: want.length + choice.token_ids.length });
  });

  it('chat: a plain reply is the decoded tokens; assistant tool_calls in history render like the template\'s own', async () => {
    const text = 'Résumé looks fine ✓ — submitting.';
    next = () => reply(text);
    const history = [
      { role: 'user' as const, content: 'hi' },
      // The OpenAI wire form: arguments as JSON text.
      { role: 'assistant' as const, content: '', tool_calls: [{ id: 'call_1', type: 'function' as const, function: { name: 'review', arguments: '{"x": 1}' } }] },
      { role: 'tool' as const, tool_call_id: 'call_1', content: 'ok' },
    ];
    const res: any = await client.chat.completions.create({ model: 'scripted', messages: history, return_token_ids: true } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    const choice = res.choices[0];
    expect(choice.message.content).toBe(text);
    expect(choice.message.content).toBe(tok.decode(choice.token_ids.slice(0, -1)));
    expect(choice.message.tool_calls).toBeUndefined();
    expect(choice.finish_reason).toBe('stop');
    const rendered = template.render(
      [history[0]!, { role: 'assistant', content: '', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'review', arguments: { x: 1 } } }] }, { role: 'tool', content: 'ok', tool_call_id: 'call_1' }],
      { addGenerationPrompt: true },
    );
    expect(rendered).toContain('<tool_call>\n{"name": "review", "arguments": {"x": 1}}\n</tool_call>');
    expect(rendered.endsWith('<|im_start|>assistant\n')).toBe(true); // thinking left to the model
    expect(res.prompt_token_ids).toEqual(tok.encode(rendered));
    // Capacity left for the reply when max_tokens is absent: the rest of the slot.
    expect(sampler.requests.at(-1)!.maxNewTokens).toBe(4096 + 1 - res.prompt_token_ids.length);
  });

  it('completions: a text prompt is tokenized without special tokens; seed, sampling and stops reach the sampler', async () => {
    next = null;
    const prompt = '<|im_start|>user\nhello world';
    const res: any = await client.completions.create({ model: 'scripted', prompt, max_tokens: 3, temperature: 0.5, top_p: 0.9, top_k: -1, seed: 42, logprobs: 1, return_token_ids: true, stop_token_ids: [7] } as OpenAI.CompletionCreateParamsNonStreaming);
    const req = sampler.requests.at(-1)!;
    expect(req.prompt).toEqual(tok.encode(prompt));
    expect(req.prompt[0]).toBe(QWEN3_SPECIAL_IDS.imStart);
    expect(req.seed).toBe(42);
    expect(req.sampling).toEqual({ temperature: 0.5, topP: 0.9, topK: 0 });
    expect(new Set(req.stopTokens)).toEqual(new Set([7, tok.eosTokenId]));
    const choice = res.choices[0];
    expect(choice.prompt_token_ids).toEqual(tok.encode(prompt));
    expect(choice.token_ids).toEqual([1, 2, 3]);
    expect(choice.text).toBe(tok.decode([1, 2, 3]));
    expect(choice.finish_reason).toBe('length');
    expect(choice.logprobs.token_logprobs).toEqual([-0.5, -0.5, -0.5]);
    expect(choice.logprobs.tokens).toEqual([1, 2, 3].map((t) => tok.decode([t])));
    expect(choice.model_logprobs).toEqual([-0.75, -0.75, -0.75]);
    // Without a seed each request gets its own from the server's counter; ignore_eos drops the EOS stop.
    await client.completions.create({ model: 'scripted', prompt: [5, 6], max_tokens: 2, ignore_eos: true } as OpenAI.CompletionCreateParamsNonStreaming);
    await client.completions.create({ model: 'scripted', prompt: [5, 6], max_tokens: 2 });
    const [a, b] = sampler.requests.slice(-2);
    expect(typeof a!.seed).toBe('string');
    expect(a!.seed).not.toBe(b!.seed);
    expect(a!.stopTokens).toEqual([]);
    expect(a!.sampling).toEqual({ temperature: 1, topP: 1, topK: 0 });
  });

  it('completions: a stop token hit is in token_ids, and in the text only with include_stop_str_in_output', async () => {
    next = () => reply('done');
    const ask = (include: boolean, asIds: boolean) =>
      client.completions.create({ model: 'scripted', prompt: [1], max_tokens: 8, skip_special_tokens: false, include_stop_str_in_output: include, return_token_ids: true, logprobs: 0, return_tokens_as_token_ids: asIds } as OpenAI.CompletionCreateParamsNonStreaming) as Promise<any>;
    const [without, withStop] = await Promise.all([ask(false, false), ask(true, true)]);
    expect(without.choices[0].text).toBe('done');
    expect(withStop.choices[0].text).toBe('done<|im_end|>');
    expect(without.choices[0].token_ids.at(-1)).toBe(IM_END);
    expect(without.choices[0].stop_reason).toBe(IM_END);
    expect(withStop.choices[0].logprobs.tokens.at(-1)).toBe(`token_id:${IM_END}`);
    const ids: number[] = without.choices[0].token_ids;
    expect(without.choices[0].logprobs.text_offset).toEqual(ids.map((_, i) => (i === 0 ? 0 : tok.decode(ids.slice(0, i)).length)));
  });

  it('a reply that is only the stop token: empty text, not an error', async () => {
    next = () => ({ tokens: [IM_END], logprobs: [-0.2], modelLogprobs: [-0.3], finishReason: 'stop' });
    const res: any = await client.chat.completions.create({ model: 'scripted', messages: [{ role: 'user', content: 'hi' }], return_token_ids: true } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(res.choices[0].message.content).toBe('');
    expect(res.choices[0].token_ids).toEqual([IM_END]);
  });

  it('GET /v1/models and /health', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['scripted']);
    const health = await fetch(server.url.replace(/\/v1$/, '/health'));
    expect(health.status).toBe(200);
  });
});
