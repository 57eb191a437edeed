// Python's json.dumps, byte for byte, for the values a chat template serialises. HF renders chat
// templates with `tojson` = json.dumps(x, ensure_ascii=False, indent=None, separators=None,
// sort_keys=False) (transformers' chat template utils), so tool schemas reach the model as
// '{"a": 1, "b": [1, 2]}', not JSON.stringify's '{"a":1,"b":[1,2]}'.
//
// JS has one number type: integral numbers print as Python ints, others as Python floats
// (repr: shortest round-trip digits, exponent form below 1e-4 and from 1e16). Wrap a value in
// PyFloat to force float formatting ("1.0").

export class PyFloat {
  constructor(readonly value: number) {}
}

export interface PyJsonOptions {
  /** Python's indent: null = one line; a number of spaces or a string; 0 still breaks lines. */
  readonly indent?: number | string | null;
  /** [item, key] separators; default [', ', ': '], or [',', ': '] when indenting. */
  readonly separators?: readonly [string, string] | null;
  readonly sortKeys?: boolean;
  readonly ensureAscii?: boolean;
}

/** How json.dumps writes a float: float.__repr__ for finite values, NaN / Infinity / -Infinity otherwise. */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  // toExponential() with no argument gives the shortest round-trip digits, as repr does.
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(x.toExponential())!;
  const sign = m[1]!;
  const digits = m[2]! + (m[3] ?? '');
  const exp = Number(m[4]);
  if (exp < -4 || exp >= 16) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  const point = exp + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

function pyInt(x: number): string {
  return Math.abs(x) < 1e21 ? String(x) : BigInt(x).toString();
}

const hex4 = (c: number): string => '\\u' + c.toString(16).padStart(4, '0');
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

/** json.encoder's py_encode_basestring(_ascii). */
export function pyJsonString(s: string, ensureAscii = false): string {
  const re = ensureAscii ? /[\\"]|[^ -~]/g : /[\x00-\x1f\\"]/g;
  return (
    '"' +
    s.replace(re, (ch) => {
      const short = SHORT_ESCAPES[ch];
      if (short) return short;
      // UTF-16 code units are exactly the \u escapes Python writes (surrogate pairs for astral chars).
      return hex4(ch.charCodeAt(0));
    }) +
    '"'
  );
}

/** Python's default str ordering (code points), which differs from UTF-16 order above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const d = x.value.codePointAt(0)! - y.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const indent = options.indent === undefined || options.indent === null ? null : typeof options.indent === 'number' ? ' '.repeat(options.indent) : options.indent;
  const [itemSep, keySep] = options.separators ?? (indent === null ? [', ', ': '] : [',', ': ']);
  const ensureAscii = options.ensureAscii ?? false;
  const seen = new Set<object>();

  const enc = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null';
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    switch (typeof v) {
      case 'boolean':
        return v ? 'true' : 'false';
      case 'number':
        return Number.isInteger(v) ? pyInt(v) : pyFloatRepr(v);
      case 'bigint':
        return v.toString();
      case 'string':
        return pyJsonString(v, ensureAscii);
      case 'object':
        break;
      default:
        throw new TypeError(`Object of type ${typeof v} is not JSON serializable`);
    }
    const obj = v as object;
    if (seen.has(obj)) throw new TypeError('Circular reference detected');
    seen.add(obj);
    try {
      let items: string[];
      let open: string;
      let close: string;
      if (Array.isArray(obj)) {
        items = obj.map((x) => enc(x, level + 1));
        [open, close] = ['[', ']'];
      } else {
        let entries: [string, unknown][] = obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
        // An undefined property is JS for "absent" (JSON.stringify drops it too).
        entries = entries.filter(([, x]) => x !== undefined);
        if (options.sortKeys) entries.sort(([a], [b]) => compareCodePoints(a, b));
        items = entries.map(([k, x]) => pyJsonString(String(k), ensureAscii) + keySep + enc(x, level + 1));
        [open, close] = ['{', '}'];
      }
      if (items.length === 0) return open + close;
      if (indent === null) return open + items.join(itemSep) + close;
      const inner = '\n' + indent.repeat(level + 1);
      return open + inner + items.join(itemSep + inner) + '\n' + indent.repeat(level) + close;
    } finally {
      seen.delete(obj);
    }
  };
  return enc(value, 0);
}

/** A JSON file as transformers writes config.json and friends: json.dumps(indent=2,
 *  sort_keys=True) plus a newline. */
export function hfJsonText(x: unknown): string {
  return pyJsonDumps(x, { indent: 2, sortKeys: true }) + '\n';
}
