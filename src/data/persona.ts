// Persona sampling: one cell of the role x seniority x vertical matrix, filled in with a name,
// stack, education and a dated job history at generated companies. The generator keeps the full
// context (PersonaContext); the dataset row stores the flat `Persona` of src/data/schema.ts.
import type { z } from 'zod';
import { CITIES, companyName, FIRST_NAMES, handle, LAST_NAMES, phoneNumber, schoolName } from './catalog/people.js';
import { ROLES, type Role, type RoleArea } from './catalog/roles.js';
import { VERTICALS, type Vertical } from './catalog/verticals.js';
import type { Rng } from '../io/rng.js';
import type { Persona } from './schema.js';

export const SENIORITY = ['entry', 'junior', 'mid', 'senior', 'lead', 'principal'] as const;
export type Seniority = (typeof SENIORITY)[number];
/** Years of experience per level (inclusive range). */
export const SENIORITY_YEARS: readonly (readonly [number, number])[] = [
  [0, 1], [1, 3], [3, 6], [6, 10], [9, 14], [13, 20],
];

/** "Now" for every generated timeline: fixed so the data does not depend on the clock. */
export const REFERENCE_DATE = { year: 2025, month: 6 } as const;

export interface YearMonth {
  year: number;
  month: number; // 1..12
}

export interface Job {
  title: string;
  company: string;
  location: string;
  start: YearMonth;
  /** null = current role ("Present"). */
  end: YearMonth | null;
  intern: boolean;
  /** The industry of this employer (career moves cross verticals now and then). */
  vertical: Vertical;
}

export interface Education {
  degree: string;
  school: string;
  year: number;
}

export interface PersonaContext {
  role: Role;
  level: number;
  vertical: Vertical;
  first: string;
  last: string;
  handle: string;
  phone: string;
  location: string;
  years: number;
  /** Chosen tools per stack category, in the role's category order. */
  stack: string[][];
  jobs: Job[]; // most recent first
  education: Education[];
  certs: { name: string; year: number }[];
  /** The two work areas the matched JD asks for most. */
  focus: RoleArea[];
}

const monthIndex = (d: YearMonth): number => d.year * 12 + (d.month - 1);
const fromIndex = (i: number): YearMonth => ({ year: Math.floor(i / 12), month: (i % 12) + 1 });

/** How many employers to list, by level; `long` (too_long resumes) lists more history. */
function jobCount(level: number, r: Rng, long: boolean): number {
  const base = [3, 3, 3, 3, r.int(3, 4), 4][level] as number;
  return long ? Math.min(base + 1, 5) : base;
}

export function samplePersona(
  r: Rng,
  roleIndex: number,
  level: number,
  verticalIndex: number,
  long = false,
): PersonaContext {
  const role = ROLES[roleIndex] as Role;
  const vertical = VERTICALS[verticalIndex] as Vertical;
  const first = r.pick(FIRST_NAMES);
  const last = r.pick(LAST_NAMES);
  const location = r.pick(CITIES);
  const [ylo, yhi] = SENIORITY_YEARS[level] as readonly [number, number];
  const years = r.int(ylo, yhi);

  const stack = role.stack.map(([, items]) => r.sample(items, Math.min(items.length, r.int(2, 4))));

  // Timeline, newest first. Entry/junior people list internships after their full-time jobs.
  const nJobs = jobCount(level, r, long);
  const nIntern = level === 0 ? nJobs - 1 : level === 1 ? 1 : 0;
  const nFull = nJobs - nIntern;
  const now = monthIndex(REFERENCE_DATE);
  const totalMonths = Math.max(nFull * 8, years * 12 + r.int(0, 11));
  // Split the career into nFull stints, each at least 8 months, the recent ones a bit shorter.
  const weights = Array.from({ length: nFull }, (_, i) => r.uniform(0.7, 1.3) * (1 + 0.15 * i));
  const wsum = weights.reduce((a, b) => a + b, 0);
  const jobs: Job[] = [];
  let end = now;
  const usedCompanies = new Set<string>();
  const newCompany = (vert: Vertical): string => {
    for (let k = 0; k < 20; k++) {
      const name = companyName(r, vert.words);
      if (!usedCompanies.has(name)) {
        usedCompanies.add(name);
        return name;
      }
    }
    return `${companyName(r, vert.words)} ${usedCompanies.size + 1}`;
  };
  for (let i = 0; i < nFull; i++) {
    const months = Math.max(8, Math.round((totalMonths * (weights[i] as number)) / wsum));
    const start = end - months;
    // Job i, counted from the newest, sits about i levels lower on the ladder.
    const jobLevel = Math.max(0, level - (i === 0 ? 0 : i - (r.chance(0.5) ? 1 : 0)));
    const jobVertical = i === 0 || r.chance(0.7) ? vertical : r.pick(VERTICALS);
    jobs.push({
      title: role.titles[jobLevel] as string,
      company: newCompany(jobVertical),
      location: r.chance(0.7) ? location : r.pick(CITIES),
      start: fromIndex(start),
      end: i === 0 ? null : fromIndex(end),
      intern: false,
      vertical: jobVertical,
    });
    end = start - r.int(0, 2);
  }
  // Internships: summers before the first full-time job.
  let internYear = fromIndex(end).year - (fromIndex(end).month >= 6 ? 0 : 1);
  for (let i = 0; i < nIntern; i++) {
    const jobVertical = r.chance(0.6) ? vertical : r.pick(VERTICALS);
    jobs.push({
      title: role.intern,
      company: newCompany(jobVertical),
      location: r.pick(CITIES),
      start: { year: internYear, month: r.pick([5, 6]) },
      end: { year: internYear, month: r.pick([8, 9]) },
      intern: true,
      vertical: jobVertical,
    });
    internYear -= 1;
  }

  const firstJobStart = fromIndex(end).year;
  const education: Education[] = [];
  const gradChance = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5][level] as number;
  const wantsGrad = role.grad.length > 0 && r.chance(role.id === 'data_scientist' ? 0.7 : gradChance);
  const bachelorYear = Math.min(firstJobStart, REFERENCE_DATE.year) - (wantsGrad ? 2 : 0);
  if (wantsGrad) education.push({ degree: r.pick(role.grad), school: schoolName(r), year: bachelorYear + 2 });
  education.push({ degree: r.pick(role.degrees), school: schoolName(r), year: bachelorYear });

  const certs = r
    .sample(role.certs, level === 0 ? r.int(0, 1) : r.int(0, 2))
    .map((name) => ({ name, year: r.int(Math.max(bachelorYear, REFERENCE_DATE.year - years - 1), REFERENCE_DATE.year) }));

  return {
    role,
    level,
    vertical,
    first,
    last,
    handle: handle(first, last),
    phone: phoneNumber(r),
    location,
    years,
    stack,
    jobs,
    education,
    certs,
    focus: r.sample(role.areas, 2),
  };
}

/** The stored persona (schema shape). */
export function personaRecord(p: PersonaContext): z.infer<typeof Persona> {
  return {
    name: `${p.first} ${p.last}`,
    role: p.role.name,
    seniority: SENIORITY[p.level] as string,
    vertical: p.vertical.name,
    stack: p.stack.flat(),
    education: p.education.map((e) => `${e.degree}, ${e.school}, ${e.year}`),
    companies: p.jobs.map((j) => j.company),
  };
}


