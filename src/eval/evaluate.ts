// Evaluation (shared/spec/resume-task.md section 7): `rolloutsPerRow` rollouts of every held-out
// row with the model behind the embedded sampler (or on a sampler server: vLLM for Qwen3-14B),
// scored by the rubrics and the judge, summarised by src/eval/report.ts. Rows run a few at a time
// (`rowsAtOnce`, a chunk) so the sampler's KV cache stays bounded; each chunk's seeds derive from its
// first row's index, so a chunk samples the same whatever ran before it. With `out`, each finished
// chunk is saved there at once (src/eval/out-dir.ts: eval.json and eval.md marked partial until the
// last one), and an evaluation resumed there skips the chunks already done. Progress lines come at
// a steady pace while sampling (src/eval/progress.ts).
import { resolve } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import { Generator } from '../model/generate.js';
import { Qwen3Model } from '../model/qwen3.js';
import { SamplingParams, type SamplingInput } from '../ops/sampling.js';
import { ResumeEnvironment, type EpisodeResult, type EpisodeRow } from '../env/resume/episode.js';
import { rolloutLogLine, runGroups, type Rollout, type RolloutContext } from '../rl/rollout.js';
import { OpenAISampler } from '../rollout/client.js';
import { BatchedSampler, type TurnSampler } from '../rollout/sampler.js';
import { loadChatFormat, makeJudge } from '../rl/setup.js';
import { describeJudge, JudgeConfig } from '../reward/judge-config.js';
import { MAX_EPISODE_TOKENS, MAX_TOKENS_PER_TURN, MAX_TURNS } from '../env/resume/prompts.js';
import { buildReport, thinkingText, type EvalReport } from './report.js';
import { plural } from '../io/progress.js';
import { checkResumable, EvalOutDir, readChunks, readSettings, type ChunkRecord, type EvalSettings } from './out-dir.js';
import { EvalProgress } from './progress.js';

export interface EvalOptions {
  modelDir: string;
  data: string;
  rolloutsPerRow?: number;
  /** Only the first `limit` rows. */
  limit?: number;
  /** The judge section of a run config (default: the rules judge). */
  judge?: JudgeConfig;
  sampling?: SamplingInput;
  maxTurns?: number;
  maxTokensPerTurn?: number;
  maxEpisodeTokens?: number;
  /** Qwen3's chat-template thinking (default off, as the trainer samples). */
  enableThinking?: boolean;
  rowsAtOnce?: number;
  seed?: string;
  /** Sample on this OpenAI-compatible server (vLLM's token-id API) instead of loading the model;
   *  `modelDir` then only provides the tokenizer and chat template. */
  sampler?: { baseURL: string; model: string; apiKey?: string };
  out?: string;
  /** With `out`: continue the evaluation saved there (same settings, or refused); default: start over. */
  resume?: boolean;
  log?: (s: string) => void;
  /** See EvalRunOptions. */
  progressEveryMs?: number;
  onRows?: (done: number, total: number) => void;
}

/** EvalOptions with their defaults applied: the environment, its rows, the episode and the run. */
function plan(o: EvalOptions) {
  const judge = o.judge ?? JudgeConfig.parse({});
  const env = new ResumeEnvironment(makeJudge(judge), { eval: o.data });
  const rows = env.rows('eval').slice(0, o.limit ?? Infinity);
  const perRow = o.rolloutsPerRow ?? 16;
  const episode: EpisodeContext = {
    sampling: o.sampling ?? { temperature: 0.7 },
    maxTurns: o.maxTurns ?? MAX_TURNS,
    maxTokensPerTurn: o.maxTokensPerTurn ?? MAX_TOKENS_PER_TURN,
    maxEpisodeTokens: o.maxEpisodeTokens ?? MAX_EPISODE_TOKENS,
    enableThinking: o.enableThinking ?? false,
  };
  const run: EvalRunOptions = {
    rolloutsPerRow: perRow,
    rowsAtOnce: Math.max(1, Math.min(o.rowsAtOnce ?? 4, rows.length)),
    seed: o.seed,
    out: o.out,
    resume: o.resume,
    log: o.log ?? ((s: string) => console.log(s)),
    meta: { model: o.sampler ? `${o.sampler.model} at ${o.sampler.baseURL}` : resolve(o.modelDir), judge: describeJudge(judge), data: resolve(o.data), limit: o.limit },
    progressEveryMs: o.progressEveryMs,
    onRows: o.onRows,
  };
  return { env, rows, episode, run };
}

/** Throws, naming each difference, when `out` holds an evaluation with other settings; returns
 *  whether it already holds every row of this one (then nothing is sampled, and neither a device
 *  nor the model is needed to rebuild its report). */
