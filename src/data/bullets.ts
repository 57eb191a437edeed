// Bullet text: one accomplishment (a task template filled for a job) rendered strong (action verb +
// specific object + quantified result) or in one of the weak styles the planted weaknesses use.
import { OUTCOMES } from './catalog/outcomes.js';
import { ROUTINE, UNDERSOLD, VAGUE } from './catalog/phrases.js';
import type { RoleArea, TaskTemplate } from './catalog/roles.js';
import { VERBS, WEAK_OPENERS, type Verb } from './catalog/verbs.js';
import type { Job, PersonaContext } from './persona.js';
import type { Rng } from '../io/rng.js';

/** A task made concrete for one job: slots filled, verb and outcome chosen. */
export interface Accomplishment {
  task: TaskTemplate;
  area: RoleArea | null; // null for the family's generic tasks
  verb: Verb;
  object: string;
  metric: string;
  qual: string;
}

export const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** Slot values for one bullet of one job. */
export function slotValues(p: PersonaContext, job: Job, r: Rng): Record<string, string> {
  const flat = p.stack.flat();
  const [tool, tool2] = r.sample(flat, 2);
  const vals: Record<string, string> = {
    domain: r.pick(job.vertical.domains),
    product: r.pick(job.vertical.products),
    users: r.pick(job.vertical.users),
    buyer: job.vertical.buyer,
    partner: r.pick(p.role.partners),
    tool: tool ?? flat[0] ?? 'internal tools',
    tool2: tool2 ?? tool ?? 'internal tools',
  };
  p.stack.forEach((items, i) => {
    vals[`t${i}`] = r.pick(items);
  });
  return vals;
}

export function fill(template: string, vals: Record<string, string>): string {
  const text = fillSlots(template, vals).replace(/\b(\w+) \1\b/g, '$1'); // "the guest app app" -> "the guest app"
  return fixArticles(text);
}

/** Whether a word is said with a leading vowel sound ("an order", "an SLO", but "a UI", "a user"). */
function vowelSound(word: string): boolean {
  if (/^[A-Z]{2,}/.test(word)) return /^[AEFHILMNORSX]/.test(word); // initialisms: "an SLO", "an HR", "a UI"
  if (/^u/i.test(word)) return !/^(us|uni|ui|ut|ur)/i.test(word); // "an update", "a usage-based"
  if (/^(one|eu)/i.test(word)) return false;
  return /^[aeio]/i.test(word);
}

/** "a" / "an" agreement after slots are filled ("a {domain} API" with domain "order management"). */
export function fixArticles(text: string): string {
  return text.replace(/\b([Aa])(n?) ([A-Za-z][\w.&-]*)/g, (m, a: string, n: string, word: string) => {
    const want = vowelSound(word) ? 'n' : '';
    return want === n ? m : `${a}${want} ${word}`;
  });
}

function fillSlots(template: string, vals: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, key: string) => {
    const v = vals[key];
    if (v !== undefined) return v;
    // Tool slots beyond the role's categories fall back to the first category.
    if (/^t\d$/.test(key) && vals.t0 !== undefined) return vals.t0;
    throw new Error(`bullet template slot ${m} has no value in "${template}"`);
  });
}

export function makeAccomplishment(
  task: TaskTemplate,
  area: RoleArea | null,
  vals: Record<string, string>,
  r: Rng,
): Accomplishment {
  const kind = r.pick(task.out);
  const outcome = OUTCOMES[kind];
  return {
    task,
    area,
    verb: r.pick(VERBS[task.v]),
    object: fill(task.o, vals),
    metric: fill(r.pick(outcome.metric)(r), vals),
    qual: fill(r.pick(outcome.qual), vals),
  };
}

export function strongText(a: Accomplishment): string {
  return `${a.verb.past} ${a.object}, ${a.metric}.`;
}

/** no_metrics: the same accomplishment with its result in words only (or no result at all). */
export function noMetricText(a: Accomplishment, r: Rng): string {
  return r.chance(0.7) ? `${a.verb.past} ${a.object}, ${a.qual}.` : `${a.verb.past} ${a.object}.`;
}

/** weak_verbs: passive or hedged openers; the facts (and often the metric) stay. Returns the text
 *  and the opener it used, for the weakness reason. */
export function passiveText(a: Accomplishment, r: Rng): { text: string; opener: string } {
  const tail = r.chance(0.6) ? `, ${a.metric}` : '';
  const form = r.int(0, 2);
  // Object-first passive only when the object reads as a subject ("X to Y" does not).
  if (form === 0 && !/\b(to|from|into|with)\b/.test(a.object)) {
    const be = a.task.pl ? 'were' : 'was';
    const byWhom = r.pick(WEAK_OPENERS.passiveTail);
    return { text: `${capitalize(a.object)} ${be} ${a.verb.pp}${byWhom}${tail}.`, opener: `${be} ${a.verb.pp}${byWhom}` };
  }
  if (form === 1) {
    const opener = r.pick(WEAK_OPENERS.base);
    return { text: `${opener} ${a.verb.base} ${a.object}${tail}.`, opener };
  }
  const opener = r.pick(WEAK_OPENERS.gerund);
  return { text: `${opener} ${a.verb.ing} ${a.object}${tail}.`, opener };
}

/** wrong_emphasis: relevant work written small. */
export function undersoldText(a: Accomplishment, r: Rng, used: Set<string>): string {
  const template = pickUnused(UNDERSOLD, r, used);
  return fill(template, {
    ing: a.verb.ing,
    past: lowerFirst(a.verb.past),
    o: a.object,
    label: a.area?.label ?? 'related',
  });
}

export function vagueText(vals: Record<string, string>, areaLabel: string, r: Rng, used: Set<string>): string {
  return fill(pickUnused(VAGUE, r, used), { ...vals, area: areaLabel });
}

export function routineText(vals: Record<string, string>, areaLabel: string, r: Rng, used: Set<string>): string {
  return fill(pickUnused(ROUTINE, r, used), { ...vals, area: areaLabel });
}

/** A template not used yet in this resume (all used: start over). */
function pickUnused(list: readonly string[], r: Rng, used: Set<string>): string {
  const free = list.filter((s) => !used.has(s));
  const choice = r.pick(free.length > 0 ? free : list);
  used.add(choice);
  return choice;
}
