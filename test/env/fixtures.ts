// Shared test data for the resume environment, rubrics and episodes.
import type { DataRow } from '../../src/data/schema.js';
import type { Judge, JudgeInput, Verdict } from '../../src/reward/verdict.js';

export const RESUME = `# Dana Reyes
Backend Engineer | dana@example.com | Lisbon

## Experience

### Senior Backend Engineer, Finlytics (2021 - present)
- Responsible for the payments API
- Worked on database performance
- Led migration of 40 services to Kubernetes, cutting deploy time from 2 h to 15 min

### Backend Engineer, ShopCo (2018 - 2021)
- Was involved in checkout redesign
- Built order-tracking service in Go

## Skills
Go, PostgreSQL, Kubernetes, Kafka
`;

export const JD = `Senior Backend Engineer (Payments). You will own high-volume payment APIs in Go and PostgreSQL.`;

export function makeRow(overrides: Partial<DataRow> = {}): DataRow {
  return {
    id: 'ex-001',
    split: 'eval',
    persona: {
      name: 'Dana Reyes',
      role: 'Backend Engineer',
      seniority: 'senior',
      vertical: 'fintech',
      stack: ['Go', 'PostgreSQL'],
      education: ['BSc CS'],
      companies: ['Finlytics', 'ShopCo'],
    },
    jd: JD,
    resume: RESUME,
    weakness: {
      type: 'weak_verbs',
      description: 'Bullets use passive constructions.',
      lines: [{ line: 7, text: '- Responsible for the payments API', reason: 'passive' }],
    },
    stats: { lines: 16, bullets: 5, weak_bullets: 3 },
    ...overrides,
  };
}

export const BEST: Verdict = {
  hallucination: 'faithful',
  clarity: 'better',
  quantification: 'better',
  jd_alignment: 'better',
  action_verbs: 'better',
  overall_preference: 'better',
};

export const WORST: Verdict = {
  hallucination: 'fabricated',
  clarity: 'worse',
  quantification: 'worse',
  jd_alignment: 'worse',
  action_verbs: 'worse',
  overall_preference: 'worse',
};

/** A judge that returns a fixed verdict (or throws) and records its inputs. */
export function fixedJudge(verdict: Verdict | Error): Judge & { calls: JudgeInput[] } {
  const calls: JudgeInput[] = [];
  return {
    name: 'fixed',
    calls,
    async judge(input: JudgeInput): Promise<Verdict> {
      calls.push(input);
      if (verdict instanceof Error) throw verdict;
      return verdict;
    },
  };
}

/** n lines of `width` ASCII characters each, newline-terminated. */
export function lines(n: number, width = 10): string {
  return Array.from({ length: n }, (_, i) => `${i + 1}`.padEnd(width, 'x')).join('\n') + '\n';
}
