// Reading a saved evaluation (eval.json, as `npm run eval -- --out DIR` writes it) back, and its
// rollouts.jsonl (src/rl/rollout.ts rolloutLogLine). The schema takes evaluations saved before
// issue 11 too: every field added since is optional. JSON writes NaN (a mean over nothing) as null,
// so numbers may be null and read back as NaN.
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

const issues = (e: z.ZodError): string => e.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');

/** eval.json of a directory, or the file itself. */
export function savedEvalPath(p: string): string {
  return existsSync(p) && statSync(p).isDirectory() ? join(p, 'eval.json') : p;
}

/** One line of an evaluation's rollouts.jsonl: what the report's numbers are computed from (the
 *  resume task's breakdown; other fields of the line are not read). */
export const LoggedRollout = z.object({
  row: z.string(),
  /** Absent from logs written before it was added. */
  weakness: z.string().optional(),
  endReason: z.string(),
  reward: z.object({
    /** Absent when the judge failed. */
    total: z.number().optional(),
    breakdown: z.object({
      tool: z.object({ total: z.number(), submitted: z.boolean(), strReplaceOk: z.number(), strReplaceFailed: z.number() }),
      layout: z.object({ lines: z.number(), pass: z.boolean(), total: z.number() }),
      content: z.object({ total: z.number(), clarity: z.number(), quantification: z.number(), jd_alignment: z.number(), action_verbs: z.number(), overall_preference: z.number(), hallucination: z.number() }).optional(),
    }),
  }),
  turns: z.array(z.object({ assistant: z.string(), reply: z.string().optional() })),
});
export type LoggedRollout = z.infer<typeof LoggedRollout>;

/** rollouts.jsonl of a directory (or the file itself), one record per line; throws naming the
 *  file and line of the first that is not one. */
export function readRolloutLog(p: string): LoggedRollout[] {
  const file = existsSync(p) && statSync(p).isDirectory() ? join(p, 'rollouts.jsonl') : p;
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.flatMap((line, i) => {
    if (line.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    const r = LoggedRollout.safeParse(json);
    if (!r.success) throw new Error(`${file}:${i + 1}: not a logged rollout: ${issues(r.error)}`);
    return [r.data];
  });
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
  if (!r.success) throw new Error(`${file}: not a saved evaluation: ${issues(r.error)}`);
  return r.data as EvalReport;
}
