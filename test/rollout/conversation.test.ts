import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChatTemplate, type ChatMessage, type ToolSpec } from '../../src/io/chat-template.js';
import { HfTokenizer, QWEN3_SPECIAL_IDS as ID, bundledQwen3TokenizerDir, loadQwen3Tokenizer } from '../../src/io/tokenizer.js';
import { ConversationTokens, EMPTY_THINK } from '../../src/rollout/conversation.js';

let tok: HfTokenizer;
let template: ChatTemplate;
beforeAll(async () => {
  tok = await loadQwen3Tokenizer();
  const cfg = JSON.parse(await readFile(join(bundledQwen3TokenizerDir(), 'tokenizer_config.json'), 'utf8'));
  template = new ChatTemplate(cfg.chat_template);
});

const TOOLS: ToolSpec[] = [
  { type: 'function', function: { name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
];
const OPENING: ChatMessage[] = [
  { role: 'system', content: 'You are a weather bot.' },
  { role: 'user', content: 'Weather in Paris and Lyon?' },
];

/** What a sampler returns for `text`: its tokens (+ <|im_end|> when it stopped there) and made-up logprobs. */
function sample(text: string, stoppedAtImEnd: boolean): { ids: number[]; logprobs: number[] } {
  const ids = tok.encode(text);
  if (stoppedAtImEnd) ids.push(ID.imEnd);
  return { ids, logprobs: ids.map((_, i) => -0.01 * (i + 1)) };
}

const CALL_PARIS = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';
const CALL_LYON = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Lyon"}}\n</tool_call>';
const TURN1 = `<think>\nParis first.\n</think>\n\n${CALL_PARIS}`;
const TURN2 = `<think>\nNow Lyon.\n</think>\n\n${CALL_LYON}`;
const TURN3 = '<think>\nBoth known.\n</think>\n\nParis 21°C, Lyon 24°C.';

describe('ConversationTokens', () => {
  it('is exactly prompt + sampled tokens + tool-reply tokens, with masks and logprobs', () => {
    const conv = ConversationTokens.fromMessages(tok, template, OPENING, { imEndId: ID.imEnd, tools: TOOLS });
    const prompt = tok.encode(template.render(OPENING, { tools: TOOLS, addGenerationPrompt: true }));
    expect(conv.ids).toEqual(prompt);
    expect(prompt.slice(-3)).toEqual([ID.imStart, 77091, 198]); // <|im_start|>assistant\n

    const s1 = sample(TURN1, true); // stopped on <|im_end|>
    conv.appendSampled(s1.ids, s1.logprobs);
    conv.appendToolResults(['{"temp": 21}']);
    const s2 = sample(TURN2, false); // stopped on a stop string: no <|im_end|>
    conv.appendSampled(s2.ids, s2.logprobs);
    conv.appendToolResults(['sunny, 24°C', 'wind 5 km/h']);
    const s3 = sample(TURN3, true);
    conv.appendSampled(s3.ids, s3.logprobs);

    const env1 = tok.encode('\n<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response><|im_end|>\n<|im_start|>assistant\n');
    const env2 = tok.encode(
      '<|im_end|>\n<|im_start|>user\n<tool_response>\nsunny, 24°C\n</tool_response>\n<tool_response>\nwind 5 km/h\n</tool_response><|im_end|>\n<|im_start|>assistant\n',
    );
    // boundary tokens worked out from the template
    expect(env1.slice(0, 5)).toEqual([198, ID.imStart, 872, 198, ID.toolResponse]);
    expect(env1.slice(-6)).toEqual([ID.toolResponseEnd, ID.imEnd, 198, ID.imStart, 77091, 198]);
    expect(env2.slice(0, 6)).toEqual([ID.imEnd, 198, ID.imStart, 872, 198, ID.toolResponse]);

    expect(conv.ids).toEqual([...prompt, ...s1.ids, ...env1, ...s2.ids, ...env2, ...s3.ids]);
    expect(conv.segments.map((s) => [s.kind, s.end - s.start])).toEqual([
      ['prompt', prompt.length],
      ['sampled', s1.ids.length],
      ['env', env1.length],
      ['sampled', s2.ids.length],
      ['env', env2.length],
      ['sampled', s3.ids.length],
    ]);

    const packed = conv.pack();
    expect(packed.ids.length).toBe(conv.length);
    const sampledAt: number[] = [];
    for (const s of conv.segments) if (s.kind === 'sampled') for (let i = s.start; i < s.end; i++) sampledAt.push(i);
    expect([...packed.lossMask].flatMap((m, i) => (m ? [i] : []))).toEqual(sampledAt);
    const lps = [...s1.logprobs, ...s2.logprobs, ...s3.logprobs];
    sampledAt.forEach((pos, k) => expect(packed.logprobs[pos]).toBeCloseTo(lps[k]!, 6));
    expect(Number.isNaN(packed.logprobs[0])).toBe(true);
    expect(Number.isNaN(packed.logprobs[conv.segments[2]!.start])).toBe(true);
  });

  it('decodes to what the template renders for the same conversation (thinking on)', () => {
    const conv = ConversationTokens.fromMessages(tok, template, OPENING, { imEndId: ID.imEnd, tools: TOOLS });
    const messages: ChatMessage[] = [...OPENING];
    const s1 = sample(TURN1, true);
    conv.appendSampled(s1.ids, s1.logprobs);
    // the rollout parser's view: reasoning in content, the call as a structured tool call with raw arguments
    messages.push({
      role: 'assistant',
      content: '<think>\nParis first.\n</think>\n\n',
      tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }],
    });
    conv.appendToolResults(['{"temp": 21}']);
    messages.push({ role: 'tool', content: '{"temp": 21}' });
    expect(tok.decode(conv.ids)).toBe(template.render(messages, { tools: TOOLS, addGenerationPrompt: true }));

    const s2 = sample(TURN2, false);
    conv.appendSampled(s2.ids, s2.logprobs);
    messages.push({ role: 'assistant', content: TURN2 }); // raw text form works too
    conv.appendToolResults(['sunny', 'windy']);
    messages.push({ role: 'tool', content: 'sunny' }, { role: 'tool', content: 'windy' });
    expect(tok.decode(conv.ids)).toBe(template.render(messages, { tools: TOOLS, addGenerationPrompt: true }));

    const s3 = sample(TURN3, true);
    conv.appendSampled(s3.ids, s3.logprobs);
    messages.push({ role: 'assistant', content: TURN3 });
    // the template closes the last turn with '\n' after <|im_end|>; the sampler stops at <|im_end|>
    expect(tok.decode(conv.ids) + '\n').toBe(template.render(messages, { tools: TOOLS }));
  });

  it('answers without a think block stay faithful too', () => {
    const conv = ConversationTokens.fromMessages(tok, template, OPENING, { imEndId: ID.imEnd, tools: TOOLS });
    const s1 = sample(CALL_PARIS, true);
    conv.appendSampled(s1.ids, s1.logprobs);
    conv.appendUserMessage('Please also check Lyon.');
    const messages: ChatMessage[] = [...OPENING, { role: 'assistant', content: CALL_PARIS }, { role: 'user', content: 'Please also check Lyon.' }];
    expect(tok.decode(conv.ids)).toBe(template.render(messages, { tools: TOOLS, addGenerationPrompt: true }));
  });

  it('thinking disabled: every generation prompt carries the empty think block (the sampler saw it)', () => {
    const opening: ChatMessage[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const conv = ConversationTokens.fromMessages(tok, template, opening, { imEndId: ID.imEnd, tools: TOOLS, enableThinking: false });
    const prompt = template.render(opening, { tools: TOOLS, addGenerationPrompt: true, enableThinking: false });
    expect(prompt.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\n')).toBe(true);
    const s1 = sample(CALL_PARIS, true);
    conv.appendSampled(s1.ids, s1.logprobs);
    conv.appendToolResults(['{"temp": 21}']);
    const tail = '<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response><|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n';
    expect(tok.decode(conv.ids)).toBe(`${prompt}${CALL_PARIS}<|im_end|>\n${tail}`);
    expect(conv.ids.slice(-4)).toEqual([ID.think, 271, ID.thinkEnd, 271]);
    // A re-render would drop the first turn's empty think block: the builder deliberately does not.
    const rerender = template.render(
      [...opening, { role: 'assistant', content: CALL_PARIS }, { role: 'tool', content: '{"temp": 21}' }],
      { tools: TOOLS, addGenerationPrompt: true, enableThinking: false },
    );
    expect(rerender).toBe(`${prompt.slice(0, -EMPTY_THINK.length)}${CALL_PARIS}<|im_end|>\n${tail}`);
  });

  it('refuses out-of-order or inconsistent appends', () => {
    const conv = new ConversationTokens(tok, [ID.imStart, 872], { imEndId: ID.imEnd });
    expect(() => conv.appendToolResults(['x'])).toThrow(/must follow a sampled turn/);
    expect(() => conv.appendSampled([1, 2], [-0.1])).toThrow(/2 sampled tokens but 1 logprobs/);
    expect(() => conv.appendSampled([1], [0.5])).toThrow(/not a log-probability/);
    conv.appendSampled([1], [-0.5]);
    expect(() => conv.appendSampled([2], [-0.5])).toThrow(/two sampled turns/);
    expect(() => conv.appendToolResults([])).toThrow(/no tool results/);
    expect(() => new ConversationTokens(tok, [], { imEndId: ID.imEnd })).toThrow(/empty prompt/);
  });
});
