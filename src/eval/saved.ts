// Reading a saved evaluation (eval.json, as `npm run eval -- --out DIR` writes it) back. The schema
// takes evaluations saved before issue 11 too: every field added since is optional. JSON writes NaN
// (a mean over nothing) as null, so numbers may be null and read back as NaN.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EvalReport } from './report.js';

const Num = z
  .number()
  .nullable()
  .transform((x) => x ?? NaN);
const Judge = z.object({ clarity: Num, quantification: Num, jd_alignment: Num, action_verbs: Num, overall_preference: Num, hallucination: Num });
const Components = z.object({ tool: Num, layout: Num, content: Num });

export const SavedEval = z.object({
  model: z.string(),
  judge: z.string(),
  date: z.string(),
  rows: z.number(),
  rollouts: z.number(),
  unscored: z.number(),
  meanReward: Num,
  submitRate: Num,
  editFailureRate: Num,
  hallucination: Num,
  contentQuality: Num,
  layoutPassRate: Num,
  components: Components,
  perWeakness: z.record(z.string(), z.object({ rollouts: z.number(), meanReward: Num, components: Components.optional() })),
  histogram: z.object({ from: z.number(), width: z.number().optional(), counts: z.array(z.number()) }),
  editsPerRollout: z.object({ ok: Num, failed: Num }),
  enableThinking: z.boolean().optional(),
  partial: z.object({ rows: z.number(), of: z.number() }).optional(),
  judgeFields: Judge.optional(),
  perExample: z.record(z.string(), z.object({ rollouts: z.number(), meanReward: Num, min: Num, max: Num, sd: Num })).optional(),
  meanLines: Num.optional(),
  wordsPerRollout: Num.optional(),
  negativeRewardShare: Num.optional(),
  samples: z.array(z.object({ row: z.string(), reward: z.number().nullable(), judge: Judge.nullable() })).optional(),
});

/** eval.json of a directory, or the file itself. */
export function savedEvalPath(p: string): string {
  return existsSync(p) && statSync(p).isDirectory() ? join(p, 'eval.json') : p;
}

/** Reads a saved evaluation; throws naming the file when it is missing, not JSON, or not an evaluation. */
export function readSavedEval(p: string): EvalReport {
  const file = savedEvalPath(p);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${file}: cannot read (${e instanceof Error ? e.message : String(e)}); give an eval.json or the directory npm run eval --out wrote`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const r = SavedEval.safeParse(json);
  if (!r.success) throw new Error(`${file}: not a saved evaluation: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  return r.data as EvalReport;
}
