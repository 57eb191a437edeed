import { describe, expect, it } from 'vitest';
import { WEAKNESS_TYPES } from '../../src/data/schema.js';
import { SYSTEM_PROMPT } from '../../src/env/resume/prompts.js';
import { formatToolCall } from '../../src/io/toolcall.js';
import { renderEpisodeMarkdown, runResumeEpisode as runEpisode } from '../../src/env/resume/episode.js';
import type { Policy, PolicyInput } from '../../src/env/episode.js';
import { BEST, RESUME, WORST, fixedJudge, lines, makeRow } from './fixtures.js';

/** A policy that plays the given messages in order and records what it was shown. */
function scripted(script: string[]): Policy & { seen: PolicyInput[] } {
  const seen: PolicyInput[] = [];
  const p = async (input: PolicyInput) => {
    seen.push(input);
    const next = script[input.turn - 1];
    if (next === undefined) throw new Error(`script has no turn ${input.turn}`);
    return next;
  };
  return Object.assign(p, { seen });
}

const sr = (old: string, nw: string) => formatToolCall('str_replace', { old, new: nw });

describe('runEpisode', () => {
  it('reaches the maximum reward +8: review, 8 edits, submit on turn 10, within the limit, best verdict', async () => {
    const row = makeRow({ resume: 'w0 w1 w2 w3 w4 w5 w6 w7\n' });
    const script = [
      formatToolCall('review'),
      ...Array.from({ length: 8 }, (_, i) => `<think>\nedit ${i}\n</think>\n\n${sr(`w${i}`, `W${i}`)}`),
      formatToolCall('submit'),
    ];
    const judge = fixedJudge(BEST);
    const ep = await runEpisode({ row, policy: scripted(script), judge });
    expect(ep.endReason).toBe('submit');
    expect(ep.turns).toHaveLength(10);
    expect(ep.finalDoc).toBe('W0 W1 W2 W3 W4 W5 W6 W7\n');
    expect(judge.calls).toHaveLength(1);
    expect(ep.reward.tool.total).toBe(4);
    expect(ep.reward.layout.total).toBe(1);
    expect(ep.reward.content!.total).toBe(3);
    expect(ep.reward.total).toBe(8);
    expect(ep.reward.normalized).toBe(100);
  });

  it('reaches the minimum reward -7: 9 failed calls, 1 edit, over the limit, no submit, worst verdict', async () => {
    const row = makeRow({ resume: lines(60), weakness: { ...makeRow().weakness, type: 'too_long' } });
    const script = [
      sr('1xxxxxxxxx', '1yyyyyyyyy'),
      sr('not in the resume', 'x'),
      '<tool_call>\n{"name": "str_replace", "arguments": {"old": }\n</tool_call>',
      formatToolCall('open_file', { path: 'resume.md' }),
      `${formatToolCall('review')}${formatToolCall('submit')}`,
      sr('', 'x'),
      sr('2xxxxxxxxx', '2xxxxxxxxx'),
      formatToolCall('str_replace', { old: 'x', new: 'y' }), // many matches
      formatToolCall('str_replace', { old_str: '3', new_str: '4' }),
      '<tool_call>\n{"name": "submit"}\n</tool_call>', // missing arguments
    ];
    const ep = await runEpisode({ row, policy: scripted(script), judge: fixedJudge(WORST) });
    expect(ep.endReason).toBe('turn_budget');
    expect(ep.turns.map((t) => t.outcome.kind)).toEqual([
      'str_replace',
      'str_replace',
      'failed',
      'failed',
      'failed',
      'str_replace',
      'str_replace',
      'str_replace',
      'str_replace',
      'failed',
    ]);
    expect(ep.reward.tool).toMatchObject({ strReplaceOk: 1, strReplaceFailed: 5, failedCalls: 4, submitted: false, total: -3 });
    expect(ep.reward.layout).toMatchObject({ lines: 60, total: -1 });
    expect(ep.reward.content!.total).toBe(-3);
    expect(ep.reward.total).toBe(-7);
    expect(ep.reward.normalized).toBe(0);
  });

  it.each(WEAKNESS_TYPES.map((w) => [w]))('no-edit shortcut in an episode (%s)', async (w) => {
    const row = makeRow({ weakness: { ...makeRow().weakness, type: w } });
    const judge = fixedJudge(BEST);
    const ep = await runEpisode({ row, policy: scripted([formatToolCall('review'), formatToolCall('submit')]), judge });
    expect(judge.calls).toHaveLength(0);
    expect(ep.reward.content).toMatchObject({ source: 'no_edit', hallucination: -1, total: -1.25 });
    expect(ep.reward.total).toBe(2 + 1 - 1.25);
  });

  it('a message without a tool call ends the episode', async () => {
    const judge = fixedJudge(BEST);
    const ep = await runEpisode({ row: makeRow(), policy: scripted(['<think>hmm</think>\nLooks good to me.']), judge });
    expect(ep.endReason).toBe('no_tool_call');
    expect(ep.turns).toHaveLength(1);
    expect(ep.turns[0]!.reply).toBeUndefined();
    expect(ep.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant']);
    expect(ep.reward.total).toBe(-1 + 1 - 1.25);
    expect(judge.calls).toHaveLength(0);
  });

  it('shows the policy the growing transcript', async () => {
    const policy = scripted([sr('Responsible for', 'Owned'), formatToolCall('submit')]);
    const ep = await runEpisode({ row: makeRow(), policy, judge: fixedJudge(BEST), maxTokensPerTurn: 100 });
    expect(policy.seen.map((s) => s.turn)).toEqual([1, 2]);
    expect(policy.seen[0]!.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(policy.seen[0]!.messages[0]!.content).toBe(SYSTEM_PROMPT);
    expect(policy.seen[0]!.lastAssistant).toBeUndefined();
    expect(policy.seen[0]!.maxTokens).toBe(100);
    expect(policy.seen[1]!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(policy.seen[1]!.lastAssistant).toBe(sr('Responsible for', 'Owned'));
    expect(policy.seen[1]!.messages[3]!.content).toMatch(/^--- a\/resume.md\n[\s\S]*\nturns left: 9\/10 \| edits: 1$/);
    expect(ep.messages).toHaveLength(6);
    expect(ep.messages[5]!.content).toBe('submitted resume.md: 16/55 lines - ok\nturns left: 8/10 | edits: 1');
    expect(ep.turns.map((t) => t.tool)).toEqual(['str_replace', 'submit']);
  });

  it('carries policy meta through to the turn records', async () => {
    const policy: Policy<{ ids: number[] }> = async ({ turn }) => ({ text: formatToolCall('submit'), meta: { ids: [turn] } });
    const ep = await runEpisode({ row: makeRow(), policy, judge: fixedJudge(BEST) });
    expect(ep.turns[0]!.meta).toEqual({ ids: [1] });
  });

  it('stops on the episode token budget and caps each turn by what is left', async () => {
    const countTokens = (s: string) => Math.ceil(s.length / 4);
    const row = makeRow();
    const seen: number[] = [];
    const policy: Policy = async ({ maxTokens }) => {
      seen.push(maxTokens);
      return formatToolCall('review');
    };
    const start = countTokens(SYSTEM_PROMPT) + 300; // a little room past the opening
    const ep = await runEpisode({ row, policy, judge: fixedJudge(BEST), countTokens, maxEpisodeTokens: start + 400, maxTokensPerTurn: 200 });
    expect(ep.endReason).toBe('token_budget');
    expect(seen[0]).toBe(200);
    expect(seen.at(-1)!).toBeLessThan(200);
    expect(ep.turns.length).toBeLessThan(10);
    expect(ep.reward.tool.noCall).toBe(0);
    expect(ep.reward.tool.points.noSubmit).toBe(-1);
  });

  it('records a judge failure instead of a score', async () => {
    const ep = await runEpisode({
      row: makeRow(),
      policy: scripted([sr('Responsible for', 'Owned'), formatToolCall('submit')]),
      judge: fixedJudge(new Error('timeout')),
    });
    expect(ep.reward.judgeError).toBe('judge fixed failed: Error: timeout');
    expect(ep.reward.content).toBeUndefined();
    expect(ep.reward.total).toBeUndefined();
    expect(renderEpisodeMarkdown(ep)).toContain('| **total** | reward unknown (judge failed) | **n/a** |');
  });

  it('propagates a policy failure (infrastructure, not model text)', async () => {
    const policy: Policy = async () => {
      throw new Error('sampler died');
    };
    await expect(runEpisode({ row: makeRow(), policy, judge: fixedJudge(BEST) })).rejects.toThrow('sampler died');
  });
});

describe('renderEpisodeMarkdown', () => {
  it('renders turns, the final diff and the reward table', async () => {
    const script = [
      '<think>\nThe first bullet is passive.\n</think>\n\n' + sr('- Responsible for the payments API', '- Owned the `payments` API'),
      formatToolCall('submit'),
    ];
    const ep = await runEpisode({ row: makeRow(), policy: scripted(script), judge: fixedJudge(BEST) });
    const md = renderEpisodeMarkdown(ep);
    expect(md).toContain('# Episode ex-001 (planted weakness: weak_verbs)');
    expect(md).toContain('Ended by submit after 2 turn(s); reward R = +5.25.');
    expect(md).not.toContain('## System prompt');
    expect(renderEpisodeMarkdown(ep, { system: true })).toContain(`## System prompt\n\n\`\`\`text\n${SYSTEM_PROMPT}\n`);
    const short = renderEpisodeMarkdown(ep, { system: 'abbreviated' });
    expect(short).toContain('## System prompt (abbreviated)\n\n```text\nYou are an expert resume editor.');
    expect(short).toMatch(/\[\.\.\. \d+ more lines: SYSTEM_PROMPT in src\/env\/resume\/prompts\.ts\]/);
    expect(md).toContain('| 1 | str_replace | str_replace, 1 replaced | +0.25 |');
    expect(md).toContain('| 2 | submit | submit | +1.00 |');
    expect(md).toContain('| | | **tool syntax total** | **+1.25** |');
    expect(md).toContain('## Turn 1: str_replace, 1 replaced');
    expect(md).toContain('## Turn 2: submit');
    expect(md).toContain('```diff\n--- a/resume.md\n+++ b/resume.md\n');
    expect(md).toContain('| tool syntax | str_replace: 1 ok, 0 failed | +0.25 |');
    expect(md).toContain('| tool syntax | submitted | +1.00 |');
    expect(md).toContain('| layout | 16/55 lines | +1.00 |');
    expect(md).toContain('| content (judge) | hallucination: faithful | +1.00 |');
    expect(md).toContain('| content (judge) | overall preference: better | +1.00 |');
    expect(md).toContain(`| **total** | normalized ${((100 * 12.25) / 15).toFixed(1)} / 100 | **+5.25** |`);
  });

  it('uses a fence longer than any backtick run in the content', async () => {
    const text = 'Here: ```` four backticks\n' + formatToolCall('submit');
    const ep = await runEpisode({ row: makeRow(), policy: scripted([text]), judge: fixedJudge(BEST) });
    const md = renderEpisodeMarkdown(ep);
    expect(md).toContain('`````text\nHere: ```` four backticks');
    expect(md).toContain('(unchanged)');
    expect(md).toContain('| 1 | submit | submit | +1.00 |');
    expect(md).not.toContain('no submit by the end');
    expect(md).toContain('| content (no edit, no judge call) | action verbs | -0.25 |');
  });
});

describe('the user message', () => {
  it('contains the resume exactly as the env sees it', async () => {
    const policy = scripted([formatToolCall('submit')]);
    await runEpisode({ row: makeRow(), policy, judge: fixedJudge(BEST) });
    expect(policy.seen[0]!.messages[1]!.content).toContain(RESUME);
  });
});
