import { describe, expect, it } from 'vitest';
import { outline, sectionHeading } from '../../src/data/sections.js';

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
