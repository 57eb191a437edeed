// The procedural resume writer: persona + planted weakness -> Markdown text, with the weak lines
// (1-based, matching the text exactly) and why each is weak. Layout: every type but too_long is
// sized to a target of 44-50 layout lines; too_long to 58-70 (resume-task.md sections 3 and 5).
// The pieces: house style (resume-style.ts), the draft (resume-draft.ts), its length fit
// (resume-fit.ts), the Summary line (resume-summary.ts), the bullets (resume-bullets.ts), the
// formatting_inconsistent breaks (resume-formatting.ts) and the layout as lines (resume-sections.ts).
import { AWARDS, INTERESTS, VOLUNTEER } from './catalog/phrases.js';
import { capitalize } from './bullets.js';
import { layoutLineCount, LINE_LIMIT, sourceLines } from './layout.js';
import { REFERENCE_DATE, type Job, type PersonaContext } from './persona.js';
import type { Rng } from '../io/rng.js';
import type { Weakness } from './schema.js';
import type { Draft, ResumeLine, SlotKind } from './resume-draft.js';
import { writeBullets } from './resume-bullets.js';
import { planLayout } from './resume-fit.js';
import { applyFormatting } from './resume-formatting.js';
import { assemble } from './resume-sections.js';
import { sampleStyle } from './resume-style.js';
import { summaryLine } from './resume-summary.js';

export type { ResumeLine } from './resume-draft.js';

export interface GeneratedResume {
  text: string;
  weakLines: { line: number; text: string; reason: string }[];
  bullets: number;
  weakBullets: number;
  layoutLines: number;
  description: string;
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
