// formatting_inconsistent: the house style broken on purpose, each break a weak line with its
// reason: date formats between roles, one job header and one section heading at another level,
// and one deviation (marker, period, case, indent, tense) per weak bullet.
import { capitalize, type Accomplishment } from './bullets.js';
import type { Job } from './persona.js';
import type { Draft, JobFormat, ResumeLine } from './resume-draft.js';
import { DATE_FMTS, fmtRange } from './resume-style.js';
import type { Rng } from '../io/rng.js';

const MARKERS = ['-', '*', '•', '+'];

/** formatting_inconsistent: mixed date formats between roles, deviating bullets, a heading at the
 *  wrong level. Bullet deviations go on the weak slots; content stays strong. */
export function applyFormatting(d: Draft, r: Rng): void {
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
