// The Experience and Projects bullets: each slot's task (JD focus or other work), its text in the
// slot's kind (strong, or weak in the way the planted weakness says), the reason a weak one is
// weak, and project names.
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
import { codePoints } from './layout.js';
import type { Job } from './persona.js';
import type { Draft, ResumeLine, Slot } from './resume-draft.js';
import type { Rng } from '../io/rng.js';
import type { Weakness } from './schema.js';

const MAX_BULLET_CHARS = 158;

const WEAK_REASON: Partial<Record<Weakness, string>> = {
  vague_bullets: 'vague: generic phrasing with no concrete task, tool or result',
  no_metrics: 'no metrics: a real accomplishment with no quantified result',
  too_long: 'low value: a routine duty with little signal; cut or merge to fit one page',
};

/** Writes the text of every bullet slot. Tasks are not repeated within one resume. */
export function writeBullets(d: Draft, weakness: Weakness, r: Rng): void {
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
