import { describe, expect, it } from 'vitest';
import {
  MAX_EPISODE_TOKENS,
  MAX_TOKENS_PER_TURN,
  MAX_TURNS,
  SYSTEM_PROMPT,
  TOOL_NAMES,
  TOOL_SCHEMAS,
  initialMessages,
} from '../../src/env/resume/prompts.js';
import { strReplace } from '../../src/env/resume/tools.js';
import { makeRow } from './fixtures.js';

describe('prompts and tool schemas', () => {
  it('budgets', () => {
    expect(MAX_TURNS).toBe(10);
    expect(MAX_TOKENS_PER_TURN).toBeGreaterThan(0);
    expect(MAX_EPISODE_TOKENS).toBeGreaterThan(MAX_TOKENS_PER_TURN);
  });

  it('the system prompt states the rules the env enforces', () => {
    for (const s of ['55 lines', '165 characters', 'one tool call per message', 'Never invent facts', 'exactly']) {
      expect(SYSTEM_PROMPT).toContain(s);
    }
  });

  it('the opening shows the JD and the resume, never the weakness', () => {
    const row = makeRow();
    const [sys, user] = initialMessages(row.jd, row.resume);
    expect(sys).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    expect(user!.role).toBe('user');
    expect(user!.content).toContain(row.jd);
    expect(user!.content).toContain(`<resume>\n${row.resume}</resume>\n16/55 lines - ok`);
    for (const hidden of [row.weakness.type, 'weak_verbs', row.weakness.description, 'weakness']) {
      expect(user!.content).not.toContain(hidden);
      expect(sys!.content).not.toContain(hidden);
    }
  });

  it('tool schemas match the tools the env runs', () => {
    expect(TOOL_SCHEMAS.map((t) => t.function.name)).toEqual([...TOOL_NAMES]);
    const sr = TOOL_SCHEMAS[0]!.function.parameters;
    expect(Object.keys(sr.properties)).toEqual(['old', 'new', 'count']);
    expect(sr.required).toEqual(['old', 'new']);
    // The env accepts exactly the schema's fields.
    expect(strReplace('a b', { old: 'a', new: 'c', count: 1 }).ok).toBe(true);
    expect(strReplace('a b', { old: 'a', new: 'c', extra: 1 }).ok).toBe(false);
  });
});
