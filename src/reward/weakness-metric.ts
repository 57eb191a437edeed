// Which content metric each planted weakness targets (resume-task.md section 4). One table for the
// no-edit shortcut of the content rubric (rubrics.ts) and the rules judge's overall preference
// (rules-judge.ts). Kept free of environment code so judges can import it alone.
import type { Weakness } from '../data/schema.js';

export type ContentMetric = 'clarity' | 'quantification' | 'jd_alignment' | 'action_verbs';

export const WEAKNESS_METRIC: Record<Weakness, ContentMetric> = {
  vague_bullets: 'clarity',
  no_metrics: 'quantification',
  wrong_emphasis: 'jd_alignment',
  weak_verbs: 'action_verbs',
  // (choice, spec section 4) trimming an over-long resume and making formatting consistent are
  // both about reading clearly; neither has a metric of its own.
  too_long: 'clarity',
  formatting_inconsistent: 'clarity',
};

/** The metric for a weakness type given as a plain string (JudgeInput), undefined when unknown. */
export function weaknessMetric(type: string): ContentMetric | undefined {
  return Object.hasOwn(WEAKNESS_METRIC, type) ? WEAKNESS_METRIC[type as Weakness] : undefined;
}
