import { defineConfig } from 'vitest/config';

// Dawn (dawn.node) is a native addon: run each test file in its own forked process,
// two at a time (CI has 2 cores; lavapipe uses threads of its own).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
