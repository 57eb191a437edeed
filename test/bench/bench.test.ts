// `npm run bench` on the software adapter: every case runs at reduced shapes and lands in the JSON,
// and every kernel family under src/ops has at least one case.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BenchReport } from '../../bench/run.js';

describe('bench', () => {
  it('writes one timed entry per case, covering every op family', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'out.json');
    execFileSync('npx', ['tsx', 'bench/run.ts', '--json', out, '--reps', '1'], { stdio: 'pipe' });
    const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
    expect(report.scale).toBe('small');
    for (const r of report.results) {
      expect(r.error, r.name).toBe(undefined);
      if (!r.skipped) expect(r.ms, r.name).toBeGreaterThan(0);
    }
    const names = report.results.map((r) => r.name);
    // Each src/ops/<family>.ts with a public op is benchmarked under a name starting with it.
    const alias: Record<string, string> = { residual: 'residual.add', 'grad-norm': 'grad-norm', rmsnorm: 'rmsnorm' };
    // A family is src/ops/<name>.ts; <family>-<part>.ts files (attention-cpu, matmul-plan, ...) are
    // parts of a family. No kernel of their own: elementwise.ts (the vectorised launch helpers the
    // elementwise ops share), sampling.ts (the sampling parameters of sample.ts) and
    // variant-registry.ts (where src/ops/experimental plugs in; its variants are bench cases of
    // their families).
    const helpers = ['elementwise', 'sampling', 'variant-registry'];
    const files = readdirSync('src/ops').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));
    const families = files.filter((f) => !helpers.includes(f) && !files.some((g) => g !== f && f.startsWith(`${g}-`)));
    expect(families).toContain('matmul');
    for (const fam of families) expect(names.some((n) => n.startsWith(alias[fam] ?? fam)), `no bench case for ${fam}`).toBe(true);
    expect(report.ceilings.copyGBs).toBeGreaterThan(0);
    // Host-side cases (the sharded step's collectives) are compared with the host file ceiling.
    expect(report.ceilings.hostGBs).toBeGreaterThan(0);
    const sum = report.results.find((r) => r.name === 'exchange.sum3.bf16')!;
    expect(sum.host).toBe(true);
    expect(sum.fracOfHost).toBeGreaterThan(0);
    expect(sum.fracOfCopy).toBe(undefined);
  });

  it('selects cases by name and leaves out --skip ones (repeatable)', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'bench-')), 'out.json');
    execFileSync('npx', ['tsx', 'bench/run.ts', 'sample', '--skip', 'topp', '--skip', 'tiny', '--json', out, '--reps', '1'], { stdio: 'pipe' });
    const names = (JSON.parse(readFileSync(out, 'utf8')) as BenchReport).results.map((r) => r.name);
    expect(names).toEqual(['copy.ceiling', 'host.ceiling', 'sample.greedy']); // the ceilings always run
  });
});
