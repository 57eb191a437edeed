// Checks that go beyond the zod shape: the row's numbers and line references must agree with its
// own text (weak line N is exactly line N of the resume; stats are recomputable; only too_long
// starts over the page limit).
import { layoutLineCount, LINE_LIMIT } from './layout.js';
import type { DataRow } from './schema.js';
import { outline } from './sections.js';

export interface RowIssue {
  path: (string | number)[];
  message: string;
}

/** `path.to.field: message`, for a RowIssue or a zod issue alike. */
export function describeIssue(i: { path: readonly PropertyKey[]; message: string }): string {
  return `${i.path.map(String).join('.')}: ${i.message}`;
}

export function checkRow(row: DataRow): RowIssue[] {
  const issues: RowIssue[] = [];
  const o = outline(row.resume);
  const layout = layoutLineCount(row.resume);
  if (row.stats.lines !== layout) {
    issues.push({ path: ['stats', 'lines'], message: `is ${row.stats.lines} but the resume has ${layout} layout lines` });
  }
  if (row.stats.bullets !== o.bulletLines.length) {
    issues.push({ path: ['stats', 'bullets'], message: `is ${row.stats.bullets} but the resume has ${o.bulletLines.length} bullets under Experience/Projects sections` });
  }
  const bulletSet = new Set(o.bulletLines);
  const weakBullets = row.weakness.lines.filter((w) => bulletSet.has(w.line)).length;
  if (row.stats.weak_bullets !== weakBullets) {
    issues.push({ path: ['stats', 'weak_bullets'], message: `is ${row.stats.weak_bullets} but ${weakBullets} weak lines are bullets` });
  }
  const seen = new Set<number>();
  row.weakness.lines.forEach((w, i) => {
    if (w.line > o.lines.length) {
      issues.push({ path: ['weakness', 'lines', i, 'line'], message: `line ${w.line} is past the end of the resume (${o.lines.length} lines)` });
    } else if (o.lines[w.line - 1] !== w.text) {
      issues.push({ path: ['weakness', 'lines', i, 'text'], message: `does not match resume line ${w.line}: ${JSON.stringify(o.lines[w.line - 1])}` });
    }
    if (seen.has(w.line)) issues.push({ path: ['weakness', 'lines', i, 'line'], message: `line ${w.line} is listed twice` });
    seen.add(w.line);
  });
  if (row.weakness.lines.length === 0) issues.push({ path: ['weakness', 'lines'], message: 'no weak lines listed' });
  const over = layout > LINE_LIMIT;
  if (row.weakness.type === 'too_long' && !over) {
    issues.push({ path: ['stats', 'lines'], message: `too_long resume must start over ${LINE_LIMIT} layout lines, has ${layout}` });
  }
  if (row.weakness.type !== 'too_long' && over) {
    issues.push({ path: ['stats', 'lines'], message: `only too_long may exceed ${LINE_LIMIT} layout lines; this ${row.weakness.type} resume has ${layout}` });
  }
  return issues;
}
