import { describe, expect, it } from 'vitest';
import { RULES_JUDGE_DOC, RulesJudge } from '../../src/reward/rules-judge.js';
import {
  dateFormats,
  entityWords,
  formatIssues,
  newEntities,
  newNumbers,
  weakVerbCount,
} from '../../src/reward/rules-features.js';
import { Verdict, type JudgeInput } from '../../src/reward/verdict.js';

const JD = `# Senior Backend Engineer - Payments

We are seeking a backend engineer to build reliable payment services.
Requirements: Go, PostgreSQL, Kafka, Kubernetes, distributed systems, on-call ownership.
Nice to have: fraud detection, observability with Prometheus.`;

const RESUME = `# Jane Doe
jane@example.com | Berlin

## Summary
Backend engineer with 6 years building web services.

## Experience
### Software Engineer, Acme Corp (Jan 2020 - Present)
- Was responsible for the billing service written in Go
- Helped with various things around PostgreSQL performance
- Migrated 12 services to Kubernetes, cutting deploy time by 40%
- Worked on fraud rules for the checkout flow

### Junior Developer, Beta GmbH (Mar 2017 - Dec 2019)
- Built internal dashboards in Python
- Assisted senior engineers with on-call duties

## Education
### B.Sc. Computer Science, TU Berlin (2013 - 2017)`;

const WEAKNESS = { type: 'weak_verbs', description: 'passive, weak bullet openers', lines: [] };

const input = (revised: string, over: Partial<JudgeInput> = {}): JudgeInput => ({
  jd: JD,
  original: RESUME,
  revised,
  weakness: WEAKNESS,
  ...over,
});

const edit = (from: string, to: string) => {
  if (!RESUME.includes(from)) throw new Error(`fixture lacks: ${from}`);
  return RESUME.replace(from, to);
};

const judge = new RulesJudge();

describe('RulesJudge', () => {
  it('judges an unchanged resume as faithful and same everywhere', async () => {
    const v = await judge.judge(input(RESUME));
    expect(Verdict.parse(v)).toEqual({
      hallucination: 'faithful',
      clarity: 'same',
      quantification: 'same',
      jd_alignment: 'same',
      action_verbs: 'same',
      overall_preference: 'same',
    });
    expect(judge.name).toBe('rules');
  });

  it('flags an invented number as fabricated and overall worse', async () => {
    const rep = judge.report(input(edit('- Built internal dashboards in Python', '- Built 25 internal dashboards in Python')));
    expect(rep.verdict.hallucination).toBe('fabricated');
    expect(rep.newNumbers).toEqual(['25']);
    expect(rep.verdict.quantification).toBe('better'); // judged on its own...
    expect(rep.verdict.overall_preference).toBe('worse'); // ...but fabrication dominates
  });

  it('flags an invented employer or tool, but not JD vocabulary', async () => {
    const invented = judge.report(input(edit('Built internal dashboards in Python', 'Built internal dashboards in Python at Google Cloud')));
    expect(invented.verdict.hallucination).toBe('fabricated');
    expect(invented.newEntities).toEqual(['Google', 'Cloud']);
    const fromJd = judge.report(input(edit('Built internal dashboards in Python', 'Built internal dashboards in Python with Prometheus')));
    expect(fromJd.verdict.hallucination).toBe('faithful');
  });

  it('does not flag rewording, reordering, restated numbers or new date styles', async () => {
    const revised = edit('- Migrated 12 services to Kubernetes, cutting deploy time by 40%', '- Cut deploy time 40% by migrating twelve (12) services to Kubernetes')
      .replace('Jan 2020 - Present', 'January 2020 - Present');
    const rep = judge.report(input(revised));
    expect(rep.newNumbers).toEqual([]);
    expect(rep.newEntities).toEqual([]);
    expect(rep.verdict.hallucination).toBe('faithful');
  });

  it('action_verbs: fixing weak verbs is better, weakening strong ones is worse', async () => {
    const fixed = edit('- Was responsible for the billing service written in Go', '- Owned the billing service written in Go')
      .replace('- Worked on fraud rules', '- Designed fraud rules');
    const v = await judge.judge(input(fixed));
    expect(v.action_verbs).toBe('better');
    expect(v.hallucination).toBe('faithful');
    expect(v.overall_preference).toBe('better');
    const weakened = edit('- Built internal dashboards in Python', '- Helped with internal dashboards in Python');
    expect((await judge.judge(input(weakened))).action_verbs).toBe('worse');
  });

  it('quantification: adding a supported metric to a bullet is better, dropping one is worse', async () => {
    // The number comes from the summary, so it is not fabricated.
    const added = edit('- Built internal dashboards in Python', '- Built internal dashboards in Python used by 6 teams');
    const v = judge.report(input(added, { weakness: { ...WEAKNESS, type: 'no_metrics' } }));
    expect(v.verdict.quantification).toBe('better');
    expect(v.verdict.hallucination).toBe('faithful');
    expect(v.verdict.overall_preference).toBe('better');
    const dropped = edit('Migrated 12 services to Kubernetes, cutting deploy time by 40%', 'Migrated services to Kubernetes');
    expect((await judge.judge(input(dropped))).quantification).toBe('worse');
  });

  it('jd_alignment: adding JD keywords, or moving them up, is better; cutting them is worse', async () => {
    const added = edit('Backend engineer with 6 years building web services.', 'Backend engineer with 6 years building distributed payment services in Go and Kafka.');
    const v = judge.report(input(added, { weakness: { ...WEAKNESS, type: 'wrong_emphasis' } }));
    expect(v.revised.jd).toBeGreaterThan(v.original.jd);
    expect(v.verdict.jd_alignment).toBe('better');
    expect(v.verdict.hallucination).toBe('faithful'); // Kafka comes from the JD
    const cut = edit('- Migrated 12 services to Kubernetes, cutting deploy time by 40%\n', '').replace('PostgreSQL performance', 'performance');
    expect((await judge.judge(input(cut))).jd_alignment).toBe('worse');
  });

  it('clarity: removing vague phrases is better, adding them is worse', async () => {
    const clearer = edit('- Helped with various things around PostgreSQL performance', '- Helped tune PostgreSQL query performance');
    const v = await judge.judge(input(clearer, { weakness: { ...WEAKNESS, type: 'vague_bullets' } }));
    expect(v.clarity).toBe('better');
    const vaguer = edit('- Built internal dashboards in Python', '- Built a lot of stuff in Python, etc');
    expect((await judge.judge(input(vaguer))).clarity).toBe('worse');
  });

  it('clarity: unifying mixed date formats and bullet markers is better', async () => {
    const messy = RESUME.replace('Mar 2017 - Dec 2019', '03/2017 - 12/2019').replace('- Assisted senior', '* Assisted senior');
    // The fixture already mixes "Jan 2020" with a bare "2013 - 2017": mm/yyyy is one more style.
    expect(formatIssues(RESUME)).toMatchObject({ dates: 1, markers: 0 });
    expect(formatIssues(messy)).toMatchObject({ dates: 2, markers: 1 });
    const v = await judge.judge(input(RESUME, { original: messy, weakness: { ...WEAKNESS, type: 'formatting_inconsistent' } }));
    expect(v.clarity).toBe('better');
    expect(v.hallucination).toBe('faithful');
    expect(v.overall_preference).toBe('better');
  });

  it('clarity: inconsistent section heading levels count', () => {
    expect(formatIssues(RESUME).headings).toBe(0);
    expect(formatIssues(RESUME.replace('## Education', '**Education**')).headings).toBe(1);
    expect(formatIssues(RESUME.replace('## Education', '### Education')).headings).toBe(1);
  });

  it('is deterministic', async () => {
    const revised = edit('- Worked on fraud rules for the checkout flow', '- Designed 30 fraud rules for the checkout flow at Stripe');
    const a = judge.report(input(revised));
    const b = new RulesJudge().report(input(revised));
    expect(b).toEqual(a);
    expect(await judge.judge(input(revised))).toEqual(a.verdict);
  });

  it('ships README-ready documentation labelled as an offline stand-in', () => {
    expect(RULES_JUDGE_DOC).toMatch(/offline stand-in, not an LLM/);
  });
});

