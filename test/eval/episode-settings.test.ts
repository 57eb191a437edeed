// Where an evaluation's episode limits and thinking setting come from (src/eval/episode-settings.ts):
// the command line, --config, the run-config.json of the run whose checkpoint is evaluated, the
// defaults; each value names its source.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeEpisode, EPISODE_DEFAULTS, readRunEpisode, resolveEpisode, runConfigOf } from '../../src/eval/episode-settings.js';
import { MAX_EPISODE_TOKENS, MAX_TOKENS_PER_TURN, MAX_TURNS } from '../../src/env/resume/prompts.js';

const root = mkdtempSync(join(tmpdir(), 'eval-episode-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fake run: runs/NAME/run-config.json with `episode`, and one checkpoint directory. */
function fakeRun(name: string, episode: unknown): { model: string; file: string } {
  const run = join(root, 'runs', name);
  const model = join(run, 'checkpoints', 'step-000004', 'model');
  mkdirSync(model, { recursive: true });
  const file = join(run, 'run-config.json');
  writeFileSync(file, JSON.stringify({ model: { path: '/elsewhere' }, out: run, steps: 4, episode, run: { devices: [0] } }));
  return { model, file };
}

describe('episode settings of an evaluation', () => {
  it("a run's checkpoint takes that run's limits and thinking unless the command line says otherwise", () => {
    const { model, file } = fakeRun('r1', { maxTurns: 3, maxTokensPerTurn: 64, enableThinking: true });
    expect(runConfigOf(model)).toBe(file);
    expect(runConfigOf(`${model}/`)).toBe(file);
    const run = { file, episode: readRunEpisode(file) };
    expect(run.episode).toEqual({ maxTurns: 3, maxTokensPerTurn: 64, maxEpisodeTokens: 16384, enableThinking: true }); // left out: the trainer's default
    const s = resolveEpisode({ maxTokensPerTurn: { value: 32, flag: '--max-tokens-per-turn' } }, null, run);
    expect(s.maxTurns).toEqual({ value: 3, from: `${file}, the checkpoint's run` });
    expect(s.maxTokensPerTurn).toEqual({ value: 32, from: '--max-tokens-per-turn' });
    expect(describeEpisode(s)).toBe(
      `max turns 3, max episode tokens 16384, thinking on (${file}, the checkpoint's run); max tokens per turn 32 (--max-tokens-per-turn)`,
    );
    // --config comes before the checkpoint's run; a flag before both.
    const cfg = { file: 'configs/x.json', episode: { ...EPISODE_DEFAULTS, maxTurns: 7 } };
    const c = resolveEpisode({ enableThinking: { value: false, flag: '--no-enable-thinking' } }, cfg, run);
    expect(c.maxTurns).toEqual({ value: 7, from: '--config configs/x.json' });
    expect(c.enableThinking).toEqual({ value: false, from: '--no-enable-thinking' });
  });

  it('without a run config the defaults stay', () => {
    const model = join(root, 'plain', 'model');
    mkdirSync(model, { recursive: true });
    expect(runConfigOf(model)).toBeNull();
    expect(runConfigOf(join(root, 'runs', 'none', 'checkpoints', 'step-000001', 'model'))).toBeNull(); // no file there
    const s = resolveEpisode({}, null, null);
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.value]))).toEqual({ maxTurns: MAX_TURNS, maxTokensPerTurn: MAX_TOKENS_PER_TURN, maxEpisodeTokens: MAX_EPISODE_TOKENS, enableThinking: false });
    expect(Object.values(s).every((v) => v.from === 'default')).toBe(true);
  });

  it('a run config with a bad episode section is named', () => {
    const { file } = fakeRun('bad', { maxTurns: 0 });
    expect(() => readRunEpisode(file)).toThrow(`${file}: invalid episode section: episode.maxTurns: Too small: expected number to be >0`);
    writeFileSync(file, '{');
    expect(() => readRunEpisode(file)).toThrow(/run-config\.json: cannot read the run's config/);
  });
});
