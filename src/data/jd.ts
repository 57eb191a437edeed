// The matched job description: a role the persona would plausibly apply to (same role, same level
// or one up, same vertical), centred on the persona's two focus areas.
import { CITIES, companyName } from './catalog/people.js';
import { JD_CULTURE, JD_INTROS, JD_MISSIONS } from './catalog/phrases.js';
import { fill } from './bullets.js';
import type { PersonaContext } from './persona.js';
import type { Rng } from '../io/rng.js';

const YEARS_REQUIRED = [0, 1, 3, 5, 8, 12];

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function generateJd(p: PersonaContext, r: Rng): string {
  const level = Math.min(5, p.level + (r.chance(0.3) ? 1 : 0));
  const title = p.role.titles[level] as string;
  const company = companyName(r, p.vertical.words);
  if (p.jobs.some((j) => j.company === company)) {
    // A JD from the persona's own employer would not be "a job to apply to".
    return generateJd(p, r);
  }
  const vals: Record<string, string> = {
    domain: r.pick(p.vertical.domains),
    product: r.pick(p.vertical.products),
    users: r.pick(p.vertical.users),
    buyer: p.vertical.buyer,
  };
  p.stack.forEach((items, i) => {
    vals[`t${i}`] = r.pick(items);
  });
  const [f1, f2] = p.focus as [NonNullable<PersonaContext['focus'][0]>, NonNullable<PersonaContext['focus'][0]>];
  const mission = fill(r.pick(JD_MISSIONS), { ...vals, a1: f1.label, a2: f2.label });
  const article = /^([AEIOU]|ML |FP&A )/.test(title) ? 'an' : 'a'; // by sound: "an ML Engineer"
  const intro = fill(r.pick(JD_INTROS), { title, a_title: `${article} ${title}`, mission });

  const others = p.role.areas.filter((a) => a.id !== f1.id && a.id !== f2.id);
  const duties = [
    ...f1.jd,
    ...f2.jd,
    ...r.sample(others, r.int(1, 2)).map((a) => r.pick(a.jd)),
    `Partner with ${list(r.sample(p.role.partners, 2))} teams on shared goals`,
  ].map((s) => fill(s, vals));
  const uniqueDuties = [...new Set(duties)];

  // Tools: mostly the persona's own, plus one they may not have (JDs rarely match exactly).
  const own = r.sample(p.stack.flat(), 3);
  const allRoleTools = p.role.stack.flatMap(([, items]) => items);
  const missing = allRoleTools.filter((t) => !p.stack.flat().includes(t));
  const years = YEARS_REQUIRED[level] as number;
  const reqs = [
    years === 0
      ? `A degree in a related field or equivalent practical experience; internships in ${p.role.field} count`
      : `${years}+ years of experience in ${p.role.field}`,
    `Hands-on experience with ${list(own)}`,
    `A track record in ${f1.label} and ${f2.label}`,
    `Clear written and verbal communication with ${r.pick(p.role.partners)} partners`,
  ];
  if (level >= 3) reqs.push('Experience mentoring others and leading work across teams');
  if (level >= 4) reqs.push(`Experience setting direction for ${p.role.field} across several teams`);
  const nice = [`Experience in ${p.vertical.prose}, especially ${vals.domain}`];
  if (missing.length > 0) nice.push(`Familiarity with ${r.pick(missing)}`);
  if (r.chance(0.5)) nice.push(r.pick(p.role.certs));

  const location = r.chance(0.6) ? p.location : r.pick(CITIES);
  const lines = [
    `# ${title}`,
    `**${company}** · ${location} · Full-time`,
    '',
    `## About ${company}`,
    `${company} ${r.pick(p.vertical.blurbs)}. ${r.pick(JD_CULTURE)}`,
    '',
    '## The role',
    intro,
    '',
    "## What you'll do",
    ...uniqueDuties.map((d) => `- ${d}`),
    '',
    "## What we're looking for",
    ...reqs.map((d) => `- ${d}`),
    '',
    '## Nice to have',
    ...nice.map((d) => `- ${d}`),
  ];
  return lines.join('\n') + '\n';
}
