// The command lines as a user runs them: `npm run train -- --check` (preflight only, no device)
// and `npm run serve` (a real server process on a tiny model: health, a completion through the real
// openai client, a clean stop on SIGTERM); bad arguments are named.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTinyModel } from '../../src/model/tiny.js';
import { OpenAISampler } from '../../src/rollout/client.js';

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
    const twice = tsx(['src/cli/train.ts', '--check', '--devices', '1,1']);
    expect(twice.stderr).toContain('--devices: device 1 listed twice');
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
