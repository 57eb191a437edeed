import { describe, expect, it } from 'vitest';
import {
  formatToolCall,
  parseToolCalls,
  pyJson,
  stripThinking,
  toolResponseContent,
} from '../../src/io/toolcall.js';

const call = (json: string) => `<tool_call>\n${json}\n</tool_call>`;

describe('parseToolCalls', () => {
  it('reads one well-formed call after thinking', () => {
    const text = `<think>\nI should fix the verb.\n</think>\n\n${call('{"name": "str_replace", "arguments": {"old": "a", "new": "b"}}')}`;
    const p = parseToolCalls(text);
    expect(p.errors).toEqual([]);
    expect(p.blocks).toHaveLength(1);
    expect(p.calls).toEqual([
      {
        name: 'str_replace',
        arguments: { old: 'a', new: 'b' },
        argumentsWasString: false,
        raw: '\n{"name": "str_replace", "arguments": {"old": "a", "new": "b"}}\n',
      },
    ]);
  });

  it('no call: empty result', () => {
    const p = parseToolCalls('<think>done</think>\nI am finished.');
    expect(p.blocks).toEqual([]);
    expect(p.calls).toEqual([]);
    expect(p.errors).toEqual([]);
    expect(p.content).toBe('\nI am finished.');
  });

  it('ignores calls inside the think block', () => {
    const inner = call('{"name": "submit", "arguments": {}}');
    expect(parseToolCalls(`<think>maybe ${inner}?</think>\nNo.`).blocks).toEqual([]);
    // The generation prompt may hold the opening <think>: only the closing tag is generated.
    expect(parseToolCalls(`maybe ${inner}?</think>\nNo.`).blocks).toEqual([]);
    // An unterminated think block (cut at the token limit) hides everything after it.
    expect(parseToolCalls(`<think>plan: ${inner}`).blocks).toEqual([]);
    // A call after the think block still counts.
    const p = parseToolCalls(`<think>${inner}</think>\n${call('{"name": "review", "arguments": {}}')}`);
    expect(p.calls.map((c) => c.name)).toEqual(['review']);
  });

  it('takes the text after the last </think>', () => {
    expect(stripThinking('<think>a</think>b<think>c</think>d')).toBe('d');
    expect(stripThinking('x<think>never closed')).toBe('x');
    expect(stripThinking('plain')).toBe('plain');
  });

  it('reports two calls as two blocks', () => {
    const p = parseToolCalls(`${call('{"name": "review", "arguments": {}}')}\n${call('{"name": "submit", "arguments": {}}')}`);
    expect(p.blocks).toHaveLength(2);
    expect(p.calls.map((c) => c.name)).toEqual(['review', 'submit']);
  });

  it('reports broken JSON without throwing', () => {
    const p = parseToolCalls(call('{"name": "str_replace", "arguments": {"old": "a", "new": }}'));
    expect(p.calls).toEqual([]);
    expect(p.errors).toHaveLength(1);
    expect(p.errors[0]!.kind).toBe('broken_json');
    expect(p.errors[0]!.message).toBe('the tool call is not valid JSON');
    expect(p.errors[0]!.detail).toBeTypeOf('string');
  });

  it('reports an unterminated call, and one interrupted by another <tool_call>', () => {
    const p = parseToolCalls('<tool_call>\n{"name": "review", "arguments": {}}');
    expect(p.errors.map((e) => e.kind)).toEqual(['unterminated']);
    expect(p.errors[0]!.message).toBe('<tool_call> is not closed by </tool_call>');
    const q = parseToolCalls(`<tool_call>\n{"name": "review"\n${call('{"name": "submit", "arguments": {}}')}`);
    expect(q.blocks.map((b) => b.ok)).toEqual([false, true]);
    expect(q.errors[0]!.kind).toBe('unterminated');
  });

  it('reports a stray </tool_call>', () => {
    const p = parseToolCalls('{"name": "review", "arguments": {}}\n</tool_call>');
    expect(p.errors.map((e) => e.kind)).toEqual(['stray_close']);
  });

  it('reports a missing or bad name and missing or bad arguments', () => {
    const kinds = (json: string) => parseToolCalls(call(json)).errors.map((e) => e.kind);
    expect(kinds('{"arguments": {}}')).toEqual(['missing_name']);
    expect(kinds('{"name": "", "arguments": {}}')).toEqual(['missing_name']);
    expect(kinds('{"name": 3, "arguments": {}}')).toEqual(['missing_name']);
    expect(kinds('{"name": "review"}')).toEqual(['missing_arguments']);
    expect(kinds('{"name": "review", "arguments": [1]}')).toEqual(['bad_arguments']);
    expect(kinds('{"name": "review", "arguments": null}')).toEqual(['bad_arguments']);
    expect(kinds('{"name": "review", "arguments": "not json"}')).toEqual(['bad_arguments']);
    expect(kinds('{"name": "review", "arguments": "[1, 2]"}')).toEqual(['bad_arguments']);
    expect(kinds('["review", {}]')).toEqual(['not_an_object']);
    expect(kinds('null')).toEqual(['not_an_object']);
    expect(parseToolCalls(call('{"name": "review"}')).errors[0]!.message).toBe(
      'the tool call has no "arguments" (use {} for none)',
    );
  });

  it('accepts arguments given as a JSON string that holds an object', () => {
    const p = parseToolCalls(call('{"name": "str_replace", "arguments": "{\\"old\\": \\"a\\", \\"new\\": \\"b\\"}"}'));
    expect(p.errors).toEqual([]);
    expect(p.calls[0]!.arguments).toEqual({ old: 'a', new: 'b' });
    expect(p.calls[0]!.argumentsWasString).toBe(true);
  });

  it('keeps Unicode and escapes intact', () => {
    const p = parseToolCalls(call('{"name": "str_replace", "arguments": {"old": "Café — ☕", "new": "\\u00e9 🚀\\nnext"}}'));
    expect(p.calls[0]!.arguments).toEqual({ old: 'Café — ☕', new: 'é 🚀\nnext' });
  });

  it('tolerates surrounding prose and whitespace', () => {
    const p = parseToolCalls(`Let me look.\n<tool_call>   {"name": "review", "arguments": {}}   </tool_call>\nThanks`);
    expect(p.calls.map((c) => c.name)).toEqual(['review']);
  });

  it('never throws on odd text', () => {
    for (const t of ['', '<tool_call>', '</tool_call>', '<tool_call></tool_call>', '<think>', '</think><tool_call>{', '\u0000\ud800']) {
      expect(() => parseToolCalls(t)).not.toThrow();
    }
    expect(parseToolCalls('<tool_call></tool_call>').errors[0]!.kind).toBe('broken_json');
  });
});

describe('formatting', () => {
  it('writes JSON as Python json.dumps(ensure_ascii=False)', () => {
    expect(pyJson({ a: 'é', b: [1, 2], c: { d: null, e: true } })).toBe('{"a": "é", "b": [1, 2], "c": {"d": null, "e": true}}');
    expect(pyJson('line\n"q"')).toBe('"line\\n\\"q\\""');
  });

  it('formats a call that the parser reads back', () => {
    const text = formatToolCall('str_replace', { old: 'a "b"', new: 'ç\n', count: 2 });
    expect(text).toBe('<tool_call>\n{"name": "str_replace", "arguments": {"old": "a \\"b\\"", "new": "ç\\n", "count": 2}}\n</tool_call>');
    expect(parseToolCalls(text).calls[0]!.arguments).toEqual({ old: 'a "b"', new: 'ç\n', count: 2 });
  });

  it('wraps tool results as Qwen3 tool-response turn content', () => {
    expect(toolResponseContent(['ok'])).toBe('\n<tool_response>\nok\n</tool_response>');
    expect(toolResponseContent(['a', 'b'])).toBe('\n<tool_response>\na\n</tool_response>\n<tool_response>\nb\n</tool_response>');
  });
});
