import { describe, expect, it } from 'vitest';
import { ResumeEnv } from '../../src/env/resume/env.js';
import { OVERFLOW_DELIMITER, renderResume } from '../../src/env/resume/view.js';
import { countOccurrences, strReplace } from '../../src/env/resume/tools.js';
import { formatToolCall } from '../../src/io/toolcall.js';
import { RESUME, lines } from './fixtures.js';

const sr = (args: Record<string, unknown>) => formatToolCall('str_replace', args);

describe('str_replace', () => {
  it('replaces one exact match and replies with a diff, layout stats and the meta line', () => {
    const env = new ResumeEnv(RESUME);
    const r = env.step(sr({ old: '- Responsible for the payments API', new: '- Owned the payments API' }));
    expect(r.outcome).toEqual({ kind: 'str_replace', ok: true, replaced: 1 });
    expect(r.done).toBe(false);
    expect(r.reply).toBe(
      [
        '--- a/resume.md',
        '+++ b/resume.md',
        '@@ -4,7 +4,7 @@',
        ' ## Experience',
        ' ',
        ' ### Senior Backend Engineer, Finlytics (2021 - present)',
        '-- Responsible for the payments API',
        '+- Owned the payments API',
        ' - Worked on database performance',
        ' - Led migration of 40 services to Kubernetes, cutting deploy time from 2 h to 15 min',
        ' ',
        'replaced 1 occurrence | 16/55 lines - ok | longest line: line 9, 84 chars',
        'turns left: 9/10 | edits: 1',
      ].join('\n'),
    );
    expect(env.doc).toBe(RESUME.replace('- Responsible for the payments API', '- Owned the payments API'));
    expect(env.edits).toBe(1);
  });

  it('count: replaces every occurrence when the count matches', () => {
    const doc = 'a x\nb x\nc x\n';
    const r = strReplace(doc, { old: 'x', new: 'y', count: 3 });
    expect(r.ok && r.doc).toBe('a y\nb y\nc y\n');
    expect(r.reply.split('\n').at(-1)).toBe('replaced 3 occurrences | 3/55 lines - ok | longest line: line 1, 3 chars');
  });

  it('text not found', () => {
    const env = new ResumeEnv(RESUME);
    const r = env.step(sr({ old: 'Responsible for payments API', new: 'Owned it' }));
    expect(r.outcome).toEqual({ kind: 'str_replace', ok: false, error: 'not_found' });
    expect(r.reply).toBe(
      'error: str_replace: text not found; "old" must match the resume exactly (spaces, punctuation and line breaks included); nothing changed\nturns left: 9/10 | edits: 0',
    );
    expect(env.doc).toBe(RESUME);
  });

  it('no fuzzy matching: case, whitespace and near misses fail', () => {
    for (const old of ['- responsible for the payments API', '-  Responsible for the payments API', 'Responsible for the payments API.']) {
      expect(strReplace(RESUME, { old, new: 'z' }).ok).toBe(false);
    }
  });

  it('multiple matches with the default count of 1', () => {
    const r = strReplace('a x\nb x\n', { old: 'x', new: 'y' });
    expect(r).toEqual({
      ok: false,
      error: 'count_mismatch',
      reply:
        'error: str_replace: multiple matches: found 2, expected 1; nothing changed. Add surrounding text to "old" to make it unique, or set "count" to 2 to replace all of them',
    });
  });

  it('too few matches for the count', () => {
    const r = strReplace('a x\nb x\n', { old: 'x', new: 'y', count: 3 });
    expect(r.reply).toBe('error: str_replace: too few matches: found 2, expected 3; nothing changed');
  });

  it('counts non-overlapping occurrences', () => {
    expect(countOccurrences('aaaa', 'aa')).toBe(2);
    expect(countOccurrences('aaa', 'aa')).toBe(1);
    const r = strReplace('aaa', { old: 'aa', new: 'b' });
    expect(r.ok && r.doc).toBe('ba');
  });

  it('empty old, and new identical to old', () => {
    expect(strReplace(RESUME, { old: '', new: 'x' }).reply).toBe(
      'error: str_replace: "old" is empty; copy the exact text to replace from the resume',
    );
    expect(strReplace(RESUME, { old: 'Go', new: 'Go' }).reply).toBe(
      'error: str_replace: "new" is identical to "old"; nothing to change',
    );
  });

  it('bad arguments name the field', () => {
    const reply = (args: Record<string, unknown>) => strReplace(RESUME, args).reply;
    expect(reply({ new: 'x' })).toBe('error: str_replace: bad arguments: field "old" is required');
    expect(reply({ old: 5, new: 'x' })).toBe('error: str_replace: bad arguments: field "old" must be a string');
    expect(reply({ old: 'Go', new: null })).toBe('error: str_replace: bad arguments: field "new" must be a string');
    expect(reply({ old: 'Go', new: 'x', count: 0 })).toBe('error: str_replace: bad arguments: field "count" must be an integer >= 1');
    expect(reply({ old: 'Go', new: 'x', count: 1.5 })).toBe('error: str_replace: bad arguments: field "count" must be an integer >= 1');
    expect(reply({ old: 'Go', new: 'x', count: '2' })).toBe('error: str_replace: bad arguments: field "count" must be an integer >= 1');
    expect(reply({ old_str: 'Go', new_str: 'x' })).toBe(
      'error: str_replace: bad arguments: field "old" is required; field "new" is required; unexpected field "old_str"; unexpected field "new_str"',
    );
    expect(strReplace(RESUME, { new: 'x' })).toMatchObject({ ok: false, error: 'bad_arguments' });
  });

  it('keeps "$" patterns in new literal', () => {
    const r = strReplace('pay $5\n', { old: 'pay', new: "$& $' $1" });
    expect(r.ok && r.doc).toBe("$& $' $1 $5\n");
  });

  it('edits across lines and with Unicode', () => {
    const r = strReplace('Café\nBar\n', { old: 'Café\nBar', new: 'Café ☕ Bar' });
    expect(r.ok && r.doc).toBe('Café ☕ Bar\n');
    expect(r.reply).toBe(
      '--- a/resume.md\n+++ b/resume.md\n@@ -1,2 +1 @@\n-Café\n-Bar\n+Café ☕ Bar\nreplaced 1 occurrence | 1/55 lines - ok | longest line: line 1, 10 chars',
    );
  });
});