function checkOut(out: string, rows: readonly EpisodeRow[], settings: EvalSettings): boolean {
  checkResumable(out, settings);
  if (!readSettings(out)) return false;
  const done = new Set([...readChunks(out, () => {}).values()].flatMap((c) => c.rows));
  return rows.every((r) => done.has(r.id));
}

/** What `o.out` holds for the evaluation `o` would resume there: throws, naming each difference,
 *  when it holds one with other settings (the CLI asks before it opens the device); true when it
 *  already holds every row. */
export function checkEvalOut(o: EvalOptions): boolean {
  if (!o.out || !o.resume) return false;
  const { rows, episode, run } = plan(o);
  return checkOut(o.out, rows, evalSettings(episode, rows, run));
}

/** The sampler of an evaluation with nothing left to sample. */
const NOTHING_TO_SAMPLE: TurnSampler = {
  sample: () => Promise.reject(new Error('evaluate: every row is already done, yet a turn was sampled')),
};

export async function evaluate(gpu: Gpu | null, o: EvalOptions): Promise<{ report: EvalReport; rollouts: Rollout[] }> {
  const { env, rows, episode, run } = plan(o);
  const { log, rolloutsPerRow, rowsAtOnce } = run;
  // Before the model loads (minutes for a large one).
  const complete = o.out && o.resume ? checkOut(o.out, rows, evalSettings(episode, rows, run)) : false;
  const { tokenizer, template } = await loadChatFormat(o.modelDir);
  let local: { model: Qwen3Model; generator: Generator } | null = null;
  let sampler: TurnSampler;
  if (complete) {
    sampler = NOTHING_TO_SAMPLE;
    log(`eval: ${o.out} already holds every row; rebuilding its report without loading the model`);
  } else if (o.sampler) {
    sampler = new OpenAISampler(o.sampler);
    log(`eval: sampling on ${o.sampler.baseURL} (model ${o.sampler.model})`);
  } else {
    if (!gpu) throw new Error('evaluate: no GPU and no sampler server given');
    const model = await Qwen3Model.load(gpu, o.modelDir);
    local = { model, generator: new Generator(model, { slots: rowsAtOnce * rolloutsPerRow, maxTokens: episode.maxEpisodeTokens + 4096, seed: o.seed ?? 'eval' }) };
    sampler = new BatchedSampler(local.generator);
  }
  try {
    return await evaluateWith({ ...episode, env, tokenizer, template, sampler }, rows, run);
  } finally {
    local?.generator.destroy();
    local?.model.destroy();
  }
}

export interface EvalRunOptions {
  rolloutsPerRow: number;
  rowsAtOnce: number;
  seed?: string;
  /** Write eval.json, eval.md and rollouts.jsonl here, chunk by chunk (src/eval/out-dir.ts). */
  out?: string;
  /** With `out`: continue the evaluation saved there when its settings are these (other settings
   *  are refused, naming the difference); otherwise what `out` holds is replaced. */
  resume?: boolean;
  log: (s: string) => void;
  /** The model and judge as the report names them; the data file and --limit as the settings
   *  recorded in `out` name them. */
  meta: { model: string; judge: string; data?: string; limit?: number };
  /** Between progress lines while sampling (default 15 s). */
  progressEveryMs?: number;
  /** Rows done of all: at start (a resumed evaluation's) and after each chunk. */
  onRows?: (done: number, total: number) => void;
}

type EpisodeContext = Pick<RolloutContext, 'sampling' | 'maxTurns' | 'maxTokensPerTurn' | 'maxEpisodeTokens' | 'enableThinking'>;

/** What an evaluation's results depend on: recorded in its `out`, compared when resuming there. */
export function evalSettings(ctx: EpisodeContext, rows: readonly EpisodeRow[], o: EvalRunOptions): EvalSettings {
  const s = SamplingParams.parse(ctx.sampling);
  return {
    model: o.meta.model,
    judge: o.meta.judge,
    data: o.meta.data ?? null,
    limit: o.meta.limit ?? null,
    rows: rows.map((r) => r.id),
    rolloutsPerRow: o.rolloutsPerRow,
    rowsAtOnce: o.rowsAtOnce,
    seed: o.seed ?? 'eval',
    temperature: s.temperature,
    topP: s.topP,
    topK: s.topK,
    maxTurns: ctx.maxTurns,
    maxTokensPerTurn: ctx.maxTokensPerTurn,
    maxEpisodeTokens: ctx.maxEpisodeTokens,
    enableThinking: ctx.enableThinking,
  };
}

