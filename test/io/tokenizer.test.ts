import { beforeAll, describe, expect, it } from 'vitest';
import { HfTokenizer, QWEN3_SPECIAL_IDS, QWEN3_SPECIAL_TOKENS, loadQwen3Tokenizer } from '../../src/io/tokenizer.js';

let tok: HfTokenizer;
beforeAll(async () => {
  tok = await loadQwen3Tokenizer();
});

describe('Qwen3 tokenizer (bundled files)', () => {
  it('has the special ids from qwen3-facts.md', () => {
    for (const [key, id] of Object.entries(QWEN3_SPECIAL_IDS)) {
      const token = QWEN3_SPECIAL_TOKENS[key as keyof typeof QWEN3_SPECIAL_IDS];
      expect(tok.tokenToId(token)).toBe(id);
      expect(tok.idToToken(id)).toBe(token);
      expect(tok.encode(token)).toEqual([id]); // one token, never split
    }
    expect(tok.eosToken).toBe('<|im_end|>');
    expect(tok.eosTokenId).toBe(151645);
    expect(tok.padTokenId).toBe(151643);
    expect(tok.bosToken).toBeNull();
    expect(tok.vocabSize).toBe(151669);
    expect(tok.specialTokens.get('<|im_start|>')).toBe(151644);
    expect(tok.specialTokens.has('<think>')).toBe(false); // an added token, but not "special"
    expect(tok.chatTemplate).toContain("'<|im_start|>assistant\\n'");
  });

  it('encodes known strings to the known ids', () => {
    expect(tok.encode('Hello world')).toEqual([9707, 1879]);
    expect(tok.encode('Hello, world!')).toEqual([9707, 11, 1879, 0]);
    expect(tok.encode('\n')).toEqual([198]);
    expect(tok.encode('\n\n')).toEqual([271]);
    expect(tok.encode('<|im_start|>user\nHi<|im_end|>\n')).toEqual([151644, 872, 198, 13048, 151645, 198]);
    expect(tok.encode('<|im_start|>assistant\n')).toEqual([151644, 77091, 198]);
    expect(tok.encode('')).toEqual([]);
  });

  it('round-trips text exactly', () => {
    const samples = [
      'Hello, world!',
      '  leading and   inner   spaces\t\ttabs\n\n\nnewlines  ',
      '你好，世界！ こんにちは 안녕하세요',
      'emoji 🎉👩‍💻 and accents: café naïve',
      'def f(x):\n    return {"a": [1, 2.5e-3]}\n',
      '<think>\nreasoning\n</think>\n\n<tool_call>\n{"name": "f", "arguments": {}}\n</tool_call><|im_end|>',
      'numbers 1234567890 and 3.14159',
    ];
    for (const s of samples) expect(tok.decode(tok.encode(s))).toBe(s);
  });

  it('decodes with and without special tokens', () => {
    const ids = tok.encode('<|im_start|>user\nHi<|im_end|>\n');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('user\nHi\n');
    expect(tok.tokenize('Hello world')).toEqual(['Hello', 'Ġworld']);
    expect(tok.decode([])).toBe(''); // a sampled turn that was only its stop token
  });

  it('requireId throws on unknown tokens', () => {
    expect(tok.requireId('<|im_end|>')).toBe(151645);
    expect(() => tok.requireId('<|nope|>')).toThrow(/no token "<\|nope\|>"/);
  });

  it('rejects malformed files, naming them', () => {
    expect(() => new HfTokenizer({ model: {}, added_tokens: [] }, { chat_template: 5 }, { source: 'x' })).toThrow(
      /x\/tokenizer_config.json/,
    );
    expect(() => new HfTokenizer({ added_tokens: [] }, {}, { source: 'y' })).toThrow(/y\/tokenizer.json/);
  });
});
