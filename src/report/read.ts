// Reading a run directory's metrics.jsonl (one line per training step, src/train/metrics.ts
// StepMetrics) and evals.jsonl (one line per evaluation) for the report, leniently:
//  - only `step` (and, in metrics.jsonl, reward.mean/min/max) are required; a line without them,
//    or that is not JSON, is skipped with a warning naming its line number;
//  - every other known field is optional, and one of the wrong type is treated as absent (a future
//    change of a field's shape costs that chart, not the report);
//  - reward components are read generically: every numeric key of `reward` except mean/min/max
//    (another environment names its components differently), and likewise every numeric key of
//    an evaluation's `components` and `seconds`;
//  - unknown fields are ignored;
//  - JSON has no NaN: the trainer's NaN (a step whose rollouts were all dropped) arrives as null
//    and is read as "no value" (a gap in that series).
// Several lines of one step (not expected: a resumed run trims them) keep the last one.
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

/** One training step, as the report uses it. */
export interface StepRow {
  step: number;
  /** Mean, min and max total reward over the step's scored rollouts (null: none scored). */
  reward: { mean: number | null; min: number | null; max: number | null };
  /** Reward components by name (resume env: tool, layout, content), means over scored rollouts. */
  components: Record<string, number>;
  submitRate?: number;
  editFailureRate?: number;
  loss?: number;
  gradNorm?: number;
  meanRatio?: number;
  clippedFraction?: number;
  /** The environment's per-rollout metrics, means over the step (resume: submitRate, reviewRate,
   *  editsOk, ...; reverse-text: exactRate, lengthMatchRate). */
  envMetrics: Record<string, number>;
  /** Wall-clock seconds by part of the step (rollout, train, sync, and any a later trainer adds). */
  seconds: Record<string, number>;
}

/** One evaluation, as the report uses it. */
export interface EvalRow {
  step: number;
  meanReward: number | null;
  components: Record<string, number>;
  submitRate?: number;
  editFailureRate?: number;
  /** Other numeric top-level fields (resume env: hallucination, contentQuality, layoutPassRate). */
  other: Record<string, number>;
}

export interface Read<T> {
  rows: T[];
  /** One line per skipped or odd line: "FILE:LINE: why". */
  warnings: string[];
  /** Non-blank lines in the file. */
  lines: number;
}

const finite = z.number().refine(Number.isFinite);
/** A number, or null for JSON's NaN/Infinity. */
const numOrNull = z.union([finite, z.null()]);
/** An optional number; anything else (wrong type, null) reads as absent. */
const optNum = finite.optional().catch(undefined);
const step = z.number().int().nonnegative();

/** The numeric entries of a record-like value (others dropped). */
function numericEntries(x: unknown, skip: readonly string[] = []): Record<string, number> {
  const out: Record<string, number> = {};
  if (x === null || typeof x !== 'object' || Array.isArray(x)) return out;
  for (const [k, v] of Object.entries(x)) if (!skip.includes(k) && typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

const MetricsLine = z.looseObject({
  step,
  reward: z.looseObject({ mean: numOrNull, min: numOrNull, max: numOrNull }),
  submitRate: optNum,
  editFailureRate: optNum,
  loss: optNum,
  gradNorm: optNum,
  meanRatio: optNum,
  clippedFraction: optNum,
  metrics: z.unknown().optional(),
  seconds: z.unknown().optional(),
});

const EvalLine = z.looseObject({
  step,
  meanReward: numOrNull,
  components: z.unknown().optional(),
  submitRate: optNum,
  editFailureRate: optNum,
});

/** Top-level eval fields that are not "other metrics": bookkeeping, or charted on their own. */
const EVAL_NOT_OTHER = ['step', 'meanReward', 'components', 'submitRate', 'editFailureRate', 'rollouts', 'unscored', 'seconds'];

/** A zod issue as "path: message". */
const issueText = (e: z.ZodError): string =>
  e.issues.map((i) => `${i.path.length ? i.path.join('.') : '(line)'}: ${i.message}`).join('; ');

function parseLines<T extends { step: number }>(text: string, file: string, toRow: (json: unknown) => T | string): Read<T> {
  const byStep = new Map<number, T>();
  const warnings: string[] = [];
  let lines = 0;
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    lines++;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      warnings.push(`${file}:${i + 1}: not JSON, skipped`);
      return;
    }
    const row = toRow(json);
    if (typeof row === 'string') {
      warnings.push(`${file}:${i + 1}: ${row}, skipped`);
      return;
    }
    if (byStep.has(row.step)) warnings.push(`${file}:${i + 1}: step ${row.step} again; this line replaces the earlier one`);
    byStep.set(row.step, row);
  });
  return { rows: [...byStep.values()].sort((a, b) => a.step - b.step), warnings, lines };
}

/** Parses metrics.jsonl text (`file` names it in warnings). */
export function parseMetrics(text: string, file = 'metrics.jsonl'): Read<StepRow> {
  return parseLines(text, file, (json) => {
    const r = MetricsLine.safeParse(json);
    if (!r.success) return issueText(r.error);
    const m = r.data;
    const row: StepRow = {
      step: m.step,
      reward: { mean: m.reward.mean, min: m.reward.min, max: m.reward.max },
      components: numericEntries(m.reward, ['mean', 'min', 'max']),
      envMetrics: numericEntries(m.metrics),
      seconds: numericEntries(m.seconds),
    };
    for (const k of ['submitRate', 'editFailureRate', 'loss', 'gradNorm', 'meanRatio', 'clippedFraction'] as const) {
      if (m[k] !== undefined) row[k] = m[k];
    }
    // The trainer writes the environment's metrics under `metrics` (older runs: top-level submitRate).
    const { submitRate, editsOk, editsFailed } = row.envMetrics;
    if (row.submitRate === undefined && submitRate !== undefined) row.submitRate = submitRate;
    if (row.editFailureRate === undefined && editsOk !== undefined && editsFailed !== undefined && editsOk + editsFailed > 0) row.editFailureRate = editsFailed / (editsOk + editsFailed);
    return row;
  });
}

/** Parses evals.jsonl text. */
export function parseEvals(text: string, file = 'evals.jsonl'): Read<EvalRow> {
  return parseLines(text, file, (json) => {
    const r = EvalLine.safeParse(json);
    if (!r.success) return issueText(r.error);
    const e = r.data;
    const row: EvalRow = { step: e.step, meanReward: e.meanReward, components: numericEntries(e.components), other: numericEntries(e, EVAL_NOT_OTHER) };
    if (e.submitRate !== undefined) row.submitRate = e.submitRate;
    if (e.editFailureRate !== undefined) row.editFailureRate = e.editFailureRate;
    return row;
  });
}

/** Reads `path` (metrics.jsonl); throws, naming the file, when it is missing or has no step. */
export function readMetrics(path: string): Read<StepRow> {
  if (!existsSync(path)) throw new Error(`${path} not found (a run directory written by npm run train has one)`);
  const r = parseMetrics(readFileSync(path, 'utf8'), path);
  if (r.rows.length === 0) {
    throw new Error(r.lines === 0 ? `${path} is empty: the run has no finished step yet` : `${path} has no readable step (all ${r.lines} line(s) skipped):\n  ${r.warnings.join('\n  ')}`);
  }
  return r;
}

/** Reads `path` (evals.jsonl) when it exists; an absent file is no evaluations, not an error. */
export function readEvals(path: string): Read<EvalRow> {
  if (!existsSync(path)) return { rows: [], warnings: [], lines: 0 };
  return parseEvals(readFileSync(path, 'utf8'), path);
}
