// Lays a draft out as the resume's lines, section by section: name and contact, Summary,
// Experience (job headers in the draft's style, then bullets), Projects, Skills, Education
// (before Experience for early-career people), Certifications, Awards, Volunteering, Interests.
import type { Job } from './persona.js';
import { blank, type Draft, type JobFormat, type ResumeLine, type Slot } from './resume-draft.js';
import { fmtRange, type Style } from './resume-style.js';

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
export function assemble(d: Draft, placeholder = false): ResumeLine[] {
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
