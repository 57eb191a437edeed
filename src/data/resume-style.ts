// A generated resume's house style, drawn once per resume: job-header shape, date format, dash,
// bullet marker, final periods, section names. formatting_inconsistent (resume-formatting.ts)
// then breaks it on purpose.
import type { Job, YearMonth } from './persona.js';
import type { Rng } from '../io/rng.js';

export type DateFmt = 'short' | 'long' | 'num' | 'year' | 'iso';
export const DATE_FMTS: DateFmt[] = ['short', 'long', 'num', 'year', 'iso'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export interface Style {
  header: 'A' | 'B' | 'C' | 'D';
  date: DateFmt;
  dash: string;
  marker: '-' | '*';
  period: boolean;
  blankAfterHeading: boolean;
  skills: 'list' | 'plain';
  contactSep: string;
  names: { summary: string; experience: string; skills: string; education: string; projects: string; certs: string };
}

export function sampleStyle(r: Rng): Style {
  return {
    header: r.pick(['A', 'A', 'B', 'C', 'D'] as const),
    // 'year' and 'iso' are rare as a base style; formatting_inconsistent mixes them in.
    date: r.pick(['short', 'short', 'long', 'num'] as const),
    dash: r.pick([' – ', ' - ', ' — ']),
    marker: r.pick(['-', '-', '-', '*'] as const),
    period: r.chance(0.75),
    blankAfterHeading: r.chance(0.25),
    skills: r.pick(['list', 'plain'] as const),
    contactSep: r.pick([' | ', ' · ']),
    names: {
      summary: r.pick(['Summary', 'Professional Summary', 'Profile']),
      experience: r.pick(['Experience', 'Professional Experience', 'Work Experience']),
      skills: r.pick(['Skills', 'Technical Skills', 'Core Skills']),
      education: 'Education',
      projects: r.pick(['Projects', 'Selected Projects']),
      certs: r.pick(['Certifications', 'Licenses & Certifications']),
    },
  };
}

function fmtDate(d: YearMonth | null, fmt: DateFmt): string {
  if (d === null) return 'Present';
  const mm = String(d.month).padStart(2, '0');
  switch (fmt) {
    case 'short': return `${MONTHS[d.month - 1]} ${d.year}`;
    case 'long': return `${MONTHS_LONG[d.month - 1]} ${d.year}`;
    case 'num': return `${mm}/${d.year}`;
    case 'year': return `${d.year}`;
    case 'iso': return `${d.year}-${mm}`;
  }
}

export function fmtRange(job: Job, fmt: DateFmt, dash: string): string {
  if (fmt === 'year' && job.end !== null && job.end.year === job.start.year) return `${job.start.year}`;
  return `${fmtDate(job.start, fmt)}${dash}${fmtDate(job.end, fmt)}`;
}
