// The device check runs our GPU test files through tools/device/vitest-shim.ts (no vitest on the
// GPU machine): every matcher those files use must exist there, or the device run reports a false
// failure (it did once: toBeGreaterThanOrEqual).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expect as shimExpect } from '../../tools/device/vitest-shim.js';

describe('vitest shim for the device check', () => {
  it('has every matcher the GPU test files use', () => {
    // The same file set as tools/device/pack.sh's check suite.
    const files = ['test/gpu', 'test/ops', 'test/model', 'test/train'].flatMap((d) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.test.ts') && !f.startsWith('ref') && (d !== 'test/model' || /^(qwen3|generate)/.test(f)))
        .map((f) => join(d, f)),
    );
    const used = new Set<string>();
    const builtin = (n: string): boolean => n in Number.prototype || n in String.prototype || n in Array.prototype || n in Date.prototype;
    for (const f of files) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\)\s*\.(?:not\.|resolves\.|rejects\.)?(to[A-Z]\w*)\(/g)) if (!builtin(m[1]!)) used.add(m[1]!);
    }
    expect(used.size).toBeGreaterThan(5);
    const shim = shimExpect(1) as unknown as Record<string, unknown> & { not: Record<string, unknown> };
    for (const name of used) {
      expect(typeof shim[name], name).toBe('function');
      expect(typeof shim.not[name], `not.${name}`).toBe('function');
    }
    shimExpect(3).toBeGreaterThanOrEqual(3);
    expect(() => shimExpect(2).toBeGreaterThanOrEqual(3)).toThrow();
  });
});