describe('review', () => {
  it('shows the resume and its status', () => {
    const env = new ResumeEnv('a\nb\n');
    const r = env.step(formatToolCall('review'));
    expect(r.outcome).toEqual({ kind: 'review' });
    expect(r.reply).toBe('<resume>\na\nb\n</resume>\n2/55 lines - ok | longest line: line 1, 1 chars\nturns left: 9/10 | edits: 0');
  });

  it('puts the overflow delimiter after line 55 when over', () => {
    const doc = lines(74);
    const view = renderResume(doc).split('\n');
    expect(OVERFLOW_DELIMITER).toBe('=== over the 55-line limit below this line ===');
    expect(view[0]).toBe('<resume>');
    expect(view[55]).toBe('55xxxxxxxx');
    expect(view[56]).toBe(OVERFLOW_DELIMITER);
    expect(view[57]).toBe('56xxxxxxxx');
    expect(view.at(-2)).toBe('</resume>');
    expect(view.at(-1)).toBe('74/55 lines - over by 19 | longest line: line 1, 10 chars');
    expect(view.filter((l) => l === OVERFLOW_DELIMITER)).toHaveLength(1);
    expect(renderResume(lines(55))).not.toContain(OVERFLOW_DELIMITER);
  });

  it('ignores arguments (it takes none and cannot fail)', () => {
    const env = new ResumeEnv('a\n');
    expect(env.step(formatToolCall('review', { line: 3 })).outcome).toEqual({ kind: 'review' });
  });
});

describe('episode control', () => {
  it('submit ends the episode', () => {
    const env = new ResumeEnv(lines(60));
    const r = env.step(formatToolCall('submit'));
    expect(r).toMatchObject({ outcome: { kind: 'submit' }, done: true, endReason: 'submit' });
    expect(r.reply).toBe('submitted resume.md: 60/55 lines - over by 5\nturns left: 9/10 | edits: 0');
    expect(() => env.step(formatToolCall('review'))).toThrow(/already ended \(submit\)/);
  });

  it('a message without a tool call ends the episode with no reply', () => {
    const env = new ResumeEnv('a\n');
    const r = env.step('I think the resume is fine.');
    expect(r).toMatchObject({ outcome: { kind: 'none' }, done: true, endReason: 'no_tool_call' });
    expect(r.reply).toBeUndefined();
  });

  it('unknown tool', () => {
    const env = new ResumeEnv('a\n');
    const r = env.step(formatToolCall('view', { path: 'resume.md' }));
    expect(r.outcome).toEqual({ kind: 'failed', error: 'unknown_tool' });
    expect(r.reply).toBe('error: unknown tool "view"; the tools are str_replace, review, submit\nturns left: 9/10 | edits: 0');
  });

  it('several calls in one message: none executed', () => {
    const env = new ResumeEnv('a\n');
    const r = env.step(`${sr({ old: 'a', new: 'b' })}\n${formatToolCall('submit')}`);
    expect(r.outcome).toEqual({ kind: 'failed', error: 'multiple_calls' });
    expect(r.done).toBe(false);
    expect(env.doc).toBe('a\n');
    expect(r.reply).toBe(
      'error: found 2 tool calls in one message; none was executed. Make exactly one tool call per message\nturns left: 9/10 | edits: 0',
    );
  });

  it('a broken call: error reply, nothing executed', () => {
    const env = new ResumeEnv('a\n');
    const r = env.step('<tool_call>\n{"name": "submit", "arguments": {}\n</tool_call>');
    expect(r.outcome).toEqual({ kind: 'failed', error: 'broken_json' });
    expect(r.done).toBe(false);
    expect(r.reply).toBe('error: the tool call is not valid JSON; nothing was executed\nturns left: 9/10 | edits: 0');
    const u = env.step('<tool_call>\n{"name": "submit", "arguments": {}}');
    expect(u.reply).toBe('error: <tool_call> is not closed by </tool_call>; nothing was executed\nturns left: 8/10 | edits: 0');
  });

  it('counts turns and edits in the meta line and stops after 10 turns', () => {
    const env = new ResumeEnv('a0\n');
    const replies: string[] = [];
    for (let t = 0; t < 10; t++) {
      // even turns succeed (a0 -> a2 -> a4 ...), odd turns fail
      const r = env.step(t % 2 === 0 ? sr({ old: `a${t}`, new: `a${t + 2}` }) : sr({ old: 'missing', new: 'x' }));
      replies.push(r.reply!.split('\n').at(-1)!);
      if (t < 9) expect(r.done).toBe(false);
      else expect(r).toMatchObject({ done: true, endReason: 'turn_budget' });
    }
    expect(env.doc).toBe('a10\n');
    expect(replies[0]).toBe('turns left: 9/10 | edits: 1');
    expect(replies[1]).toBe('turns left: 8/10 | edits: 1');
    expect(replies[2]).toBe('turns left: 7/10 | edits: 2');
    expect(replies[9]).toBe('turns left: 0/10 | edits: 5');
    expect(env.outcomes).toHaveLength(10);
  });
});
