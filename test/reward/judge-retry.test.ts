import { describe, expect, it } from 'vitest';
import { backoffMs, retryAfterMs, Semaphore, sleep } from '../../src/reward/judge-retry.js';

describe('judge retry timing', () => {
  it('backs off exponentially with jitter in [exp/2, exp], capped', () => {
    expect(backoffMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(4, 100, 10_000, () => 1)).toBe(800);
    expect(backoffMs(20, 100, 1_000, () => 1)).toBe(1_000);
  });

  it('reads Retry-After as seconds or an HTTP date, and retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2_000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterMs(new Headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5_000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(new Headers())).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });

  it('the semaphore never lets more than `limit` run', async () => {
    const sem = new Semaphore(3);
    let active = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 10 }, () =>
        sem.run(async () => {
          peak = Math.max(peak, ++active);
          await sleep(5);
          active--;
        }),
      ),
    );
    expect(peak).toBe(3);
    expect(() => new Semaphore(0)).toThrow(/limit must be an integer >= 1/);
  });
});
