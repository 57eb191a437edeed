// Every npm script that takes arguments answers --help and -h with its usage, options and defaults,
// exit code 0, nothing on stderr, and no work done (no device opened, no file written).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const SCRIPTS: { script: string; file: string; names: string[] }[] = [
  { script: 'train', file: 'src/cli/train.ts', names: ['--config FILE', 'configs/tiny-cpu.json', '--devices LIST', '--check', '--steps N', '--out DIR', '--seed S', '--no-update', '--retune'] },
  { script: 'eval', file: 'src/cli/eval.ts', names: ['--model DIR', '--config FILE', '--judge rules|openai', '--rollouts N', '(default: 16)', 'data/eval.jsonl', '--sampler-url URL', '--sampler-model NAME', '--retune'] },
  { script: 'serve', file: 'src/cli/serve.ts', names: ['--model DIR', '--port N', '(default: 8000)', '--slots N', '--max-tokens N', '(default: 8192)', '--device N', '--host HOST', '--retune'] },
  { script: 'report', file: 'src/cli/report.ts', names: ['--run DIR', '--compare DIR2', '--labels', '--out DIR', '--scale N', '--charts'] },
  { script: 'plan', file: 'src/cli/plan.ts', names: ['--config FILE', 'configs/qwen3-14b.json', '--bench DIR', '--tokens-per-rollout N', '--metrics FILE'] },
  { script: 'bench', file: 'bench/run.ts', names: ['[names...]', '--json FILE', '--scale full|small', '--reps N', '--skip NAME', '--retune'] },
  { script: 'gpu:info', file: 'src/cli/gpu-info.ts', names: ['--json'] },
  { script: 'data', file: 'tools/make-data.ts', names: ['--out DIR', '(default: data)', '--seed S', '(default: 42)', '--train N', '(default: 160)', '--llm', '--base-url URL'] },
  { script: 'make-tiny-model', file: 'tools/make-tiny-model.ts', names: ['--out DIR', '--layers N', '(default: 2)', '--hidden N', '(default: 64)', '--tied', '--dtype bf16|f32'] },
];

function run(file: string, flag: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, flag], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('--help', () => {
  it('the table covers every npm script that runs a file with arguments', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    for (const s of SCRIPTS) expect(scripts[s.script], s.script).toBe(`tsx ${s.file}`);
    const withFiles = Object.entries(scripts).filter(([, cmd]) => cmd.startsWith('tsx ')).map(([name]) => name);
    expect(withFiles.sort()).toEqual(SCRIPTS.map((s) => s.script).sort());
  });

  for (const s of SCRIPTS) {
    it(`npm run ${s.script} -- --help / -h`, async () => {
      const [long, short] = await Promise.all([run(s.file, '--help'), run(s.file, '-h')]);
      for (const r of [long, short]) {
        expect(r.code, r.stderr).toBe(0);
        expect(r.stderr).toBe('');
        expect(r.stdout).toMatch(new RegExp(`npm run ${s.script} --`));
        for (const n of s.names) expect(r.stdout, n).toContain(n);
        expect(r.stdout).not.toContain('adapter:'); // no device opened
      }
      expect(short.stdout).toBe(long.stdout);
    });
  }
});
