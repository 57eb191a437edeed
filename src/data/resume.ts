// The procedural resume writer: persona + planted weakness -> Markdown text, with the weak lines
// (1-based, matching the text exactly) and why each is weak. Layout: every type but too_long is
// sized to a target of 44-50 layout lines; too_long to 58-70 (resume-task.md sections 3 and 5).
import { AWARDS, INTERESTS, SUMMARY_CLOSINGS, VOLUNTEER } from './catalog/phrases.js';
import { GENERIC_TASKS, type RoleArea, type TaskTemplate } from './catalog/roles.js';
import {
  capitalize,
  makeAccomplishment,
  noMetricText,
  passiveText,
  routineText,
  slotValues,
  strongText,
  undersoldText,
  vagueText,
  type Accomplishment,
} from './bullets.js';
import { codePoints, layoutLineCount, LINE_LIMIT, sourceLines, WRAP_WIDTH } from './layout.js';
import { REFERENCE_DATE, type Job, type PersonaContext, type YearMonth } from './persona.js';
import type { Rng } from '../io/rng.js';
import type { Weakness } from './schema.js';

export interface ResumeLine {
  text: string;
  /** Set when the line is weak: why. */
  reason?: string;
  bullet?: boolean;
}

export interface GeneratedResume {
  text: string;
  weakLines: { line: number; text: string; reason: string }[];
  bullets: number;
  weakBullets: number;
  layoutLines: number;
  description: string;
}

