// `--compare A B` on two synthetic saved evaluations: the side-by-side table, examples won, an
// exact permutation p-value, the title's judge, and the refusals (different examples, unreadable).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../../src/eval/report.js';
import { compareSaved, judgeTitle } from '../../src/eval/compare.js';
import { fake } from './metrics.test.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function save(dir: string, name: string, rewards: Record<string, number[]>, judge = 'rules'): Promise<string> {
  const eps = Object.entries(rewards).flatMap(([row, rs]) => rs.map((reward) => fake({ row, reward, clarity: reward > 1 ? 0.25 : 0 })));
  const p = join(dir, name);
  await writeFile(p, JSON.stringify(buildReport(eps, { model: name, judge, date: 'd' })));
  return p;
}

describe('compare', () => {
  it('base, trained, change, examples won and an exact p-value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cmp-'));
    dirs.push(dir);
    const a = await save(dir, 'a.json', { r1: [0], r2: [1], r3: [2] });
    const b = await save(dir, 'b.json', { r1: [3], r2: [0.5], r3: [2] });
    const c = compareSaved(a, b);
    expect([c.won, c.common]).toEqual([1, 3]); // r1 up, r2 down, r3 tied
    // Pool {0,0.5,1,2,2,3}, observed diff 2.5/3: of 20 triples for B, 10 have sum <= 3 or >= 5.5 (as far).
    expect(c.p.reward).toBeCloseTo(10 / 20, 12);
    expect(c.markdown).toContain('# Evaluation: base vs trained, offline rules judge');
    expect(c.markdown).toContain('| mean reward | 1.00 | 1.83 | +0.83 | 0.5000 |');
    expect(c.markdown).toContain('| examples won (higher mean reward in trained) | | | 1/3 | |');
    expect(c.markdown).toContain('| submit rate | 100% | 100% | 0 pp |');
    expect(c.markdown).toContain('| judge clarity (mean points) | 0.08 | 0.17 | +0.08 |');
    expect(c.markdown).toContain('two-sided permutation test');
    // A directory holding eval.json works as well as the file.
    const d2 = join(dir, 'run');
    await (await import('node:fs/promises')).mkdir(d2);
    await save(d2, 'eval.json', { r1: [1], r2: [1], r3: [1] });
    expect(compareSaved(d2, b).won).toBe(2); // r1: 1 -> 3, r3: 1 -> 2
  });

  it('names the judge model', () => {
    expect(judgeTitle('openai:gpt-4.1-mini at https://api.openai.com/v1')).toBe('judge gpt-4.1-mini');
    expect(judgeTitle('rules')).toBe('offline rules judge');
  });

  it('refuses different example sets and unreadable files, naming them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cmp-'));
    dirs.push(dir);
    const a = await save(dir, 'a.json', { r1: [0], r2: [1] });
    const b = await save(dir, 'b.json', { r1: [0], r3: [1] });
    expect(() => compareSaved(a, b)).toThrow(/a\.json and .*b\.json evaluated different example sets \(2 vs 2 examples; only in .*a\.json: r2; only in .*b\.json: r3\)/);
    expect(() => compareSaved(a, join(dir, 'missing.json'))).toThrow(/missing\.json: cannot read/);
    await writeFile(join(dir, 'bad.json'), '{not json');
    expect(() => compareSaved(join(dir, 'bad.json'), a)).toThrow(/bad\.json: not JSON/);
    await writeFile(join(dir, 'other.json'), '{"model": 1}');
    expect(() => compareSaved(a, join(dir, 'other.json'))).toThrow(/other\.json: not a saved evaluation/);
    const old = JSON.parse((await import('node:fs')).readFileSync(a, 'utf8'));
    delete old.samples;
    await writeFile(join(dir, 'old.json'), JSON.stringify(old));
    expect(() => compareSaved(join(dir, 'old.json'), a)).toThrow(/old\.json: has no per-example records/);
  });
});
