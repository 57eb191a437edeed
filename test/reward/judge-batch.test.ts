import { afterEach, describe, expect, it } from 'vitest';
import { JudgeBatchError, judgeBatch, JudgeError, OpenAIJudge } from '../../src/reward/judge.js';
import type { Judge, JudgeInput, Verdict } from '../../src/reward/verdict.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

const V: Verdict = {
  hallucination: 'faithful',
  clarity: 'better',
  quantification: 'better',
  jd_alignment: 'same',
  action_verbs: 'same',
  overall_preference: 'better',
};

const inp = (revised: string): JudgeInput => ({
  jd: 'jd',
  original: 'orig',
  revised,
  weakness: { type: 'no_metrics', description: 'd', lines: [] },
});

/** A judge that fails the first `failTimes[revised]` calls for an input, then succeeds. */
function flakyJudge(failTimes: Record<string, number>): Judge & { calls: string[] } {
  const seen: Record<string, number> = {};
  const calls: string[] = [];
  return {
    name: 'flaky',
    calls,
    async judge(x) {
      calls.push(x.revised);
      seen[x.revised] = (seen[x.revised] ?? 0) + 1;
      if (seen[x.revised]! <= (failTimes[x.revised] ?? 0)) {
        throw new JudgeError({ endpoint: 'http://e', model: 'm', attempts: 3, lastCause: `HTTP 503 for ${x.revised}` });
      }
      return V;
    },
  };
}

const inputs = ['a', 'b', 'c', 'd'].map(inp);

describe('judgeBatch', () => {
  it("'drop' returns failed items as ok:false with their error, never a verdict", async () => {
    const judge = flakyJudge({ b: 99, d: 99 });
    const out = await judgeBatch(judge, inputs, 'drop', { retryPauseMs: 0 });
    expect(out.map((o) => o.ok)).toEqual([true, false, true, false]);
    expect(out.map((o) => o.index)).toEqual([0, 1, 2, 3]);
    const failed = out[1]!;
    expect(failed.ok).toBe(false);
    if (!failed.ok) {
      expect(failed.error).toBeInstanceOf(JudgeError);
      expect(failed.error.message).toContain('HTTP 503 for b');
      expect('verdict' in failed).toBe(false);
    }
    expect(judge.calls).toHaveLength(4); // no second pass under 'drop'
  });

  it("'fail' throws a JudgeBatchError listing the failed items", async () => {
    const err = await judgeBatch(flakyJudge({ c: 1 }), inputs, 'fail').catch((e) => e);
    expect(err).toBeInstanceOf(JudgeBatchError);
    expect(err.failures.map((f: { index: number }) => f.index)).toEqual([2]);
    expect(err.message).toMatch(/policy 'fail'.*1 of 4.*HTTP 503 for c/);
  });

  it("'fail' returns all verdicts when nothing fails", async () => {
    const out = await judgeBatch(flakyJudge({}), inputs, 'fail');
    expect(out.every((o) => o.ok && o.verdict.overall_preference === 'better')).toBe(true);
  });

  it("'retry' re-runs only the failed items once after the pause", async () => {
    const judge = flakyJudge({ a: 1, c: 1 });
    const t0 = Date.now();
    const out = await judgeBatch(judge, inputs, 'retry', { retryPauseMs: 50 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(out.every((o) => o.ok)).toBe(true);
    expect(judge.calls.slice(4).sort()).toEqual(['a', 'c']);
  });

  it("'retry' throws when an item fails twice", async () => {
    const judge = flakyJudge({ b: 2 });
    const err = await judgeBatch(judge, inputs, 'retry', { retryPauseMs: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(JudgeBatchError);
    expect(err.policy).toBe('retry');
    expect(judge.calls.filter((c) => c === 'b')).toHaveLength(2);
  });

  it('rejects an unknown policy by name', async () => {
    await expect(judgeBatch(flakyJudge({}), inputs, 'skip' as never)).rejects.toThrow(/unknown failure policy 'skip'/);
  });
});

describe('judgeBatch with the OpenAI judge', () => {
  let server: FakeOpenAIServer | undefined;
  afterEach(async () => server?.close());

  it("'drop' marks the item whose requests all fail", async () => {
    server = await startOpenAIServer({
      fallback: (req) =>
        req.body.messages[1].content.includes('<revised_resume>\nbad\n')
          ? { status: 500 }
          : { content: JSON.stringify(V) },
    });
    const judge = new OpenAIJudge({ baseURL: server.baseURL, model: 'm', apiKey: 'k', maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 });
    const out = await judgeBatch(judge, [inp('good'), inp('bad')], 'drop');
    expect(out[0]!.ok).toBe(true);
    expect(out[1]!.ok).toBe(false);
    if (!out[1]!.ok) expect(out[1]!.error.message).toMatch(/2 attempt\(s\): HTTP 500/);
  });
});