type DateFmt = 'short' | 'long' | 'num' | 'year' | 'iso';
const DATE_FMTS: DateFmt[] = ['short', 'long', 'num', 'year', 'iso'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTHS_LONG = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

interface Style {
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

function sampleStyle(r: Rng): Style {
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

function fmtRange(job: Job, fmt: DateFmt, dash: string): string {
  if (fmt === 'year' && job.end !== null && job.end.year === job.start.year) return `${job.start.year}`;
  return `${fmtDate(job.start, fmt)}${dash}${fmtDate(job.end, fmt)}`;
}

/** One bullet slot: what it will say and whether it counts as weak. */
type SlotKind = 'strong' | 'weak' | 'prominent' | 'undersold';
interface Slot {
  kind: SlotKind;
  line?: ResumeLine;
  /** The accomplishment behind the text (absent for vague/routine bullets). */
  acc?: Accomplishment;
  /** "**Project name:** " for project bullets. */
  prefix?: string;
}

interface Layout {
  projects: number; // project bullets (0 = no Projects section)
  certs: boolean;
  awards: boolean;
  volunteer: boolean;
  interests: boolean;
}

/** Per-job overrides used by formatting_inconsistent. */
interface JobFormat {
  date: DateFmt;
  dash: string;
  /** Replaces the heading marker of the job header ('' = plain, '**' = bold wrapper). */
  level?: string;
  reasons: string[];
}

interface Draft {
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

const blank = (): ResumeLine => ({ text: '' });

function jobHeader(job: Job, style: Style, f: JobFormat): ResumeLine[] {
  const dates = fmtRange(job, f.date, f.dash);
  const reason = f.reasons.length > 0 ? f.reasons.join('; ') : undefined;
  const withReason = (text: string, own: boolean): ResumeLine => (own && reason ? { text, reason } : { text });
  const wrapHeading = (inner: string): string => {
    if (f.level === undefined) return `### ${inner}`;
    if (f.level === '**') return `**${inner}**`;
    return `${f.level} ${inner}`;
  };
  switch (style.header) {
    case 'A':
      return [withReason(wrapHeading(`${job.title} | ${job.company} | ${dates}`), true)];
    case 'B': {
      const levelReason = f.reasons.filter((s) => s.startsWith('job header'));
      const dateReason = f.reasons.filter((s) => !s.startsWith('job header'));
      const head: ResumeLine = { text: wrapHeading(`${job.title}, ${job.company}`) };
      if (levelReason.length) head.reason = levelReason.join('; ');
      const sub: ResumeLine = { text: `*${job.location} | ${dates}*` };
      if (dateReason.length) sub.reason = dateReason.join('; ');
      return [head, sub];
    }
    case 'C': {
      const levelReason = f.reasons.filter((s) => s.startsWith('job header'));
      const dateReason = f.reasons.filter((s) => !s.startsWith('job header'));
      const head: ResumeLine = { text: wrapHeading(`${job.company} — ${job.title}`) };
      if (levelReason.length) head.reason = levelReason.join('; ');
      const sub: ResumeLine = { text: `${dates} · ${job.location}` };
      if (dateReason.length) sub.reason = dateReason.join('; ');
      return [head, sub];
    }
    case 'D': {
      // Base style D is a bold title, not a heading; a level override turns it into a heading.
      const text =
        f.level === undefined
          ? `**${job.title}**, ${job.company} (${dates})`
          : `${f.level} ${job.title}, ${job.company} (${dates})`;
      return [withReason(text, true)];
    }
  }
}

function heading(d: Draft, key: keyof Style['names']): ResumeLine[] {
  const o = d.headingOverride;
  const line: ResumeLine = o && o.key === key ? { text: o.text, reason: o.reason } : { text: `## ${d.style.names[key]}` };
  return d.style.blankAfterHeading ? [line, blank()] : [line];
}

function bulletLines(slots: Slot[]): ResumeLine[] {
  return slots.map((s) => {
    if (!s.line) throw new Error('bullet slot without text');
    return s.line;
  });
}

/** Lays the draft out as lines (bullet slots with no text yet count as lines too). */
function assemble(d: Draft, placeholder = false): ResumeLine[] {
  const { p, style, layout } = d;
  const bl = (slots: Slot[]): ResumeLine[] => (placeholder ? slots.map(() => ({ text: '-' })) : bulletLines(slots));
  const contact = [
    `${p.handle}@example.com`,
    p.phone,
    p.location,
    `linkedin.com/in/${p.handle.replace('.', '-')}`,
    ...(p.role.family === 'eng' || p.role.family === 'data' ? [`github.com/${p.handle.replace('.', '')}`] : []),
  ].join(style.contactSep);
  const sections: ResumeLine[][] = [];
  sections.push([{ text: `# ${p.first} ${p.last}` }, { text: contact }]);
  sections.push([...heading(d, 'summary'), d.summary]);

  const exp: ResumeLine[] = [...heading(d, 'experience')];
  p.jobs.forEach((job, i) => {
    if (i > 0) exp.push(blank());
    exp.push(...jobHeader(job, style, d.jobFormats[i] as JobFormat));
    exp.push(...bl(d.jobSlots[i] as Slot[]));
  });
  const edu: ResumeLine[] = [
    ...heading(d, 'education'),
    ...p.education.map((e) => ({ text: `${style.marker} ${e.degree}, ${e.school} (${e.year})` })),
  ];
  const skills: ResumeLine[] = [
    ...heading(d, 'skills'),
    ...p.role.stack.map(([cat], i) => {
      const items = (p.stack[i] as string[]).join(', ');
      return { text: style.skills === 'list' ? `${style.marker} **${cat}:** ${items}` : `**${cat}:** ${items}` };
    }),
  ];
  const early = p.level <= 1;
  if (early) sections.push(edu);
  sections.push(exp);
  if (layout.projects > 0) sections.push([...heading(d, 'projects'), ...bl(d.projectSlots)]);
  sections.push(skills);
  if (!early) sections.push(edu);
  if (layout.certs) {
    sections.push([
      ...heading(d, 'certs'),
      ...p.certs.map((c) => ({ text: `${style.marker} ${c.name} (${c.year})` })),
    ]);
  }
  if (layout.awards) sections.push([{ text: '## Awards' }, { text: `${style.marker} ${d.extras.award}` }]);
  if (layout.volunteer) sections.push([{ text: '## Volunteering' }, { text: `${style.marker} ${d.extras.volunteer}` }]);
  if (layout.interests) {
    sections.push([
      { text: '## Interests' },
      { text: d.extras.interests, reason: 'low value: an Interests section that does not support the application; cut to fit one page' },
    ]);
  }
  const out: ResumeLine[] = [];
  sections.forEach((s, i) => {
    if (i > 0) out.push(blank());
    out.push(...s);
  });
  return out;
}

/** Bullet capacity per job: min 2; recent jobs hold more. too_long resumes allow more. */
function jobCaps(d: Draft, long: boolean): { min: number; max: number; weight: number }[] {
  const maxes = long ? [8, 7, 6, 5, 5] : [7, 6, 5, 4, 4];
  return d.p.jobs.map((job, i) => ({
    min: 2,
    max: job.intern ? 4 : (maxes[i] as number),
    weight: job.intern ? 0.4 : [1, 0.8, 0.6, 0.45, 0.35][i] as number,
  }));
}

/** Chooses optional sections and bullet counts so the resume lands on `target` layout lines. */
function planLayout(d: Draft, target: number, long: boolean, r: Rng): void {
  const caps = jobCaps(d, long);
  const early = d.p.level <= 1;
  const optional: (keyof Layout)[] = long
    ? ['projects', 'certs', 'awards', 'volunteer', 'interests']
    : early
      ? ['projects', 'certs', 'awards', 'volunteer']
      : ['projects', 'certs'];
  const has = (k: keyof Layout): boolean => (k === 'projects' ? d.layout.projects > 0 : Boolean(d.layout[k]));
  const set = (k: keyof Layout, on: boolean): void => {
    if (k === 'projects') d.layout.projects = on ? 2 : 0;
    else if (k === 'certs') d.layout.certs = on && d.p.certs.length > 0;
    else d.layout[k] = on;
  };
  // Start from the sections a person at this level would plausibly list.
  set('projects', d.p.level <= 1 || long || r.chance(0.2));
  set('certs', d.p.certs.length > 0 && (long || r.chance(0.6)));
  if (long) for (const k of ['awards', 'volunteer', 'interests'] as const) set(k, true);

  const projCap = long || early ? 5 : 4;
  let bullets = 0;
  let capMin = 0;
  let capMax = 0;
  for (let iter = 0; iter < 12; iter++) {
    d.jobSlots = d.p.jobs.map(() => []);
    d.projectSlots = [];
    const fixed = assemble(d, true).length;
    bullets = target - fixed;
    capMin = caps.reduce((a, c) => a + c.min, 0) + (d.layout.projects > 0 ? 2 : 0);
    capMax = caps.reduce((a, c) => a + c.max, 0) + (d.layout.projects > 0 ? projCap : 0);
    if (bullets > capMax) {
      const next = optional.find((k) => !has(k) && (k !== 'certs' || d.p.certs.length > 0));
      if (!next) break;
      set(next, true);
    } else if (bullets < capMin) {
      const drop = [...optional].reverse().find((k) => has(k) && !(k === 'projects' && d.p.level <= 1 && !long));
      if (!drop) break;
      set(drop, false);
    } else break;
  }
  bullets = Math.max(capMin, Math.min(capMax, bullets));

  // Fill: minimums first, then one at a time to the slot furthest below its weight share.
  const counts = caps.map((c) => c.min);
  let proj = d.layout.projects > 0 ? 2 : 0;
  let left = bullets - counts.reduce((a, b) => a + b, 0) - proj;
  while (left > 0) {
    let best = -1;
    let bestScore = -Infinity;
    caps.forEach((c, i) => {
      const n = counts[i] as number;
      if (n >= c.max) return;
      const score = c.weight / (n + 1) + r.uniform(0, 0.02);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    });
    if (d.layout.projects > 0 && proj < projCap && 0.35 / (proj + 1) > bestScore) best = caps.length;
    if (best < 0) break;
    if (best === caps.length) proj++;
    else counts[best] = (counts[best] as number) + 1;
    left--;
  }
  d.jobSlots = counts.map((n) => Array.from({ length: n }, () => ({ kind: 'strong' as SlotKind })));
  d.layout.projects = proj;
  d.projectSlots = Array.from({ length: proj }, () => ({ kind: 'strong' as SlotKind }));
}

const MAX_BULLET_CHARS = 158;

function summaryLine(p: PersonaContext, labels: string[], r: Rng): string {
  const [a1, a2] = labels as [string, string];
  const adj = ['Early-career', 'Early-career', 'Experienced', 'Seasoned', 'Seasoned', 'Veteran'][p.level] as string;
  const closing = r.pick(SUMMARY_CLOSINGS);
  const y = p.years;
  const options =
    p.level === 0
      ? [
          `${p.role.name} with internship and project experience in ${a1} and ${a2}. ${closing}`,
          `${adj} ${p.role.name} with hands-on ${a1} and ${a2} experience from internships and projects. ${closing}`,
        ]
      : [
          `${p.role.name} with ${y}+ years of experience in ${a1} and ${a2}, most recently in ${p.vertical.prose}. ${closing}`,
          `${p.role.name} with ${y}+ years in ${p.role.field}, focused on ${a1} and ${a2} in ${p.vertical.prose}. ${closing}`,
          `${adj} ${p.role.name} (${y}+ years) who specializes in ${a1} and ${a2}. ${closing}`,
        ];
  const fits = options.filter((s) => codePoints(s) <= WRAP_WIDTH);
  return r.pick(fits.length > 0 ? fits : [`${p.role.name} focused on ${a1} and ${a2}.`]);
}

const DESCRIPTIONS: Record<Weakness, string> = {
  vague_bullets: 'generic phrasing ("worked on", "helped with", "responsible for") with no concrete task, tool or result',
  no_metrics: 'real accomplishments stated with zero quantification (no numbers, percentages, money or time)',
  too_long: 'over the one-page limit',
  wrong_emphasis: 'JD-relevant experience buried and undersold',
  weak_verbs: 'passive or hedged constructions instead of action verbs',
  formatting_inconsistent: 'inconsistent formatting',
};

export function generateResume(p: PersonaContext, weakness: Weakness, r: Rng): GeneratedResume {
  const long = weakness === 'too_long';
  const style = sampleStyle(r);
  const focusIds = new Set(p.focus.map((a) => a.id));
  const otherAreas = p.role.areas.filter((a) => !focusIds.has(a.id));
  const summaryLabels = weakness === 'wrong_emphasis' ? otherAreas.map((a) => a.label) : p.focus.map((a) => a.label);
  const summary: ResumeLine = { text: summaryLine(p, r.shuffle(summaryLabels.slice()), r) };
  if (weakness === 'wrong_emphasis') {
    summary.reason = `misplaced emphasis: the summary leads with ${otherAreas.map((a) => a.label).join(' and ')}, not the JD focus (${p.focus.map((a) => a.label).join(', ')})`;
  }

  const draft: Draft = {
    p,
    style,
    layout: { projects: 0, certs: false, awards: false, volunteer: false, interests: false },
    summary,
    jobSlots: [],
    projectSlots: [],
    projectNames: [],
    jobFormats: p.jobs.map(() => ({ date: style.date, dash: style.dash, reasons: [] })),
    extras: {
      award: `${r.pick(AWARDS)} (${r.int((p.jobs[p.jobs.length - 1] as Job).start.year, REFERENCE_DATE.year)})`,
      volunteer: r.pick(VOLUNTEER),
      interests: capitalize(r.sample(INTERESTS, 3).join(', ').toLowerCase()),
    },
  };
  const target = long ? r.int(58, 70) : r.int(44, 50);
  planLayout(draft, target, long, r);

  // Which bullets are weak: about 60% (resume-task.md section 5).
  const allSlots = [...draft.jobSlots.flat(), ...draft.projectSlots];
  const n = allSlots.length;
  const nWeak = Math.min(n - 1, Math.max(1, Math.round(n * r.uniform(0.55, 0.66))));
  const weakSet = new Set(r.sample(allSlots, nWeak));
  if (weakness === 'wrong_emphasis') {
    const focusTasks = p.focus.reduce((a, f) => a + f.tasks.length, 0);
    const weakList = allSlots.filter((s) => weakSet.has(s));
    const nUnder = Math.min(Math.ceil(nWeak / 2), focusTasks);
    const under = new Set(r.sample(weakList, nUnder));
    for (const s of weakList) s.kind = under.has(s) ? 'undersold' : 'prominent';
    // Unrelated work first, relevant work last within each role.
    const order: Record<SlotKind, number> = { prominent: 0, strong: 1, weak: 1, undersold: 2 };
    for (const slots of [...draft.jobSlots, draft.projectSlots]) slots.sort((a, b) => order[a.kind] - order[b.kind]);
  } else {
    for (const s of weakSet) s.kind = 'weak';
  }

  writeBullets(draft, weakness, r);
  if (weakness === 'formatting_inconsistent') applyFormatting(draft, r);

  const lines = assemble(draft);
  const text = lines.map((l) => l.text).join('\n') + '\n';
  const physical = sourceLines(text);
  if (physical.length !== lines.length) throw new Error('resume line split mismatch (a line contains a newline)');
  const weakLines = lines.flatMap((l, i) => (l.reason ? [{ line: i + 1, text: l.text, reason: l.reason }] : []));
  const bullets = lines.filter((l) => l.bullet).length;
  const weakBullets = lines.filter((l) => l.bullet && l.reason).length;
  const layoutLines = layoutLineCount(text);
  if (long ? layoutLines <= LINE_LIMIT : layoutLines > LINE_LIMIT) {
    throw new Error(`generated ${weakness} resume has ${layoutLines} layout lines (limit ${LINE_LIMIT})`);
  }
  return { text, weakLines, bullets, weakBullets, layoutLines, description: describe(draft, weakness, bullets, weakBullets, layoutLines) };
}

function describe(d: Draft, weakness: Weakness, n: number, w: number, layoutLines: number): string {
  const focus = d.p.focus.map((a) => a.label).join(' and ');
  switch (weakness) {
    case 'too_long':
      return `The resume runs ${layoutLines} layout lines against the ${LINE_LIMIT}-line limit (over by ${layoutLines - LINE_LIMIT}); ${w} of ${n} bullets are routine duties with little signal and the Interests section adds nothing, so they can be cut or merged.`;
    case 'wrong_emphasis': {
      const slots = [...d.jobSlots.flat(), ...d.projectSlots];
      const under = slots.filter((s) => s.kind === 'undersold').length;
      const prom = slots.filter((s) => s.kind === 'prominent').length;
      return `The JD centres on ${focus}, but that experience is ${DESCRIPTIONS.wrong_emphasis}: ${under} bullets mention it in minimal wording at the end of each role, ${prom} bullets about unrelated work lead the roles, and the summary highlights other areas.`;
    }
    case 'formatting_inconsistent':
      return `The resume has ${DESCRIPTIONS.formatting_inconsistent}: date formats change between roles, ${w} of ${n} bullets deviate in marker, punctuation, capitalization, tense or indentation, and heading levels are mixed.`;
    default:
      return `${w} of ${n} bullets use ${DESCRIPTIONS[weakness]}; the other bullets are specific and quantified.`;
  }
}

const WEAK_REASON: Partial<Record<Weakness, string>> = {
  vague_bullets: 'vague: generic phrasing with no concrete task, tool or result',
  no_metrics: 'no metrics: a real accomplishment with no quantified result',
  too_long: 'low value: a routine duty with little signal; cut or merge to fit one page',
};

/** Writes the text of every bullet slot. Tasks are not repeated within one resume. */
function writeBullets(d: Draft, weakness: Weakness, r: Rng): void {
  const { p, style } = d;
  const generic = GENERIC_TASKS[p.role.family];
  const pool: { task: TaskTemplate; area: RoleArea | null }[] = [
    ...p.role.areas.flatMap((area) => area.tasks.map((task) => ({ task, area }))),
    ...generic.map((task) => ({ task, area: null })),
  ];
  const usedTasks = new Set<TaskTemplate>();
  const usedTemplates = new Set<string>();
  const usedTexts = new Set<string>();
  const usedMetrics = new Set<string>();
  const isFocus = (a: RoleArea | null): boolean => a !== null && p.focus.some((f) => f.id === a.id);

  const pickTask = (want: 'focus' | 'other' | 'any', project: boolean): { task: TaskTemplate; area: RoleArea | null } => {
    // Projects draw from the role's work areas only (no mentoring or process "projects").
    const ok = (e: (typeof pool)[number]): boolean =>
      (!project || e.area !== null) && (want === 'any' ? true : want === 'focus' ? isFocus(e.area) : !isFocus(e.area));
    let free = pool.filter((e) => ok(e) && !usedTasks.has(e.task));
    if (free.length === 0) free = pool.filter((e) => !usedTasks.has(e.task));
    if (free.length === 0) free = pool;
    const e = r.pick(free);
    usedTasks.add(e.task);
    return e;
  };

  const render = (slot: Slot, job: Job, isProject: boolean): ResumeLine => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const vals = slotValues(p, job, r);
      let text: string;
      let reason: string | undefined;
      let acc: Accomplishment | undefined;
      const want = slot.kind === 'undersold' ? 'focus' : slot.kind === 'prominent' || (weakness === 'wrong_emphasis' && slot.kind === 'strong') ? 'other' : r.chance(0.5) ? 'focus' : 'any';
      const needsTask = !(slot.kind === 'weak' && (weakness === 'vague_bullets' || weakness === 'too_long'));
      if (needsTask) {
        const { task, area } = pickTask(want, isProject);
        acc = makeAccomplishment(task, area, vals, r);
      }
      const areaLabel = r.pick(p.role.areas).label;
      if (slot.kind === 'strong' || (slot.kind === 'weak' && weakness === 'formatting_inconsistent')) {
        text = strongText(acc as Accomplishment);
      } else if (slot.kind === 'prominent') {
        text = strongText(acc as Accomplishment);
        reason = `misplaced emphasis: work unrelated to the JD focus (${p.focus.map((a) => a.label).join(', ')}) leads the role`;
      } else if (slot.kind === 'undersold') {
        text = undersoldText(acc as Accomplishment, r, usedTemplates);
        reason = `undersold: JD-relevant ${(acc as Accomplishment).area?.label ?? 'work'} written minimally and placed last`;
      } else if (weakness === 'vague_bullets') {
        text = vagueText(vals, areaLabel, r, usedTemplates);
        reason = WEAK_REASON.vague_bullets;
      } else if (weakness === 'too_long') {
        text = routineText(vals, areaLabel, r, usedTemplates);
        reason = WEAK_REASON.too_long;
      } else if (weakness === 'no_metrics') {
        text = noMetricText(acc as Accomplishment, r);
        reason = WEAK_REASON.no_metrics;
      } else {
        const pv = passiveText(acc as Accomplishment, r);
        text = pv.text;
        reason = `weak verb: opens with a passive or hedged construction ("${pv.opener.trim()}")`;
      }
      if (!style.period) text = text.replace(/\.$/, '');
      const prefix = isProject ? `**${projectName(d, job, r)}:** ` : '';
      const line = `${style.marker} ${prefix}${text}`;
      // Headroom under the wrap width: formatting deviations may add a few characters.
      // Low-entropy metrics ("by 4 points") can repeat by chance: keep each one once per resume.
      const repeatsMetric = acc !== undefined && text.includes(acc.metric) && usedMetrics.has(acc.metric);
      if (codePoints(line) > MAX_BULLET_CHARS || usedTexts.has(text) || repeatsMetric) {
        if (acc) usedTasks.delete(acc.task);
        continue;
      }
      usedTexts.add(text);
      if (acc && text.includes(acc.metric)) usedMetrics.add(acc.metric);
      if (acc) slot.acc = acc;
      slot.prefix = prefix;
      return reason ? { text: line, reason, bullet: true } : { text: line, bullet: true };
    }
    throw new Error(`could not write a bullet under ${MAX_BULLET_CHARS} characters for ${p.role.id}`);
  };

  d.jobSlots.forEach((slots, i) => {
    for (const s of slots) s.line = render(s, p.jobs[i] as Job, false);
  });
  for (const s of d.projectSlots) s.line = render(s, p.jobs[0] as Job, true);
}

const PROJECT_NOUNS = ['Tracker', 'Dashboard', 'Toolkit', 'Assistant', 'Simulator', 'Explorer', 'Planner', 'Monitor', 'Playbook', 'Lab'];

function projectName(d: Draft, job: Job, r: Rng): string {
  for (let k = 0; k < 10; k++) {
    const domain = r.pick(job.vertical.domains).split(' ').map(capitalize).join(' ');
    const name = `${domain} ${r.pick(PROJECT_NOUNS)}`;
    if (!d.projectNames.includes(name)) {
      d.projectNames.push(name);
      return name;
    }
  }
  return `Project ${d.projectNames.length + 1}`;
}

const MARKERS = ['-', '*', '•', '+'];

/** formatting_inconsistent: mixed date formats between roles, deviating bullets, a heading at the
 *  wrong level. Bullet deviations go on the weak slots; content stays strong. */
function applyFormatting(d: Draft, r: Rng): void {
  const { style, p } = d;
  const base = fmtRange(p.jobs[0] as Job, style.date, style.dash);
  // Dates: each later role gets another format with probability 0.7, at least one does.
  const later = p.jobs.map((_, i) => i).slice(1);
  if (later.length === 0) throw new Error('formatting_inconsistent needs at least two roles to mix date formats');
  const forced = r.pick(later);
  for (const i of later) {
    if (i !== forced && !r.chance(0.7)) continue;
    const f = d.jobFormats[i] as JobFormat;
    f.date = r.pick(DATE_FMTS.filter((x) => x !== style.date));
    if (r.chance(0.5)) f.dash = r.pick([' – ', ' - ', ' — ', ' to ', '–'].filter((x) => x !== style.dash));
    const shown = fmtRange(p.jobs[i] as Job, f.date, f.dash);
    f.reasons.push(`date format "${shown}" differs from "${base}" used for the first role`);
  }
  // One later job header at another level.
  const j = r.pick(later);
  const jf = d.jobFormats[j] as JobFormat;
  if (style.header === 'D') {
    jf.level = r.pick(['###', '####']);
    jf.reasons.unshift(`job header uses a "${jf.level}" heading while the other roles use bold text`);
  } else {
    jf.level = r.pick(['####', '**', '##']);
    jf.reasons.unshift(`job header uses ${jf.level === '**' ? 'bold text' : `"${jf.level}"`} while the other roles use "###"`);
  }
  // One section heading at another level.
  const key = r.pick(['skills', 'education', 'experience'] as const);
  const variant = r.pick(['###', '#', '**'] as const);
  const name = style.names[key];
  d.headingOverride = {
    key,
    text: variant === '**' ? `**${name}**` : `${variant} ${name}`,
    reason: `section heading uses ${variant === '**' ? 'bold text' : `"${variant}"`} while the other sections use "##"`,
  };
  // Bullets: each weak slot gets one deviation; the first is always a different marker.
  const weak = [...d.jobSlots.flat(), ...d.projectSlots].filter((s) => s.kind === 'weak');
  weak.forEach((s, k) => {
    const line = s.line as ResumeLine;
    const acc = s.acc as Accomplishment;
    const prefix = s.prefix ?? '';
    let content = line.text.slice(2 + prefix.length);
    const kind = k === 0 ? 'marker' : r.pick(['marker', 'marker', 'period', 'case', 'indent', 'tense']);
    let marker: string = style.marker;
    let indent = '';
    let reason: string;
    if (kind === 'marker') {
      marker = r.pick(MARKERS.filter((x) => x !== style.marker));
      reason = `bullet marker "${marker}" differs from "${style.marker}" used elsewhere`;
    } else if (kind === 'period') {
      content = style.period ? content.replace(/\.$/, '') : `${content}.`;
      reason = style.period ? 'missing the final period that the other bullets have' : 'ends with a period unlike the other bullets';
    } else if (kind === 'case') {
      content = content.charAt(0).toLowerCase() + content.slice(1);
      reason = 'starts with a lowercase letter unlike the other bullets';
    } else if (kind === 'indent') {
      indent = '  ';
      reason = 'indented as a sub-bullet with no parent bullet';
    } else {
      content = `${capitalize(acc.verb.ing)} ${acc.object}, ${acc.metric}${style.period ? '.' : ''}`;
      reason = `starts with a gerund ("${capitalize(acc.verb.ing)}") while the other bullets use the past tense`;
    }
    s.line = { text: `${indent}${marker} ${prefix}${content}`, reason, bullet: true };
  });
}