/** Counts the tokens of finished turns, for samplers that cannot say how many they have sampled. */
function counted(sampler: TurnSampler): { sampler: TurnSampler; tokens: () => number } {
  let finished = 0;
  const wrapped: TurnSampler = {
    sample: async (req) => {
      const r = await sampler.sample(req);
      finished += r.tokens.length;
      return r;
    },
  };
  return { sampler: wrapped, tokens: () => sampler.generatedTokens ?? finished };
}

/** The evaluation over any policy behind `ctx` (a loaded model, a sampler server, or a training
 *  run's own sampler: src/train/orchestrator.ts evaluates during training this way). `rollouts`:
 *  those sampled in this call (a resumed evaluation's earlier ones are in the report only). */
export async function evaluateWith(
  ctx: RolloutContext<EpisodeResult>,
  rows: readonly EpisodeRow[],
  o: EvalRunOptions,
): Promise<{ report: EvalReport; rollouts: Rollout<EpisodeResult>[] }> {
  const seed = o.seed ?? 'eval';
  const store = o.out ? EvalOutDir.open(o.out, evalSettings(ctx, rows, o), { resume: o.resume ?? false, log: o.log }) : null;
  const chunks = new Map<number, ChunkRecord>(store?.done);
  const offsets = Array.from({ length: Math.ceil(rows.length / o.rowsAtOnce) }, (_, k) => k * o.rowsAtOnce);
  for (const [from, c] of chunks) {
    const want = rows.slice(from, from + o.rowsAtOnce).map((r) => r.id);
    if (!offsets.includes(from) || JSON.stringify(c.rows) !== JSON.stringify(want)) {
      throw new Error(`${o.out}: its chunk at row ${from} holds rows ${c.rows.join(', ')}, not this evaluation's (${want.join(', ') || 'none'}); delete ${o.out} to start over`);
    }
  }
  const rowsIn = (cs: Iterable<ChunkRecord>) => [...cs].reduce((n, c) => n + c.rows.length, 0);
  const report = (partial: boolean): EvalReport => {
    const done = [...chunks.values()].sort((a, b) => a.from - b.from);
    return buildReport(done.flatMap((c) => c.episodes), {
      model: o.meta.model,
      judge: o.meta.judge,
      enableThinking: ctx.enableThinking,
      ...(partial ? { partial: { rows: rowsIn(done), of: rows.length } } : {}),
    });
  };
  const before = rowsIn(chunks.values());
  const perRollout = Math.min(ctx.maxTurns * ctx.maxTokensPerTurn, ctx.maxEpisodeTokens);
  if (before > 0) o.log(`eval: resuming the evaluation in ${o.out}: ${before} of ${rows.length} rows already done`);
  o.log(
    `eval: ${plural(rows.length, 'row')} x ${plural(o.rolloutsPerRow, 'rollout')} = ${rows.length * o.rolloutsPerRow}, ${plural(Math.min(o.rowsAtOnce, rows.length), 'row')} at a time; ` +
      `up to ${perRollout} tokens per rollout (${plural(ctx.maxTurns, 'turn')} x ${ctx.maxTokensPerTurn}, at most ${ctx.maxEpisodeTokens} per episode); ${thinkingText(ctx.enableThinking)}`,
  );
  o.onRows?.(before, rows.length);
  const { sampler, tokens } = counted(ctx.sampler);
  const progress = new EvalProgress({ log: o.log, rows: rows.length, rolloutsPerRow: o.rolloutsPerRow, rowsDone: before, tokensPerRollout: perRollout, tokens, everyMs: o.progressEveryMs });
  const rollouts: Rollout<EpisodeResult>[] = [];
  progress.start();
  try {
    for (const i of offsets) {
      if (chunks.has(i)) continue;
      const chunk = rows.slice(i, i + o.rowsAtOnce);
      const rs = await runGroups(chunk, o.rolloutsPerRow, { ...ctx, sampler }, `${seed}/rows${i}`, () => progress.rollout());
      rollouts.push(...rs);
      const c: ChunkRecord = { from: i, rows: chunk.map((r) => r.id), log: rs.map((r) => JSON.parse(rolloutLogLine(r)) as Record<string, unknown>), episodes: rs.map((r) => r.episode.detail) };
      chunks.set(i, c);
      if (store) {
        store.addChunk(c);
        if (chunks.size < offsets.length) store.writeReport(report(true));
      }
      progress.chunk(chunk.length);
      o.onRows?.(rowsIn(chunks.values()), rows.length);
    }
  } finally {
    progress.stop();
  }
  const final = report(false);
  store?.finish(final, [...chunks.values()]);
  return { report: final, rollouts };
}
