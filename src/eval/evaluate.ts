// Evaluation (shared/spec/resume-task.md section 7): `rolloutsPerRow` rollouts of every held-out
// row with the model behind the embedded sampler (or on a sampler server: vLLM for Qwen3-14B),
// scored by the rubrics and the judge, summarised
// by src/eval/report.ts. Rows run a few at a time (`rowsAtOnce`) so the sampler's KV cache stays
// bounded. Writes eval.json, eval.md and rollouts.jsonl to `out` when given.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import { Generator } from '../model/generate.js';
import { Qwen3Model } from '../model/qwen3.js';
import type { SamplingInput } from '../ops/sampling.js';
import { ResumeEnvironment, type EpisodeResult, type EpisodeRow } from '../env/resume/episode.js';
import { rolloutLogLine, runGroups, type Rollout, type RolloutContext } from '../rl/rollout.js';
import { OpenAISampler } from '../rollout/client.js';
import { BatchedSampler, type TurnSampler } from '../rollout/sampler.js';
import { loadChatFormat, makeJudge } from '../rl/setup.js';
import { describeJudge, JudgeConfig } from '../reward/judge-config.js';
import { MAX_EPISODE_TOKENS, MAX_TOKENS_PER_TURN, MAX_TURNS } from '../env/resume/prompts.js';
import { buildReport, reportMarkdown, type EvalReport } from './report.js';

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
  rowsAtOnce?: number;
  seed?: string;
  /** Sample on this OpenAI-compatible server (vLLM's token-id API) instead of loading the model;
   *  `modelDir` then only provides the tokenizer and chat template. */
  sampler?: { baseURL: string; model: string; apiKey?: string };
  out?: string;
  log?: (s: string) => void;
}

export async function evaluate(gpu: Gpu | null, o: EvalOptions): Promise<{ report: EvalReport; rollouts: Rollout[] }> {
  const log = o.log ?? ((s: string) => console.log(s));
  const judge = o.judge ?? JudgeConfig.parse({});
  const env = new ResumeEnvironment(makeJudge(judge), { eval: o.data });
  const rows = env.rows('eval').slice(0, o.limit ?? Infinity);
  const perRow = o.rolloutsPerRow ?? 16;
  const atOnce = Math.max(1, Math.min(o.rowsAtOnce ?? 4, rows.length));
  const maxEpisodeTokens = o.maxEpisodeTokens ?? MAX_EPISODE_TOKENS;
  const { tokenizer, template } = await loadChatFormat(o.modelDir);
  let local: { model: Qwen3Model; generator: Generator } | null = null;
  let sampler: TurnSampler;
  if (o.sampler) {
    sampler = new OpenAISampler(o.sampler);
    log(`eval: sampling on ${o.sampler.baseURL} (model ${o.sampler.model})`);
  } else {
    if (!gpu) throw new Error('evaluate: no GPU and no sampler server given');
    const model = await Qwen3Model.load(gpu, o.modelDir);
    local = { model, generator: new Generator(model, { slots: atOnce * perRow, maxTokens: maxEpisodeTokens + 4096, seed: o.seed ?? 'eval' }) };
    sampler = new BatchedSampler(local.generator);
  }
  const ctx: RolloutContext<EpisodeResult> = {
    env,
    sampler,
    tokenizer,
    template,
    sampling: o.sampling ?? { temperature: 0.7 },
    maxTurns: o.maxTurns ?? MAX_TURNS,
    maxTokensPerTurn: o.maxTokensPerTurn ?? MAX_TOKENS_PER_TURN,
    maxEpisodeTokens,
    enableThinking: false,
  };
  try {
    return await evaluateWith(ctx, rows, { rolloutsPerRow: perRow, rowsAtOnce: atOnce, seed: o.seed, out: o.out, log, meta: { model: o.sampler ? `${o.sampler.model} at ${o.sampler.baseURL}` : o.modelDir, judge: describeJudge(judge) } });
  } finally {
    local?.generator.destroy();
    local?.model.destroy();
  }
}

/** The evaluation over any policy behind `ctx` (a loaded model, a sampler server, or a training
 *  run's own sampler: src/train/orchestrator.ts evaluates during training this way). */
export async function evaluateWith(
  ctx: RolloutContext<EpisodeResult>,
  rows: readonly EpisodeRow[],
  o: { rolloutsPerRow: number; rowsAtOnce: number; seed?: string; out?: string; log: (s: string) => void; meta: { model: string; judge: string } },
): Promise<{ report: EvalReport; rollouts: Rollout<EpisodeResult>[] }> {
  const rollouts: Rollout<EpisodeResult>[] = [];
  for (let i = 0; i < rows.length; i += o.rowsAtOnce) {
    const chunk = rows.slice(i, i + o.rowsAtOnce);
    rollouts.push(...(await runGroups(chunk, o.rolloutsPerRow, ctx, `${o.seed ?? 'eval'}/rows${i}`)));
    o.log(`eval: ${Math.min(i + o.rowsAtOnce, rows.length)}/${rows.length} rows (${rollouts.length} rollouts)`);
  }
  const report = buildReport(rollouts.map((r) => r.episode.detail), o.meta);
  if (o.out) {
    mkdirSync(o.out, { recursive: true });
    writeFileSync(join(o.out, 'eval.json'), JSON.stringify(report, null, 1) + '\n');
    writeFileSync(join(o.out, 'eval.md'), reportMarkdown(report));
    writeFileSync(join(o.out, 'rollouts.jsonl'), rollouts.map(rolloutLogLine).join('\n') + '\n');
  }
  return { report, rollouts };
}