describe('rules features', () => {
  it('counts weak phrases and passive voice', () => {
    expect(weakVerbCount('Was responsible for billing')).toBe(1);
    expect(weakVerbCount('Reports were generated weekly')).toBe(1);
    expect(weakVerbCount('The service was built in Go')).toBe(1);
    expect(weakVerbCount('Led the billing team')).toBe(0);
    expect(weakVerbCount('Was often on call')).toBe(0);
  });

  it('reads scaled and formatted numbers as values', () => {
    expect(newNumbers('saved $1.2M', ['saved 1,200,000 dollars'])).toEqual([]);
    expect(newNumbers('grew to 10k users', ['grew to 10,000 users'])).toEqual([]);
    expect(newNumbers('a team of 5', ['a five-person team'])).toEqual([]);
    expect(newNumbers('a team of 7', ['a five-person team'])).toEqual(['7']);
    expect(newNumbers('3x faster, 99.9% uptime', ['99.9% uptime'])).toEqual(['3']);
  });

  it('finds entity words but skips verbs, months and section names', () => {
    expect(entityWords('- Led migration to AWS with Terraform')).toEqual(['AWS', 'Terraform']);
    expect(entityWords('## Experience\n### Engineer, Acme (Jan 2020 - Present)')).toEqual(['Engineer', 'Acme']);
    expect(entityWords('- Deployed EC2 fleets. Reduced cost')).toEqual(['EC2']);
    expect(newEntities('- Used kubernetes', ['Kubernetes'])).toEqual([]);
  });

  it('recognises date styles', () => {
    expect([...dateFormats('Jan 2020 - Present')]).toEqual(['mon yyyy']);
    expect([...dateFormats('01/2020 - 03/2021')]).toEqual(['mm/yyyy']);
    expect([...dateFormats('2019 - 2021')]).toEqual(['yyyy']);
    expect(dateFormats('Jan 2020 - 2021-03').size).toBe(2);
  });
});
