// Reading a Markdown resume back: which lines are section headings and which are achievement
// bullets (bullets under an Experience- or Projects-like section). Used to compute row stats from
// the text alone, so procedural and LLM-written rows are counted the same way.
import { sourceLines } from './layout.js';

export type SectionKind = 'experience' | 'projects' | 'other';

/** Section names a heading may carry (case-insensitive, an optional trailing colon). */
const SECTION_NAMES = new Set([
  'summary', 'professional summary', 'profile', 'about', 'about me', 'objective',
  'experience', 'professional experience', 'work experience', 'relevant experience', 'other experience',
  'employment', 'employment history', 'work history', 'career history',
  'skills', 'technical skills', 'core skills', 'key skills', 'skills & tools', 'tools',
  'education', 'education & training',
  'projects', 'selected projects', 'personal projects', 'side projects', 'key projects',
  'certifications', 'licenses & certifications', 'certificates',
  'awards', 'honors', 'awards & honors', 'publications', 'talks', 'languages',
  'volunteering', 'volunteer experience', 'volunteer work', 'leadership', 'interests', 'activities',
]);

const HEADING_RE = /^#{1,6}\s+(.+?)\s*$/;
const BOLD_LINE_RE = /^\*\*([^*]+?):?\*\*:?\s*$/;
export const BULLET_RE = /^\s*(?:[-*+•]|\d+[.)])\s+\S/;

/** The section name a line declares, or null when it is not a section heading. */
export function sectionHeading(line: string): string | null {
  const m = HEADING_RE.exec(line) ?? BOLD_LINE_RE.exec(line);
  if (!m) return null;
  const name = (m[1] as string).replace(/\*\*/g, '').replace(/:$/, '').trim().toLowerCase();
  return SECTION_NAMES.has(name) ? name : null;
}

export function sectionKind(name: string): SectionKind {
  if (name.includes('volunteer')) return 'other';
  if (/experience|employment|work history|career history/.test(name)) return 'experience';
  if (name.includes('project')) return 'projects';
  return 'other';
}

export interface ResumeOutline {
  lines: string[];
  /** 1-based line numbers of achievement bullets. */
  bulletLines: number[];
  sections: { name: string; kind: SectionKind; line: number }[];
}

export function outline(text: string): ResumeOutline {
  const lines = sourceLines(text);
  const bulletLines: number[] = [];
  const sections: ResumeOutline['sections'] = [];
  let kind: SectionKind = 'other';
  lines.forEach((line, i) => {
    const name = sectionHeading(line);
    if (name !== null) {
      kind = sectionKind(name);
      sections.push({ name, kind, line: i + 1 });
      return;
    }
    if (kind !== 'other' && BULLET_RE.test(line)) bulletLines.push(i + 1);
  });
  return { lines, bulletLines, sections };
}
