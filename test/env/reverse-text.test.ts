// The reverse-text debug environment: seeded rows, the graded LCS reward, one-turn episodes through
// the generic episode loop, and the environment selection from a config.
import { describe, expect, it } from 'vitest';
import { makeEnvironment, EnvConfig } from '../../src/env/registry.js';
import { ReverseTextConfig, ReverseTextEnvironment, lcsLength, lcsRatio, reverseReward } from '../../src/env/reverse/reverse-text.js';
import { RulesJudge } from '../../src/reward/rules-judge.js';
import { runEpisode } from '../../src/env/episode.js';

const env = new ReverseTextEnvironment(ReverseTextConfig.parse({ kind: 'reverse-text' }));
const limits = { maxTurns: 3, maxTokensPerTurn: 16, maxEpisodeTokens: 1000 };

describe('reverse-text environment', () => {
  it('generates seeded rows within the configured lengths and alphabet, train apart from eval', () => {
    const train = env.rows('train');
    expect(train).toHaveLength(1000);
    expect(env.rows('train')).toEqual(train);
    for (const r of train) expect(r.text).toMatch(/^[0-9]{3,5}$/);
    expect(new Set(train.map((r) => r.text.length))).toEqual(new Set([3, 4, 5]));
    expect(env.rows('eval').map((r) => r.text)).not.toEqual(train.slice(0, 64).map((r) => r.text));
    const other = new ReverseTextEnvironment(ReverseTextConfig.parse({ kind: 'reverse-text', seed: 1, alphabet: 'ab', minLength: 7, maxLength: 7 }));
    expect(other.rows('train')[0]!.text).toMatch(/^[ab]{7}$/);
  });

  it('grades by characters in place over the longer length, 1 only for the exact reversal; LCS ratio as a metric', () => {
    expect(reverseReward('123', '321')).toBe(1);
    expect(reverseReward('123', ' 321\n')).toBe(1); // surrounding whitespace ignored
    expect(reverseReward('123', '123')).toBeCloseTo(1 / 3, 12); // only the middle character in place
    expect(reverseReward('1234', '43')).toBe(0.5); // 2 of max(2, 4) in place
    expect(reverseReward('123', '32100000')).toBe(3 / 8); // too long costs
    expect(reverseReward('1234', '')).toBe(0);
    expect(reverseReward('1234', 'xyz')).toBe(0);
    expect(lcsLength('abcde', 'ace')).toBe(3);
    expect(lcsLength('', 'abc')).toBe(0);
    expect(lcsRatio('123', '321')).toBeCloseTo((2 * 1) / 6, 12); // LCS("123", "321") = 1
    expect(lcsRatio('', '')).toBe(0);
  });

  it('plays one turn through the generic episode loop', async () => {
    const row = { id: 'r', text: '4071' };
    const seen: string[] = [];
    const ep = await runEpisode(env, row, async (input) => {
      seen.push(input.messages.map((m) => `${m.role}:${m.content}`).join('|'));
      return '1704';
    }, limits);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain('user:4071');
    expect(ep.endReason).toBe('answered');
    expect(ep.turns).toHaveLength(1);
    expect(ep.reward.total).toBe(1);
    expect(ep.reward.components).toEqual({ inPlace: 1 });
    expect(ep.reward.metrics).toEqual({ exactRate: 1, lengthMatchRate: 1, lcsRatio: 1 });
    const half = await runEpisode(env, row, async () => '17', limits);
    expect(half.reward.total).toBe(0.5);
    expect(half.reward.metrics).toEqual({ exactRate: 0, lengthMatchRate: 0, lcsRatio: (2 * 2) / 6 });
    expect(env.demonstration(row)).toBe('1704');
  });

  it('is selected by the config; bad settings are named', () => {
    expect(makeEnvironment(EnvConfig.parse({ kind: 'reverse-text' }), { judge: new RulesJudge() }).name).toBe('reverse-text');
    expect(makeEnvironment(EnvConfig.parse({ kind: 'resume' }), { judge: new RulesJudge(), train: 'data/train.jsonl' }).rows('train')).toHaveLength(160);
    expect(() => EnvConfig.parse({ kind: 'reverse' })).toThrow();
    expect(() => new ReverseTextEnvironment(ReverseTextConfig.parse({ kind: 'reverse-text', minLength: 6, maxLength: 3 }))).toThrow(/minLength 6 > maxLength 3/);
  });
});
