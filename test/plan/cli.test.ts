// `npm run plan`: usage, errors named, and the Qwen3-14B plan from the repository's bench results.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rankMemory } from '../../src/parallel/memory.js';
import { formatBytes } from '../../src/io/progress.js';
import { QWEN3_14B } from '../../src/model/config.js';
import { parseArgs, readMetrics, runPlan } from '../../src/cli/plan.js';

const root = mkdtempSync(join(tmpdir(), 'plan-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tsx = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/plan.ts', ...args], { encoding: 'utf8' });

describe('npm run plan', () => {
  it('--help prints usage, options and defaults; a bad flag is named with exit code 1', () => {
    const help = tsx(['--help']);
    expect(help.status, help.stderr).toBe(0);
    for (const s of ['npm run plan -- [options]', '--config FILE', 'configs/qwen3-14b.json', '--tokens-per-rollout N', '10000', '--metrics FILE', '--scored-fraction F', '0.3']) expect(help.stdout).toContain(s);
    const bad = tsx(['--bogus']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("plan: unknown argument '--bogus'");
  });

  it('names bad values, exclusive options and a missing bench directory', async () => {
    expect(() => parseArgs(['--tokens-per-rollout', 'x'])).toThrow("--tokens-per-rollout must be an integer >= 2, got 'x'");
    expect(() => parseArgs(['--scored-fraction', '1.5'])).toThrow('--scored-fraction must be in (0, 1]');
    expect(() => parseArgs(['--config'])).toThrow('--config needs a value');
    expect(() => parseArgs(['--tokens-per-rollout', '5000', '--metrics', 'm.jsonl'])).toThrow('exclusive');
    await expect(runPlan(['--bench', join(root, 'no-such-dir')])).rejects.toThrow(/bench directory .*no-such-dir does not exist/);
  });

  it('plans Qwen3-14B from configs/qwen3-14b.json with the published shape and the newest bench results', async () => {
    const out = await runPlan(['--config', 'configs/qwen3-14b.json']);
    expect(out).toContain('the published Qwen3-14B config.json (src/model/config.ts QWEN3_14B)');
    expect(out).toContain('14.77 B parameters (13.21 B without embeddings)');
    expect(out).toContain('bench/results/2026-11-26-h200');
    expect(out).toContain(`**${formatBytes(rankMemory(QWEN3_14B, { world: 3, passTokens: 16384, gradDtype: 'bf16' }).total)}** of`); // the total train --check logs
    expect(out).toMatch(/\| \*\*step\*\* \| \*\*\d+\*\* \|/);
    expect(out).toMatch(/MFU \d+\.\d%/);
    expect(out).toContain('decode step, 16 sequences at 10000 cached tokens each');
  });

  it('--metrics: mean packed tokens per scored rollout and the scored fraction of a run', async () => {
    const file = join(root, 'metrics.jsonl');
    writeFileSync(file, [{ step: 1, rollouts: 48, dropped: 0, tokens: 0, lossTokens: 0 }, { step: 2, rollouts: 48, dropped: 8, tokens: 200_000, lossTokens: 50_000 }, { step: 3, rollouts: 48, tokens: 280_000, lossTokens: 70_000 }].map((l) => JSON.stringify(l)).join('\n') + '\n');
    expect(readMetrics(file)).toEqual({ tokensPerRollout: 480_000 / 88, scoredFraction: 0.25, steps: 2 });
    const out = await runPlan(['--metrics', file]);
    expect(out).toContain(`48 rollouts of ${Math.round(480_000 / 88)} tokens (mean over 2 steps of ${file})`);
    expect(out).toContain(`25.0% of each pass's positions (lossTokens / tokens of ${file})`);
    expect(() => readMetrics(join(root, 'none.jsonl'))).toThrow(/none\.jsonl does not exist/);
  });
});
