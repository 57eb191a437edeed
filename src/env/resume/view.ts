// How the resume is shown to the agent: in the first user message and in review() replies.
//
// Format (choice):
//   <resume>
//   ...the document's lines, as is (no line numbers: "old" must be copyable verbatim)...
//   === over the 55-line limit below this line ===      <- only when over, see firstOverflowIndex
//   ...the lines that do not fit...
//   </resume>
//   74/55 lines - over by 19 | longest line: line 12, 140 chars
import { LINE_LIMIT, firstOverflowIndex, layoutStats, layoutSummary, sourceLines } from '../../data/layout.js';

export const OVERFLOW_DELIMITER = `=== over the ${LINE_LIMIT}-line limit below this line ===`;

export function renderResume(doc: string): string {
  const lines = sourceLines(doc);
  const cut = firstOverflowIndex(lines);
  const body = cut === -1 ? lines : [...lines.slice(0, cut), OVERFLOW_DELIMITER, ...lines.slice(cut)];
  return ['<resume>', ...body, '</resume>', layoutSummary(layoutStats(doc))].join('\n');
}
