import { describe, expect, it } from 'vitest';
import {
  LINE_LIMIT,
  WRAP_WIDTH,
  codePoints,
  firstOverflowIndex,
  layoutLineCount,
  layoutStats,
  layoutSummary,
  lineStatus,
  lineWeight,
  sourceLines,
} from '../../src/data/layout.js';
import { lines } from '../env/fixtures.js';

describe('layout counting (spec section 3)', () => {
  it('uses the published limits', () => {
    expect(LINE_LIMIT).toBe(55);
    expect(WRAP_WIDTH).toBe(165);
  });

  it('a final trailing newline adds no line; other newlines do', () => {
    expect(layoutStats('a\nb').lines).toBe(2);
    expect(layoutStats('a\nb\n').lines).toBe(2);
    expect(layoutStats('a\nb\n\n').lines).toBe(3); // one blank line, then the final newline
    expect(layoutStats('\n').lines).toBe(1);
    // (choice) the empty document has no line at all; "\n" is one blank line.
    expect(layoutStats('').lines).toBe(0);
    expect(layoutLineCount('')).toBe(0);
    expect(sourceLines('')).toEqual([]);
    expect(layoutLineCount('a\n\nb\n')).toBe(3);
    expect(sourceLines('a\n\nb\n')).toEqual(['a', '', 'b']);
  });

  it('blank lines count 1', () => {
    expect(lineWeight('')).toBe(1);
    expect(layoutStats('a\n\n\nb\n').lines).toBe(4);
  });

  it('wraps at 165: 165 chars is 1 line, 166 is 2, 330 is 2, 331 is 3', () => {
    expect(lineWeight('x'.repeat(165))).toBe(1);
    expect(lineWeight('x'.repeat(166))).toBe(2);
    expect(lineWeight('x'.repeat(330))).toBe(2);
    expect(lineWeight('x'.repeat(331))).toBe(3);
    expect(layoutStats(`a\n${'x'.repeat(166)}\nb\n`).lines).toBe(4);
  });

  it('counts Unicode code points, not UTF-16 units', () => {
    const rocket = '🚀'; // 2 UTF-16 units, 1 code point
    expect(rocket.length).toBe(2);
    expect(codePoints(rocket)).toBe(1);
    expect(lineWeight(rocket.repeat(165))).toBe(1); // 330 UTF-16 units, still one line
    expect(lineWeight(rocket.repeat(166))).toBe(2);
    expect(lineWeight('é'.repeat(165))).toBe(1);
    // A combining accent is a code point of its own.
    expect(codePoints('e\u0301')).toBe(2);
  });

  it('"\\r" is an ordinary code point', () => {
    expect(sourceLines('a\r\nb\r\n')).toEqual(['a\r', 'b\r']);
    expect(lineWeight('x'.repeat(164) + '\r')).toBe(1);
    expect(lineWeight('x'.repeat(165) + '\r')).toBe(2);
  });

  it('reports the limit and the longest line', () => {
    const doc = `short\n${'y'.repeat(170)}\n${'z'.repeat(170)}\n`;
    const s = layoutStats(doc);
    expect(s).toEqual({
      lines: 5,
      limit: 55,
      over: 0,
      pass: true,
      sourceLines: 3,
      longestLine: 2,
      longestChars: 170,
    });
    expect(layoutSummary(s)).toBe('5/55 lines - ok | longest line: line 2, 170 chars (wraps at 165, counts 2 lines)');
  });

  it('55 lines pass, 56 do not', () => {
    expect(layoutStats(lines(55)).pass).toBe(true);
    const s = layoutStats(lines(56));
    expect(s.pass).toBe(false);
    expect(s.over).toBe(1);
    expect(lineStatus(layoutStats(lines(74)))).toBe('74/55 lines - over by 19');
    expect(lineStatus(layoutStats(lines(48)))).toBe('48/55 lines - ok');
    expect(layoutSummary(layoutStats(lines(48)))).toBe('48/55 lines - ok | longest line: line 1, 10 chars');
  });

  it('places the overflow cut before the first source line that does not fit', () => {
    expect(firstOverflowIndex(sourceLines(lines(55)))).toBe(-1);
    expect(firstOverflowIndex(sourceLines(lines(56)))).toBe(55);
    // Line 54 (index 53) wraps to page lines 54-55: it fits; line 55 (index 54) starts page line 56.
    const src = sourceLines(lines(60));
    src[53] = 'w'.repeat(200);
    expect(firstOverflowIndex(src)).toBe(54);
    // Line 55 (index 54) wraps across the limit (page lines 55-56): it goes below the cut.
    const src2 = sourceLines(lines(60));
    src2[54] = 'w'.repeat(200);
    expect(firstOverflowIndex(src2)).toBe(54);
    src2.length = 55;
    expect(firstOverflowIndex(src2)).toBe(54);
  });
});
