// A small stand-in for vitest's describe/it/expect, so the project's own kernel and model test files
// run unchanged under plain node on a GPU machine (which has no npm). tools/device/pack.sh aliases
// the `vitest` import to this file when it bundles tools/device/check.ts. Only the matchers our GPU
// tests use are provided; an unknown one fails loudly.
import assert from 'node:assert/strict';

interface Test {
  name: string;
  fn: () => unknown;
  /** afterEach hooks in scope where the test was declared. */
  after: (() => unknown)[];
  /** A beforeAll hook: runs in declaration order, before the tests declared after it; reported only when it fails. */
  hook?: boolean;
}
const tests: Test[] = [];
const afterAlls: (() => unknown)[] = [];
let afterEachs: (() => unknown)[] = [];
let prefix = '';

export function describe(name: string, fn: () => void): void {
  const p = prefix;
  const hooks = afterEachs;
  prefix = `${p}${name} > `;
  afterEachs = [...hooks];
  fn();
  prefix = p;
  afterEachs = hooks;
}
describe.each = <T>(rows: T[]) => (name: string, fn: (row: T) => void) => {
  for (const row of rows) describe(name.replace(/%s|%j|%o|%i|%d/, () => JSON.stringify(row)), () => fn(row));
};
export function it(name: string, fn: () => unknown): void {
  tests.push({ name: prefix + name, fn, after: [...afterEachs] });
}
export const test = it;
export function afterAll(fn: () => unknown): void {
  afterAlls.push(fn);
}
export function beforeAll(fn: () => unknown): void {
  tests.push({ name: `${prefix}(beforeAll)`, fn, after: [], hook: true });
}
/** Runs after each test declared later in the same describe (or file) scope. */
export function afterEach(fn: () => unknown): void {
  afterEachs.push(fn);
}

type Expected = RegExp | string | (new (...a: never[]) => unknown);

/** vitest's toThrow argument: a message substring, a pattern, or an error class. */
function matchesError(err: unknown, want?: Expected): boolean {
  if (want === undefined) return true;
  if (typeof want === 'function') return err instanceof want;
  const msg = err instanceof Error ? err.message : String(err);
  return typeof want === 'string' ? msg.includes(want) : want.test(msg);
}

const deepEq = (a: unknown, b: unknown) => {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
};

/** vitest's asymmetric matchers (expect.arrayContaining(...)): anything with asymmetricMatch. */
interface Asymmetric {
  asymmetricMatch(actual: unknown): boolean;
}
const isAsymmetric = (e: unknown): e is Asymmetric => typeof (e as Asymmetric | null)?.asymmetricMatch === 'function';
const isPlain = (o: unknown): o is Record<string, unknown> => o !== null && typeof o === 'object' && Object.getPrototypeOf(o) === Object.prototype;

/** toEqual (partial false: same keys, undefined ones ignored) and toMatchObject (partial: the
 *  expected keys only), recursively, with asymmetric matchers anywhere in `e`. */
function matches(a: unknown, e: unknown, partial: boolean): boolean {
  if (isAsymmetric(e)) return e.asymmetricMatch(a);
  if (Array.isArray(e)) return Array.isArray(a) && a.length === e.length && e.every((v, i) => matches(a[i], v, partial));
  if (isPlain(e)) {
    if (!isPlain(a)) return false;
    const keys = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
    if (!partial && keys(a).length !== keys(e).length) return false;
    return keys(e).every((k) => matches(a[k], e[k], partial));
  }
  return Object.is(a, e) || deepEq(a, e);
}

