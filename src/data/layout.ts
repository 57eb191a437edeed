// The page-layout proxy (resume-task.md section 3): 55 lines, lines auto-wrapped at 165 characters.
// The one implementation of the rule: the environment (src/env/resume), the layout rubric
// (src/reward) and the dataset generator beside it all count with it.

export const LINE_LIMIT = 55;
export const WRAP_WIDTH = 165;

/** Number of Unicode code points (not UTF-16 units): "é" and "🚀" count 1 each. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * The document's source lines (line n is lines[n - 1]). (choice, spec section 3) split on "\n"; a
 * final trailing newline adds no line. (choice) The empty document has 0 lines, as POSIX tools and
 * our unified diff count it (there is nothing on the page); "\n" is one blank line. "\r" is not
 * special: it is a code point like any other.
 */
export function sourceLines(doc: string): string[] {
  if (doc === '') return [];
  const lines = doc.split('\n');
  if (doc.endsWith('\n')) lines.pop();
  return lines;
}

/** Page lines one source line takes: max(1, ceil(codepoints / 165)); blank lines count 1. */
export function lineWeight(line: string): number {
  return Math.max(1, Math.ceil(codePoints(line) / WRAP_WIDTH));
}

/** Page lines of a whole document: the number compared with the 55-line limit. */
export function layoutLineCount(doc: string): number {
  let n = 0;
  for (const line of sourceLines(doc)) n += lineWeight(line);
  return n;
}

export interface LayoutStats {
  /** Page lines after wrapping: the number compared with the limit. */
  lines: number;
  limit: number;
  /** lines - limit when over, else 0. */
  over: number;
  pass: boolean;
  /** Source lines (before wrapping). */
  sourceLines: number;
  /** The longest source line (the first one when tied), 1-based; 0 for an empty document. */
  longestLine: number;
  longestChars: number;
}

export function layoutStats(doc: string): LayoutStats {
  const lines = sourceLines(doc);
  const total = layoutLineCount(doc);
  let longestLine = 0;
  let longestChars = 0;
  lines.forEach((l, i) => {
    const c = codePoints(l);
    if (longestLine === 0 || c > longestChars) {
      longestLine = i + 1;
      longestChars = c;
    }
  });
  const over = Math.max(0, total - LINE_LIMIT);
  return {
    lines: total,
    limit: LINE_LIMIT,
    over,
    pass: total <= LINE_LIMIT,
    sourceLines: lines.length,
    longestLine,
    longestChars,
  };
}

/** The constraint status, e.g. `74/55 lines - over by 19` or `48/55 lines - ok`. */
export function lineStatus(s: LayoutStats): string {
  return `${s.lines}/${s.limit} lines - ${s.pass ? 'ok' : `over by ${s.over}`}`;
}

/**
 * Layout stats as one line, e.g. `48/55 lines - ok | longest line: line 12, 170 chars (wraps at 165,
 * counts 2 lines)`; the wrap note appears only for lines longer than 165.
 */
export function layoutSummary(s: LayoutStats): string {
  let longest = `longest line: line ${s.longestLine}, ${s.longestChars} chars`;
  if (s.longestChars > WRAP_WIDTH) {
    longest += ` (wraps at ${WRAP_WIDTH}, counts ${Math.ceil(s.longestChars / WRAP_WIDTH)} lines)`;
  }
  return `${lineStatus(s)} | ${longest}`;
}

/**
 * Index (0-based, into sourceLines) of the first source line that does not fit entirely within the
 * limit, or -1 when the document fits. (choice) A source line that wraps across the 55th page line
 * belongs below the overflow delimiter: everything under the delimiter is, at least partly, off the
 * page. For unwrapped documents this is exactly "after line 55".
 */
export function firstOverflowIndex(lines: string[]): number {
  let total = 0;
  for (let i = 0; i < lines.length; i++) {
    total += lineWeight(lines[i]!);
    if (total > LINE_LIMIT) return i;
  }
  return -1;
}
