// What an evaluation's `out` directory holds while it runs and after, so an interrupted evaluation
// keeps its finished rows and a rerun with the same settings resumes it (issue 11):
//   eval-settings.json  what is evaluated (model, rows, rollouts, sampling, limits, thinking, seed),
//                       written first; a rerun whose settings differ is refused, naming each field;
//   eval-chunks.jsonl   one line per finished chunk of rows: its rollouts' log lines and episode
//                       records, appended as each chunk finishes (the resume state);
//   rollouts.jsonl      appended with each chunk, rewritten in row order when the last one is done;
//   eval.json, eval.md  rewritten (atomically) after each chunk, marked partial until every row is.
// Writes are synchronous, so a signal handler that exits never runs between a write and its rename.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EpisodeResult } from '../env/resume/episode.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { reportMarkdown, type EvalReport } from './report.js';

export const SETTINGS_FILE = 'eval-settings.json';
export const CHUNKS_FILE = 'eval-chunks.jsonl';

export const EvalSettings = z.strictObject({
  model: z.string(),
  judge: z.string(),
  /** The rows' file (null where the caller has none to name). */
  data: z.string().nullable(),
  /** --limit (null: all rows). */
  limit: z.number().int().nullable(),
  /** The evaluated rows' ids, in order. */
  rows: z.array(z.string()),
  rolloutsPerRow: z.number().int(),
  /** Chunk size: with the seed it fixes every rollout's sampling seed (`<seed>/rows<i>/ex<e>/g<g>`). */
  rowsAtOnce: z.number().int(),
  seed: z.string(),
  temperature: z.number(),
  topP: z.number(),
  topK: z.number(),
  maxTurns: z.number().int(),
  maxTokensPerTurn: z.number().int(),
  maxEpisodeTokens: z.number().int(),
  enableThinking: z.boolean(),
});
export type EvalSettings = z.infer<typeof EvalSettings>;

/** How each setting is named to the user: the command-line option that sets it, where there is one. */
const SETTING_NAMES: Record<keyof EvalSettings, string> = {
  model: '--model',
  judge: 'judge (--judge, --config)',
  data: '--data',
  limit: '--limit',
  rows: 'row ids of the data',
  rolloutsPerRow: '--rollouts',
  rowsAtOnce: '--rows-at-once',
  seed: 'seed',
  temperature: '--temperature',
  topP: 'top-p',
  topK: 'top-k',
  maxTurns: '--max-turns',
  maxTokensPerTurn: '--max-tokens-per-turn',
  maxEpisodeTokens: '--max-episode-tokens',
  enableThinking: 'thinking (--enable-thinking / --no-enable-thinking)',
};

const shown = (k: keyof EvalSettings, v: unknown): string => {
  if (k === 'rows' && Array.isArray(v)) return `${v.length} rows (${v.slice(0, 3).join(', ')}${v.length > 3 ? ', ...' : ''})`;
  return v === null ? 'none' : JSON.stringify(v);
};

/** "name: X there, Y now" for each setting that differs. */
export function settingsDiff(there: EvalSettings, now: EvalSettings): string[] {
  return (Object.keys(SETTING_NAMES) as (keyof EvalSettings)[])
    .filter((k) => JSON.stringify(there[k]) !== JSON.stringify(now[k]))
    .map((k) => `${SETTING_NAMES[k]}: ${shown(k, there[k])} there, ${shown(k, now[k])} now`);
}

// An episode record read back: the fields the report reads are checked, the rest passes through.
const Content = z.looseObject({
  total: z.number(),
  clarity: z.number(),
  quantification: z.number(),
  jd_alignment: z.number(),
  action_verbs: z.number(),
  overall_preference: z.number(),
  hallucination: z.number(),
});
const EpisodeRecord = z.looseObject({
  rowId: z.string(),
  weakness: z.string(),
  turns: z.array(z.looseObject({ assistant: z.string() })),
  reward: z.looseObject({
    total: z.number().optional(),
    tool: z.looseObject({ total: z.number(), submitted: z.boolean(), strReplaceOk: z.number(), strReplaceFailed: z.number() }),
    layout: z.looseObject({ total: z.number(), pass: z.boolean(), lines: z.number() }),
    content: Content.optional(),
  }),
});

/** One finished chunk: rows `from`.. of the evaluation, `rollouts` log lines (rollouts.jsonl's, as
 *  objects) and the episodes in the same row-major order. */