function matchers(x: any, negate: boolean) {
  const check = (ok: boolean, msg: string) => assert.ok(negate ? !ok : ok, (negate ? 'not: ' : '') + msg);
  return {
    toBe: (y: unknown) => check(Object.is(x, y), `${x} !== ${y}`),
    toEqual: (y: unknown) => check(matches(x, y, false), `${JSON.stringify(x)?.slice(0, 200)} != ${JSON.stringify(y)?.slice(0, 200)}`),
    toBeLessThan: (y: number) => check(x < y, `${x} >= ${y}`),
    toBeLessThanOrEqual: (y: number) => check(x <= y, `${x} > ${y}`),
    toBeGreaterThan: (y: number) => check(x > y, `${x} <= ${y}`),
    toBeGreaterThanOrEqual: (y: number) => check(x >= y, `${x} < ${y}`),
    toHaveLength: (n: number) => check(x?.length === n, `length ${x?.length} !== ${n}`),
    toMatchObject: (y: Record<string, unknown>) => check(matches(x, y, true), `${JSON.stringify(x)?.slice(0, 200)} does not match ${JSON.stringify(y)?.slice(0, 200)}`),
    toBeCloseTo: (y: number, d = 2) => check(Math.abs(x - y) < 10 ** -d / 2, `${x} !~ ${y}`),
    toMatch: (re: RegExp | string) => check(typeof re === 'string' ? String(x).includes(re) : re.test(String(x)), `${x} !~ ${re}`),
    toContain: (y: unknown) => check(x.includes(y), `${String(x).slice(0, 100)} lacks ${y}`),
    toBeInstanceOf: (c: new (...a: never[]) => unknown) => check(x instanceof c, `not instance of ${c.name}`),
    toThrow: (want?: Expected) => {
      let threw: unknown = null;
      try {
        x();
      } catch (e) {
        threw = e ?? 'thrown';
      }
      check(threw !== null && matchesError(threw, want), `throw ${String(want)}: got ${threw === null ? 'no throw' : String(threw)}`);
    },
  };
}

export function expect(x: any) {
  const m = matchers(x, false);
  return {
    ...m,
    not: matchers(x, true),
    rejects: {
      toThrow: async (want?: Expected) => {
        let err: unknown = null;
        try {
          await x;
        } catch (e) {
          err = e ?? 'rejected';
        }
        assert.ok(err !== null && matchesError(err, want), `reject ${String(want)}: got ${err === null ? 'no rejection' : String(err)}`);
      },
    },
  };
}

/** Run every registered test in order; returns [passed, failed] and prints one line per test. */
export async function runAll(log: (s: string) => void): Promise<{ name: string; ok: boolean; ms: number; error?: string }[]> {
  const out = [];
  for (const t of tests.splice(0)) {
    const t0 = performance.now();
    try {
      try {
        await t.fn();
      } finally {
        for (const f of t.after) await f();
      }
      if (t.hook) continue;
      out.push({ name: t.name, ok: true, ms: performance.now() - t0 });
    } catch (e) {
      out.push({ name: t.name, ok: false, ms: performance.now() - t0, error: (e instanceof Error ? e.message : String(e)).split('\n')[0] });
    }
    const r = out[out.length - 1];
    log(`${r.ok ? 'PASS' : 'FAIL'} ${r.name} (${r.ms.toFixed(0)} ms)${r.error ? ': ' + r.error : ''}`);
  }
  for (const f of afterAlls.splice(0)) await f();
  return out;
}
expect.arrayContaining = (want: unknown[]): Asymmetric => ({ asymmetricMatch: (a) => Array.isArray(a) && want.every((w) => a.some((v) => matches(v, w, false))) });
expect.objectContaining = (want: Record<string, unknown>): Asymmetric => ({ asymmetricMatch: (a) => matches(a, want, true) });
expect.stringMatching = (re: RegExp | string): Asymmetric => ({ asymmetricMatch: (a) => typeof a === 'string' && (typeof re === 'string' ? a.includes(re) : re.test(a)) });
expect.stringContaining = (sub: string): Asymmetric => ({ asymmetricMatch: (a) => typeof a === 'string' && a.includes(sub) });
expect.any = (c: new (...a: never[]) => unknown): Asymmetric => ({
  asymmetricMatch: (a) => (c === (Number as unknown) ? typeof a === 'number' : c === (String as unknown) ? typeof a === 'string' : c === (Boolean as unknown) ? typeof a === 'boolean' : a instanceof c),
});
