import { describe, expect, it } from 'vitest';
import { PyFloat, pyFloatRepr, pyJsonDumps, pyJsonString } from '../../src/io/py-json.js';

// Expected values are what CPython 3 prints (repr / json.dumps).
describe('Python json.dumps compatibility', () => {
  it('float repr', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [2.5, '2.5'],
      [1e-4, '0.0001'],
      [1e-5, '1e-05'],
      [1.5e-7, '1.5e-07'],
      [123456789012345.6, '123456789012345.6'],
      [1e16, '1e+16'],
      [1.5e300, '1.5e+300'],
      [5e-324, '5e-324'],
      [-0.000123, '-0.000123'],
      [1.7976931348623157e308, '1.7976931348623157e+308'],
    ];
    for (const [x, want] of cases) expect(pyFloatRepr(x)).toBe(want);
    expect(pyFloatRepr(NaN)).toBe('NaN');
    expect(pyFloatRepr(-Infinity)).toBe('-Infinity');
    expect(pyJsonDumps([new PyFloat(3), new PyFloat(-0), 3, 2 ** 70, 1e22 + 0.5])).toBe('[3.0, -0.0, 3, 1180591620717411303424, 10000000000000000000000]');
  });

  it('strings: only control characters, quote and backslash are escaped unless ensure_ascii', () => {
    expect(pyJsonString('a"b\\c\n\r\t\b\f\u0000\u001f\u007f é 日本 🎉')).toBe('"a\\"b\\\\c\\n\\r\\t\\b\\f\\u0000\\u001f\u007f é 日本 🎉"');
    expect(pyJsonString('é 🎉\u007f', true)).toBe('"\\u00e9 \\ud83c\\udf89\\u007f"');
  });

  it('containers, Maps, undefined members, sort_keys by code point, indent 0', () => {
    const m = new Map<string, unknown>([
      ['b', 1],
      ['a', [true, null, undefined]],
      ['gone', undefined],
    ]);
    expect(pyJsonDumps(m)).toBe('{"b": 1, "a": [true, null, null]}');
    expect(pyJsonDumps({ '\u{1F600}': 1, '\uFF01': 2 }, { sortKeys: true })).toBe('{"！": 2, "😀": 1}');
    expect(pyJsonDumps({ a: [1] }, { indent: 0 })).toBe('{\n"a": [\n1\n]\n}');
    const cyc: Record<string, unknown> = {};
    cyc['self'] = cyc;
    expect(() => pyJsonDumps(cyc)).toThrow(/Circular/);
  });
});
