import { describe, expect, it } from 'vitest';
import { layoutLineCount, lineWeight, splitLines } from '../../src/data/layout.js';
import { outline, sectionHeading } from '../../src/data/sections.js';

describe('layout line count (resume-task.md section 3)', () => {
  it('splits on \\n and ignores one trailing newline', () => {
    expect(splitLines('a\nb')).toEqual(['a', 'b']);
    expect(splitLines('a\nb\n')).toEqual(['a', 'b']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
    expect(layoutLineCount('a\n\nb\n')).toBe(3); // the blank line counts 1
  });

  it('wraps at 165 code points', () => {
    expect(lineWeight('x'.repeat(165))).toBe(1);
    expect(lineWeight('x'.repeat(166))).toBe(2);
    expect(lineWeight('x'.repeat(330))).toBe(2);
    expect(lineWeight('x'.repeat(331))).toBe(3);
    expect(lineWeight('')).toBe(1);
    // 165 emoji are 330 UTF-16 units but 165 code points: one line.
    expect(lineWeight('😀'.repeat(165))).toBe(1);
    expect(layoutLineCount(`${'y'.repeat(200)}\nshort\n`)).toBe(3);
  });
});

describe('resume outline', () => {
  it('finds section headings in #, ## , ### and bold forms, but not job headers', () => {
    expect(sectionHeading('## Experience')).toBe('experience');
    expect(sectionHeading('### Technical Skills')).toBe('technical skills');
    expect(sectionHeading('**Education**')).toBe('education');
    expect(sectionHeading('### Senior Engineer | Acme | 2020 - Present')).toBeNull();
    expect(sectionHeading('**Engineer**, Acme (2020 - Present)')).toBeNull();
  });

  it('counts bullets only under experience and project sections', () => {
    const text = [
      '# Name',
      '## Summary',
      '- not an achievement',
      '## Work Experience',
      '### Role | Co | 2020 - Present',
      '- one',
      '* two',
      '  • three',
      '## Skills',
      '- **Languages:** Go',
      '## Projects',
      '+ four',
      '## Volunteer Experience',
      '- not counted',
    ].join('\n');
    expect(outline(text).bulletLines).toEqual([6, 7, 8, 12]);
  });
});