export const ChunkRecord = z.object({
  from: z.number().int().nonnegative(),
  rows: z.array(z.string()),
  log: z.array(z.record(z.string(), z.unknown())),
  episodes: z.array(EpisodeRecord),
});
export interface ChunkRecord {
  from: number;
  rows: string[];
  log: Record<string, unknown>[];
  episodes: EpisodeResult[];
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: cannot read (${e instanceof Error ? e.message : String(e)}); delete the directory to start the evaluation over`);
  }
}

/** The settings saved in `dir`, or null when it holds none (no evaluation, or one saved before
 *  evaluations could resume). */
export function readSettings(dir: string): EvalSettings | null {
  const file = join(dir, SETTINGS_FILE);
  if (!existsSync(file)) return null;
  const r = EvalSettings.safeParse(readJson(file));
  if (!r.success) throw new Error(`${file}: not an evaluation's settings: ${r.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}; delete the directory to start over`);
  return r.data;
}

/** Throws, naming every difference, when `dir` holds an evaluation with other settings. */
export function checkResumable(dir: string, now: EvalSettings): void {
  const there = readSettings(dir);
  if (!there) return;
  const diff = settingsDiff(there, now);
  if (diff.length) throw new Error(`${dir} holds an evaluation with other settings (${diff.join('; ')}); give another --out, or delete ${dir} to start over`);
}

/** Finished chunks in `dir`, by their first row. A torn last line (the process killed while
 *  appending it) is dropped with a log line: that chunk is sampled again. */
export function readChunks(dir: string, log: (s: string) => void): Map<number, ChunkRecord> {
  const file = join(dir, CHUNKS_FILE);
  const out = new Map<number, ChunkRecord>();
  if (!existsSync(file)) return out;
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      if (lines.slice(i + 1).every((l) => l.trim() === '')) return log(`eval: ${file}: line ${i + 1} is cut off (the run was killed while writing it); that chunk is sampled again`);
      throw new Error(`${file}: line ${i + 1} is not JSON (${e instanceof Error ? e.message : String(e)}); delete the directory to start over`);
    }
    const r = ChunkRecord.safeParse(json);
    if (!r.success) throw new Error(`${file}: line ${i + 1} is not a chunk record: ${r.error.issues.map((x) => `${x.path.join('.') || '(top)'}: ${x.message}`).join('; ')}`);
    out.set(r.data.from, r.data as unknown as ChunkRecord);
  });
  return out;
}

const logText = (recs: readonly ChunkRecord[]): string => recs.flatMap((c) => c.log.map((l) => JSON.stringify(l) + '\n')).join('');

export class EvalOutDir {
  private constructor(
    readonly dir: string,
    /** Chunks finished before this run (a resumed evaluation). */
    readonly done: Map<number, ChunkRecord>,
  ) {}

  /** Opens `dir` for an evaluation with `settings`. `resume`: chunks saved there by an evaluation
   *  with the same settings are kept (other settings are refused); otherwise it starts over. */
  static open(dir: string, settings: EvalSettings, o: { resume: boolean; log: (s: string) => void }): EvalOutDir {
    mkdirSync(dir, { recursive: true });
    if (o.resume) {
      checkResumable(dir, settings);
      if (readSettings(dir)) {
        const done = readChunks(dir, o.log);
        // rollouts.jsonl may hold lines of a chunk cut off before its record: rebuild it from the records.
        writeFileAtomicSync(join(dir, 'rollouts.jsonl'), logText([...done.values()].sort((a, b) => a.from - b.from)));
        return new EvalOutDir(dir, done);
      }
    }
    if (existsSync(join(dir, 'eval.json'))) o.log(`eval: ${dir}: replacing the evaluation saved there${o.resume ? ` (it has no ${SETTINGS_FILE}: saved before evaluations could resume)` : ''}`);
    rmSync(join(dir, CHUNKS_FILE), { force: true });
    writeFileAtomicSync(join(dir, 'rollouts.jsonl'), '');
    writeFileAtomicSync(join(dir, SETTINGS_FILE), JSON.stringify(settings, null, 1) + '\n');
    return new EvalOutDir(dir, new Map());
  }

  /** Records a finished chunk: its line in eval-chunks.jsonl, its rollouts in rollouts.jsonl. */
  addChunk(c: ChunkRecord): void {
    appendFileSync(join(this.dir, 'rollouts.jsonl'), logText([c]));
    appendFileSync(join(this.dir, CHUNKS_FILE), JSON.stringify(c) + '\n');
  }

  writeReport(report: EvalReport): void {
    writeFileAtomicSync(join(this.dir, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
    writeFileAtomicSync(join(this.dir, 'eval.md'), reportMarkdown(report));
  }

  /** The final report, and rollouts.jsonl in row order (chunks may have been appended out of order). */
  finish(report: EvalReport, chunks: readonly ChunkRecord[]): void {
    writeFileAtomicSync(join(this.dir, 'rollouts.jsonl'), logText([...chunks].sort((a, b) => a.from - b.from)));
    this.writeReport(report);
  }
}
