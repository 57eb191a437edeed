import { defineConfig } from 'vitest/config';
import { DAWN_NOISE } from './src/gpu/quiet-stderr.js';

// Dawn prints two limit warnings from C++ whenever a process discovers a lavapipe adapter
// (src/gpu/quiet-stderr.ts). A test worker's stderr is a socket, which that in-process filter
// cannot reopen, so the lines are dropped here instead, where vitest relays the workers' stderr.
const relay = process.stderr.write.bind(process.stderr) as (chunk: string | Uint8Array, ...rest: unknown[]) => boolean;
process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
  const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
  if (!text.includes('artificially reduced')) return relay(chunk, ...rest);
  const kept = text.split('\n').filter((l) => !DAWN_NOISE.some((r) => r.test(l))).join('\n');
  if (kept.trim() !== '') return relay(kept, ...rest.filter((r) => typeof r === 'function'));
  const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
  done?.();
  return true;
}) as typeof process.stderr.write;

// Dawn (dawn.node) is a native addon: run each test file in its own forked process,
// two at a time (CI has 2 cores; lavapipe uses threads of its own).
// RLVR_AUTOTUNE=0: no kernel tuning at train / eval / serve / bench startup (src/ops/autotune), so
// no test depends on timings or on the user's cache; the fixed rule of src/gpu/variants.ts runs.
// The tuner's own tests call it directly with a fake timer and a temporary cache file.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    env: { RLVR_AUTOTUNE: '0' },
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
