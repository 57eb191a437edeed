// The draft a resume is built in (src/data/resume.ts): its lines, bullet slots, optional sections
// and per-job format overrides, filled in by resume-fit.ts, resume-bullets.ts and
// resume-formatting.ts and laid out as lines by resume-sections.ts.
import type { Accomplishment } from './bullets.js';
import type { PersonaContext } from './persona.js';
import type { DateFmt, Style } from './resume-style.js';

export interface ResumeLine {
  text: string;
  /** Set when the line is weak: why. */
  reason?: string;
  bullet?: boolean;
}

/** One bullet slot: what it will say and whether it counts as weak. */
export type SlotKind = 'strong' | 'weak' | 'prominent' | 'undersold';
export interface Slot {
  kind: SlotKind;
  line?: ResumeLine;
  /** The accomplishment behind the text (absent for vague/routine bullets). */
  acc?: Accomplishment;
  /** "**Project name:** " for project bullets. */
  prefix?: string;
}

export interface Layout {
  projects: number; // project bullets (0 = no Projects section)
  certs: boolean;
  awards: boolean;
  volunteer: boolean;
  interests: boolean;
}

/** Per-job overrides used by formatting_inconsistent. */
export interface JobFormat {
  date: DateFmt;
  dash: string;
  /** Replaces the heading marker of the job header ('' = plain, '**' = bold wrapper). */
  level?: string;
  reasons: string[];
}

export interface Draft {
  p: PersonaContext;
  style: Style;
  layout: Layout;
  summary: ResumeLine;
  jobSlots: Slot[][];
  projectSlots: Slot[];
  projectNames: string[];
  jobFormats: JobFormat[];
  /** Filler for the optional sections, drawn once so every layout pass sees the same text. */
  extras: { award: string; volunteer: string; interests: string };
  /** Section key -> replacement heading line and reason (formatting_inconsistent). */
  headingOverride?: { key: keyof Style['names']; text: string; reason: string };
}

export const blank = (): ResumeLine => ({ text: '' });
