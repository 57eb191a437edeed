// A small stand-in for vitest's describe/it/expect, so the project's own kernel and model test files
// run unchanged under plain node on a GPU machine (which has no npm). tools/device/pack.sh aliases
// the `vitest` import to this file when it bundles tools/device/check.ts. Only the matchers our GPU
// tests use are provided; an unknown one fails loudly.
import assert from 'node:assert/strict';

interface Test {
  name: string;
  fn: () => unknown;
}
const tests: Test[] = [];
const afterAlls: (() => unknown)[] = [];
let prefix = '';

export function describe(name: string, fn: () => void): void {
  const p = prefix;
  prefix = `${p}${name} > `;
  fn();
  prefix = p;
}
describe.each = <T>(rows: T[]) => (name: string, fn: (row: T) => void) => {
  for (const row of rows) describe(name.replace(/%s|%j|%o|%i|%d/, () => JSON.stringify(row)), () => fn(row));
};
export function it(name: string, fn: () => unknown): void {
  tests.push({ name: prefix + name, fn });
}
export const test = it;
export function afterAll(fn: () => unknown): void {
  afterAlls.push(fn);
}

type Expected = RegExp | string | (new (...a: never[]) => unknown);

/** vitest's toThrow argument: a message substring, a pattern, or an error class. */
function matchesError(err: unknown, want?: Expected): boolean {
  if (want === undefined) return true;
  if (typeof want === 'function') return err instanceof want;
  const msg = err instanceof Error ? err.message : String(err);
  return typeof want === 'string' ? msg.includes(want) : want.test(msg);
}

function matchers(x: any, negate: boolean) {
  const check = (ok: boolean, msg: string) => assert.ok(negate ? !ok : ok, (negate ? 'not: ' : '') + msg);
  const deepEq = (a: unknown, b: unknown) => {
    try {
      assert.deepStrictEqual(a, b);
      return true;
    } catch {
      return false;
    }
  };
  return {
    toBe: (y: unknown) => check(Object.is(x, y), `${x} !== ${y}`),
    toEqual: (y: unknown) => check(deepEq(x, y), `${JSON.stringify(x)?.slice(0, 200)} != ${JSON.stringify(y)?.slice(0, 200)}`),
    toBeLessThan: (y: number) => check(x < y, `${x} >= ${y}`),
    toBeLessThanOrEqual: (y: number) => check(x <= y, `${x} > ${y}`),
    toBeGreaterThan: (y: number) => check(x > y, `${x} <= ${y}`),
    toBeGreaterThanOrEqual: (y: number) => check(x >= y, `${x} < ${y}`),
    toHaveLength: (n: number) => check(x?.length === n, `length ${x?.length} !== ${n}`),
    toMatchObject: (y: Record<string, unknown>) => check(Object.entries(y).every(([k, v]) => deepEq(x?.[k], v)), `${JSON.stringify(x)?.slice(0, 200)} does not match ${JSON.stringify(y)?.slice(0, 200)}`),
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
      await t.fn();
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
