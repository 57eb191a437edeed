// The command lines as a user runs them: `npm run train -- --check` (preflight only, no device)
// and `npm run serve` (a real server process on a tiny model: health, a completion through the real
// openai client, a clean stop on SIGTERM); bad arguments are named.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyModel } from '../../src/model/tiny.js';
import { OpenAISampler } from '../../src/rollout/client.js';
import type { EvalSettings } from '../../src/eval/out-dir.js';

const root = mkdtempSync(join(tmpdir(), 'cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tsx = (args: string[]) => spawnSync('npx', ['tsx', ...args], { encoding: 'utf8' });

describe('npm run train', () => {
  it('--check runs the preflight only; bad arguments are named', () => {
    const ok = tsx(['src/cli/train.ts', '--check', '--devices', '0,1']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('training data');
    expect(ok.stdout).toContain('configs/tiny-cpu.json: preflight ok');
    expect(ok.stdout).not.toContain('training on'); // no device opened
    const bad = tsx(['src/cli/train.ts', '--devices', '0,x']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--devices: 'x' is not a device index");
    const twice = tsx(['src/cli/train.ts', '--check', '--devices', '0,0,0']); // three ranks on one device
    expect(twice.status, twice.stderr).toBe(0);
    expect(twice.stdout).toMatch(/devices: .*3 ranks/); // here: no nvidia-smi, each its own lavapipe device
    expect(twice.stdout).toContain('preflight ok');
    const cfg = tsx(['src/cli/train.ts', '--check', '--config', join(root, 'none.json')]);
    expect(cfg.stderr).toMatch(/none\.json: cannot read the config/);
  });
});

describe('npm run eval', () => {
  it("reads the judge's settings from a run config and its key from the environment only", () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JUDGE_')));
    const run = (args: string[], extra: Record<string, string> = {}) => spawnSync('npx', ['tsx', 'src/cli/eval.ts', '--model', join(root, 'none'), ...args], { encoding: 'utf8', env: { ...env, ...extra } });
    expect(run(['--judge', 'openai']).stderr).toContain("judge.baseURL: required when kind is 'openai' (the judge endpoint's base URL); judge.model: required when kind is 'openai' (the judge's model name) (the LLM judge's settings come from a run config: give --config FILE)");
    const noKey = run(['--config', 'configs/qwen3-14b.json']);
    expect(noKey.status).toBe(1);
    expect(noKey.stderr).toContain("eval: judge: kind 'openai' needs its API key in the environment variable JUDGE_API_KEY");
    expect(run(['--config', 'configs/qwen3-14b.json'], { JUDGE_API_KEY: 'k', JUDGE_BASE_URL: 'http://x/v1' }).stderr).toContain("JUDGE_BASE_URL is set, but the judge's settings come from the run config only: judge.baseURL");
  });
});

describe('npm run eval: episode settings, --out', () => {
  it("takes a checkpoint's limits and thinking from its run, and refuses an --out of other settings before opening a device", () => {
    const run = join(root, 'runs', 'r');
    const model = join(run, 'checkpoints', 'step-000002', 'model');
    mkdirSync(model, { recursive: true });
    writeFileSync(join(run, 'run-config.json'), JSON.stringify({ episode: { maxTurns: 3, maxTokensPerTurn: 64, maxEpisodeTokens: 4096, enableThinking: true } }));
    const out = join(root, 'ev');
    mkdirSync(out);
    const there: EvalSettings = {
      model: resolve(model),
      judge: 'rules',
      data: resolve('data/eval.jsonl'),
      limit: 1,
      rows: ['eval-000'],
      rolloutsPerRow: 1,
      rowsAtOnce: 1,
      seed: 'eval',
      temperature: 0.7,
      topP: 1,
      topK: 0,
      maxTurns: 10,
      maxTokensPerTurn: 32,
      maxEpisodeTokens: 4096,
      enableThinking: true,
    };
    writeFileSync(join(out, 'eval-settings.json'), JSON.stringify(there));
    const r = tsx(['src/cli/eval.ts', '--model', model, '--limit', '1', '--rollouts', '1', '--max-tokens-per-turn', '32', '--out', out]);
    const from = `${join(run, 'run-config.json')}, the checkpoint's run`;
    expect(r.stdout).toContain(`eval: episode settings: max turns 3, max episode tokens 4096, thinking on (${from}); max tokens per turn 32 (--max-tokens-per-turn)`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`eval: ${out} holds an evaluation with other settings (--max-turns: 10 there, 3 now); give another --out, or delete ${out} to start over`);
    expect(r.stdout).not.toContain('kernel variants'); // no device opened
    const both = tsx(['src/cli/eval.ts', '--model', model, '--enable-thinking', '--no-enable-thinking']);
    expect(both.stderr).toContain('--enable-thinking and --no-enable-thinking contradict each other');
  });

  it('Ctrl-C exits at once, saying what was kept and how to resume', async () => {
    const model = join(root, 'tiny-eval');
    await makeTinyModel(model, { seed: 5, tied: true });
    const out = join(root, 'ev-int');
    // node itself (not npx) so that SIGINT reaches the eval process.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/eval.ts', '--model', model, '--limit', '1', '--rollouts', '1', '--max-turns', '1', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RLVR_AUTOTUNE: '0' } });
    let stdout = '';
    const started = new Promise<void>((ok) =>
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('eval: 1 row x 1 rollout')) ok();
      }),
    );
    const exited = new Promise<number | null>((ok) => child.on('close', ok));
    await started;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stdout).toContain(`eval: interrupted (SIGINT) with 0 of 1 rows done; none had finished, so ${out} holds only the settings. Run the same command again to resume`);
    expect(JSON.parse(readFileSync(join(out, 'eval-settings.json'), 'utf8')).maxTokensPerTurn).toBe(2048);
  }, 60_000);
});

describe('npm run serve', () => {
  it('serves a model, answers through the openai client, stops on SIGTERM', async () => {
    const model = join(root, 'model');
    await makeTinyModel(model, { seed: 3, tied: true });
    // node itself (not npx) so that SIGTERM reaches the server process.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/serve.ts', '--model', model, '--port', '0', '--slots', '2', '--max-tokens', '64', '--name', 'tiny'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const t0 = Date.now();
      let url: string | undefined;
      while (!(url = /at (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(out)?.[1])) {
        if (Date.now() - t0 > 120_000 || child.exitCode !== null) throw new Error(`serve did not start:\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(url).not.toMatch(/:0$/); // port 0: the port actually bound is printed
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      const client = new OpenAISampler({ baseURL: `${url}/v1`, model: 'tiny' });
      await client.check();
      const r = await client.sample({ prompt: [1, 2, 3], maxNewTokens: 4, sampling: { temperature: 0 } });
      expect(r.tokens).toHaveLength(4);
      expect(r.finishReason).toBe('length');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(out).toContain('serve: SIGTERM, stopping');
  }, 300_000);
});
