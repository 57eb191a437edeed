// `npm run report` as a user runs it: --help, a bad argument and an empty metrics.jsonl named, and
// a real run; the argument parser on its own (a missing run directory or metrics.jsonl:
// report.test.ts, read.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseReportArgs } from '../../src/report/args.js';
import { writeSyntheticRun } from './synthetic.js';

const root = mkdtempSync(join(tmpdir(), 'report-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const report = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/report.ts', ...args], { encoding: 'utf8' });

describe('npm run report', () => {
  it('--help prints the usage, the options and their defaults', () => {
    const r = report(['--help']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Usage: npm run report -- --run DIR/);
    for (const o of ['--run DIR', '--compare DIR2', '--labels A,B', '--out DIR', '--scale N', '--charts NAME', '-h, --help']) expect(r.stdout).toContain(o);
    expect(r.stdout).toContain('(default: <--run DIR>/report)');
    expect(r.stdout).toContain('(default: 2)');
  });

  it('names the problem: a bad argument, an empty metrics.jsonl', () => {
    const bad = report(['--run']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('report: --run needs a value');
    expect(bad.stderr).toContain('npm run report -- --help');
    const empty = join(root, 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'metrics.jsonl'), '');
    const r = report(['--run', empty]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`report: ${join(empty, 'metrics.jsonl')} is empty`);
  });

  it('writes the report and prints the quarter numbers', () => {
    const run = join(root, 'run');
    writeSyntheticRun(run, { steps: 12, seed: 2 });
    const r = report(['--run', run, '--charts', 'reward', '--scale', '1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^run: 12 step\(s\); mean reward first quarter -?\d+\.\d\d, last quarter -?\d+\.\d\d, change [+-]?\d+\.\d\d$/m);
    expect(r.stdout).toContain(`wrote 1 chart(s) (SVG + PNG) and ${join(run, 'report', 'report.md')}`);
    expect(existsSync(join(run, 'report', 'reward.png'))).toBe(true);
  });
});

describe('parseReportArgs', () => {
  it('reads the options; --compare takes directories up to the next option', () => {
    expect(parseReportArgs(['--run', 'a', '--compare', 'b', 'c', '--labels', 'x, y,z', '--out=o', '--scale', '1.5', '--charts', 'reward,loss'])).toEqual({
      help: false,
      options: { runs: ['a', 'b', 'c'], labels: ['x', 'y', 'z'], out: 'o', scale: 1.5, charts: ['reward', 'loss'] },
    });
    expect(parseReportArgs(['--run', 'a', '-h'])).toEqual({ help: true });
  });
  it('refuses what it cannot use, naming it', () => {
    expect(() => parseReportArgs([])).toThrow('--run DIR is required');
    expect(() => parseReportArgs(['--run', 'a', '--compare'])).toThrow('--compare needs at least one run directory');
    expect(() => parseReportArgs(['--run', 'a', '--run', 'b'])).toThrow('--run given twice');
    expect(() => parseReportArgs(['--run', 'a', '--compare', 'b', '--labels', 'x'])).toThrow('--labels has 1 name(s) for 2 run(s)');
    expect(() => parseReportArgs(['--run', 'a', '--scale', '0'])).toThrow('--scale must be a number in (0, 8], got 0');
    expect(() => parseReportArgs(['--run', 'a', 'b'])).toThrow('unexpected argument b');
    expect(() => parseReportArgs(['--run', 'a', '--colour', 'red'])).toThrow('unknown option --colour');
  });
});
