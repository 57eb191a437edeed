// The dataset row: the contract between the data generator (tools/make-data.ts), the environment
// (src/env/resume), the rewards (src/reward) and the judge. Read from disk -> validated with zod.
import { z } from 'zod';

export const WEAKNESS_TYPES = [
  'vague_bullets',
  'no_metrics',
  'too_long',
  'wrong_emphasis',
  'weak_verbs',
  'formatting_inconsistent',
] as const;
export const Weakness = z.enum(WEAKNESS_TYPES);
export type Weakness = z.infer<typeof Weakness>;

/** One line of the resume that the generator planted as weak (1-based line number in `resume`). */
export const WeakLine = z.object({
  line: z.number().int().positive(),
  text: z.string(),
  reason: z.string(),
});

export const Persona = z.object({
  name: z.string(),
  role: z.string(),
  seniority: z.string(),
  vertical: z.string(),
  stack: z.array(z.string()),
  education: z.array(z.string()),
  companies: z.array(z.string()),
});

export const DataRow = z.object({
  id: z.string().min(1),
  split: z.enum(['train', 'eval']),
  persona: Persona,
  jd: z.string().min(1),
  resume: z.string().min(1),
  weakness: z.object({
    type: Weakness,
    /** What is wrong, in words, for the judge. */
    description: z.string(),
    /** The lines that carry the planted weakness (and, for the 60/40 mix, the other weak bullets). */
    lines: z.array(WeakLine),
  }),
  stats: z.object({
    lines: z.number().int().nonnegative(),
    bullets: z.number().int().nonnegative(),
    weak_bullets: z.number().int().nonnegative(),
  }),
  /** How the row was written: the procedural generator or an LLM (tools/make-data.ts --llm). */
  source: z.enum(['procedural', 'llm']).optional(),
});
export type DataRow = z.infer<typeof DataRow>;
