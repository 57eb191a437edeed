// Progress lines: throttled while running, always one at the end with the rate.
import { describe, expect, it } from 'vitest';
import { byteProgress, countProgress } from '../../src/io/progress.js';

describe('byteProgress', () => {
  it('logs at most every interval, and the end', () => {
    const lines: string[] = [];
    const p = byteProgress('save', (l) => lines.push(l), 60_000);
    p(1e9, 4e9);
    p(2e9, 4e9);
    p(4e9, 4e9);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^save: 4\.0 GB of 4\.0 GB in \d+\.\d s \(\d+\.\d\d GB\/s\)$/);
    const every: string[] = [];
    const q = byteProgress('load', (l) => every.push(l), 0);
    q(5e6, 2e7);
    q(2e7, 2e7);
    expect(every[0]).toBe('load: 5.0 MB of 20.0 MB (25%)');
    expect(every).toHaveLength(2);
  });

  it('counts work while it runs and leaves the end to the caller', () => {
    const lines: string[] = [];
    const p = countProgress('step 3/10', 'rollouts', (l) => lines.push(l), 0);
    p(1, 48);
    p(48, 48);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^step 3\/10: 1\/48 rollouts done \(\d+ s\)$/);
  });
});
