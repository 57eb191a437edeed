// Fitting a resume to its length: which optional sections it has and how many bullets each job
// and the Projects section get, so the laid-out text lands on a target number of layout lines.
import type { Rng } from '../io/rng.js';
import type { Draft, Layout, SlotKind } from './resume-draft.js';
import { assemble } from './resume-sections.js';

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
export function planLayout(d: Draft, target: number, long: boolean, r: Rng): void {
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
