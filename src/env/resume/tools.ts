// The three tools and their exact reply texts (without the meta line, which the env appends).
import { z } from 'zod';
import { layoutStats, layoutSummary, lineStatus } from '../../data/layout.js';
import { unifiedDiff } from './diff.js';
import { renderResume } from './view.js';
import { TOOL_NAMES } from './prompts.js';
import type { StrReplaceError } from '../../reward/outcome.js';

export type StrReplaceResult =
  | { ok: true; doc: string; replaced: number; reply: string }
  | { ok: false; error: StrReplaceError; reply: string };

// Strict: an unknown field (e.g. "old_str" from another agent's tool set) is named in the error
// instead of being silently dropped.
const StrReplaceArgs = z.strictObject({
  old: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }),
  new: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a string') }),
  count: z
    .number({ error: 'must be an integer >= 1' })
    .int({ error: 'must be an integer >= 1' })
    .min(1, { error: 'must be an integer >= 1' })
    .optional(),
});

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((iss) => {
      if (iss.code === 'unrecognized_keys') {
        return iss.keys.map((k) => `unexpected field "${k}"`).join('; ');
      }
      return `field "${iss.path.join('.')}" ${iss.message}`;
    })
    .join('; ');
}

/** Non-overlapping occurrences, left to right (the same ones split/join replaces). */
export function countOccurrences(doc: string, old: string): number {
  let n = 0;
  for (let at = doc.indexOf(old); at !== -1; at = doc.indexOf(old, at + old.length)) n++;
  return n;
}

/**
 * Strict exact match. (choice, spec section 2) `count` is the number of occurrences the caller
 * expects; any other number found changes nothing and the error says how many there are.
 */
export function strReplace(doc: string, rawArgs: Record<string, unknown>): StrReplaceResult {
  const parsed = StrReplaceArgs.safeParse(rawArgs);
  if (!parsed.success) {
    return {
      ok: false,
      error: 'bad_arguments',
      reply: `error: str_replace: bad arguments: ${describeIssues(parsed.error)}`,
    };
  }
  const { old, new: replacement, count = 1 } = parsed.data;
  if (old === '') {
    return {
      ok: false,
      error: 'empty_old',
      reply: 'error: str_replace: "old" is empty; copy the exact text to replace from the resume',
    };
  }
  if (old === replacement) {
    return { ok: false, error: 'identical', reply: 'error: str_replace: "new" is identical to "old"; nothing to change' };
  }
  const found = countOccurrences(doc, old);
  if (found === 0) {
    return {
      ok: false,
      error: 'not_found',
      reply:
        'error: str_replace: text not found; "old" must match the resume exactly (spaces, punctuation and line breaks included); nothing changed',
    };
  }
  if (found > count) {
    return {
      ok: false,
      error: 'count_mismatch',
      reply: `error: str_replace: multiple matches: found ${found}, expected ${count}; nothing changed. Add surrounding text to "old" to make it unique, or set "count" to ${found} to replace all of them`,
    };
  }
  if (found < count) {
    return {
      ok: false,
      error: 'count_mismatch',
      reply: `error: str_replace: too few matches: found ${found}, expected ${count}; nothing changed`,
    };
  }
  // split/join, not String.replace: "$&" and friends in `new` must stay literal.
  const next = doc.split(old).join(replacement);
  const stats = layoutStats(next);
  const diff = unifiedDiff(doc, next);
  const what = `replaced ${found} occurrence${found === 1 ? '' : 's'}`;
  return { ok: true, doc: next, replaced: found, reply: `${diff}\n${what} | ${layoutSummary(stats)}` };
}

export function reviewReply(doc: string): string {
  return renderResume(doc);
}

export function submitReply(doc: string): string {
  return `submitted resume.md: ${lineStatus(layoutStats(doc))}`;
}

export function unknownToolReply(name: string): string {
  return `error: unknown tool ${JSON.stringify(name)}; the tools are ${TOOL_NAMES.join(', ')}`;
}

export function multipleCallsReply(n: number): string {
  return `error: found ${n} tool calls in one message; none was executed. Make exactly one tool call per message`;
}
