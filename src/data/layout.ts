// The page-limit proxy of resume-task.md section 3 (a **(choice)** of the spec): split on '\n', a
// final trailing newline adds no line, each line counts max(1, ceil(code points / 165)).
// The environment has its own copy of this rule; the data tests pin the same numbers.

export const PAGE_LINE_LIMIT = 55;
export const WRAP_WIDTH = 165;

/** The physical lines of a text, as line numbers see them (line n is lines[n - 1]). */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && text.endsWith('\n')) lines.pop();
  return lines;
}

/** Code points, not UTF-16 units: 'é' or an emoji is one character on the page. */
export function codePoints(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function lineWeight(line: string): number {
  return Math.max(1, Math.ceil(codePoints(line) / WRAP_WIDTH));
}

/** Layout lines of a whole document (the number compared with the 55-line limit). */
export function layoutLineCount(text: string): number {
  let n = 0;
  for (const line of splitLines(text)) n += lineWeight(line);
  return n;
}
