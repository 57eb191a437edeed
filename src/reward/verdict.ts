// The judge's verdict: one categorical value per field (resume-task.md section 4). Shared by the
// LLM judge (structured output), the rules judge, and the content rubric.
import { z } from 'zod';

export const Trinary = z.enum(['worse', 'same', 'better']);
export const Verdict = z.object({
  hallucination: z.enum(['fabricated', 'faithful']),
  clarity: Trinary,
  quantification: Trinary,
  jd_alignment: Trinary,
  action_verbs: Trinary,
  overall_preference: Trinary,
});
export type Verdict = z.infer<typeof Verdict>;

/** What a judge is asked about: everything it may see (the weakness goes to the judge only). */
export interface JudgeInput {
  jd: string;
  original: string;
  revised: string;
  weakness: { type: string; description: string; lines: { line: number; text: string; reason: string }[] };
}

/** A judge: LLM-backed or the offline rules judge. Throws JudgeError when it cannot give a verdict. */
export interface Judge {
  readonly name: string;
  judge(input: JudgeInput): Promise<Verdict>;
}
