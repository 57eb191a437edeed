// `npm run plan -- [--config FILE] [--bench DIR] [--tokens-per-rollout N | --metrics FILE] ...`:
// per-rank memory and the projected time of one training step for a run config, from a bench
// results directory (src/plan/). Pure arithmetic: opens no device.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { QWEN3_14B, type Qwen3Config, loadQwen3Config } from '../model/config.js';
import { tinyConfig } from '../model/tiny.js';
import { loadTrainConfig } from '../train/config.js';
import { CARD_MEMORY, PEAK_BF16_TFLOPS, type Figure } from '../plan/facts.js';
import { formatPlan } from '../plan/format.js';
import { project } from '../plan/project.js';
import { newestUsableBench, readBench } from '../plan/throughput.js';

export const DEFAULTS = {
  config: 'configs/qwen3-14b.json',
  benchRoot: 'bench/results',
  tokensPerRollout: 10_000,
  scoredFraction: 0.3,
  world: 3,
  decodeSeqs: 16,
  promptTokens: 10_000,
};

export const USAGE = `npm run plan -- [options]

Per-rank memory and the projected time of one training step (the config's examplesPerStep x
groupSize rollouts, packed into passes of microBatchTokens, spread over the ranks), plus the
embedded sampler's decode step and prefill, from the throughputs of a bench results directory.
Every rate is marked measured / nearest / notes / derived / assumed with its source. Opens no GPU.

Options:
  --config FILE              run config (default ${DEFAULTS.config}); a model directory without
                             config.json falls back to the published Qwen3-14B shape when the
                             path names Qwen3-14B, to model.createTiny's shape when set
  --bench DIR                bench results directory (default: the newest under ${DEFAULTS.benchRoot}/ the plan can read)
  --tokens-per-rollout N     packed tokens per rollout (default ${DEFAULTS.tokensPerRollout}, an assumption)
  --metrics FILE             instead: the mean tokens per rollout (sum tokens / sum scored rollouts)
                             and the scored fraction (sum lossTokens / sum tokens) of a run's
                             metrics.jsonl
  --scored-fraction F        share of positions lm_head scores, 0 < F <= 1 (default ${DEFAULTS.scoredFraction}, an
                             assumption; or from --metrics)
  --world N                  training ranks (default ${DEFAULTS.world}: the published 3 training GPUs)
  --peak-tflops X            the card's peak dense bf16 TFLOP/s for MFU (default: the bench card's,
                             src/plan/facts.ts; H200 989.4)
  --decode-seqs N            sequences per decode step (default ${DEFAULTS.decodeSeqs}, npm run serve's slots)
  --context N                cached tokens per sequence at that decode step (default: tokens per rollout)
  --prompt-tokens N          prefill prompt length (default ${DEFAULTS.promptTokens})
  --help                     this text
`;

export interface PlanArgs {
  config: string;
  bench?: string;
  tokensPerRollout?: number;
  metrics?: string;
  scoredFraction?: number;
  world: number;
  peakTFLOPs?: number;
  decodeSeqs: number;
  context?: number;
  promptTokens: number;
  help?: boolean;
}

export function parseArgs(argv: readonly string[]): PlanArgs {
  const a: PlanArgs = { config: DEFAULTS.config, world: DEFAULTS.world, decodeSeqs: DEFAULTS.decodeSeqs, promptTokens: DEFAULTS.promptTokens };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${x} needs a value`);
      return v;
    };
    const int = (min: number): number => {
      const v = val();
      const n = Number(v);
      if (!Number.isInteger(n) || n < min) throw new Error(`${x} must be an integer >= ${min}, got '${v}'`);
      return n;
    };
    const num = (): number => {
      const v = val();
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${x} must be a positive number, got '${v}'`);
      return n;
    };
    if (x === '--help' || x === '-h') a.help = true;
    else if (x === '--config') a.config = val();
    else if (x === '--bench') a.bench = val();
    else if (x === '--tokens-per-rollout') a.tokensPerRollout = int(2);
    else if (x === '--metrics') a.metrics = val();
    else if (x === '--scored-fraction') {
      a.scoredFraction = num();
      if (a.scoredFraction > 1) throw new Error(`--scored-fraction must be in (0, 1], got ${a.scoredFraction}`);
    } else if (x === '--world') a.world = int(1);
    else if (x === '--peak-tflops') a.peakTFLOPs = num();
    else if (x === '--decode-seqs') a.decodeSeqs = int(1);
    else if (x === '--context') a.context = int(1);
    else if (x === '--prompt-tokens') a.promptTokens = int(1);
    else throw new Error(`unknown argument '${x}' (npm run plan -- --help for the options)`);
  }
  if (a.metrics !== undefined && a.tokensPerRollout !== undefined) throw new Error('--tokens-per-rollout and --metrics are exclusive: give one');
  return a;
}

const MetricsLine = z.looseObject({ tokens: z.number(), rollouts: z.number(), dropped: z.number().optional(), lossTokens: z.number().optional() });

/** Mean packed tokens per rollout and the scored fraction over a run's metrics.jsonl (steps with
 *  an update: tokens > 0). */
export function readMetrics(file: string): { tokensPerRollout: number; scoredFraction: number | null; steps: number } {
  if (!existsSync(file)) throw new Error(`--metrics: ${file} does not exist`);
  let tokens = 0, rollouts = 0, loss = 0, lossKnown = true, steps = 0;
  readFileSync(file, 'utf8').split('\n').forEach((text, k) => {
    if (!text.trim()) return;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error(`--metrics: ${file} line ${k + 1} is not JSON`);
    }
    const r = MetricsLine.safeParse(raw);
    if (!r.success) throw new Error(`--metrics: ${file} line ${k + 1} has no numeric 'tokens' and 'rollouts'`);
    if (r.data.tokens <= 0) return; // a step without an update (update: false, or none scored)
    tokens += r.data.tokens;
    rollouts += r.data.rollouts - (r.data.dropped ?? 0);
    if (r.data.lossTokens === undefined) lossKnown = false;
    else loss += r.data.lossTokens;
    steps++;
  });
  if (steps === 0 || rollouts <= 0) throw new Error(`--metrics: ${file} has no step with trained tokens`);
  return { tokensPerRollout: tokens / rollouts, scoredFraction: lossKnown ? loss / tokens : null, steps };
}

/** The model shape of a run config, and where it came from. */
export async function modelShape(path: string, createTiny: Parameters<typeof tinyConfig>[0] | undefined): Promise<{ config: Qwen3Config; note: string }> {
  const file = join(path, 'config.json');
  if (existsSync(file)) return { config: await loadQwen3Config(file), note: file };
  if (createTiny) return { config: tinyConfig(createTiny), note: `${path} not created yet: the shape of model.createTiny` };
  if (/qwen3-14b/i.test(path)) {
    return { config: QWEN3_14B, note: `${path} does not exist here: the published Qwen3-14B config.json (src/model/config.ts QWEN3_14B)` };
  }
  throw new Error(`model ${path} has no config.json, and its shape is not known otherwise (only Qwen3-14B's is built in)`);
}

export async function runPlan(argv: readonly string[]): Promise<string> {
  const a = parseArgs(argv);
  if (a.help) return USAGE;
  const cfg = loadTrainConfig(a.config);
  const { config: model, note: modelNote } = await modelShape(cfg.model.path, cfg.model.createTiny);
  const { bench, skipped } = a.bench ? { bench: readBench(a.bench), skipped: [] as string[] } : newestUsableBench(DEFAULTS.benchRoot);
  let tokensPerRollout = a.tokensPerRollout ?? DEFAULTS.tokensPerRollout;
  let tokensNote = a.tokensPerRollout !== undefined ? '--tokens-per-rollout' : `assumed default; --tokens-per-rollout or --metrics to change`;
  let scoredFraction = a.scoredFraction ?? DEFAULTS.scoredFraction;
  let scoredNote = a.scoredFraction !== undefined ? '--scored-fraction' : 'assumed default; --scored-fraction to change';
  if (a.metrics) {
    const m = readMetrics(a.metrics);
    tokensPerRollout = m.tokensPerRollout;
    tokensNote = `mean over ${m.steps} steps of ${a.metrics}`;
    if (a.scoredFraction === undefined && m.scoredFraction !== null) {
      scoredFraction = m.scoredFraction;
      scoredNote = `lossTokens / tokens of ${a.metrics}`;
    }
  }
  let peak: Figure | undefined = a.peakTFLOPs !== undefined ? { value: a.peakTFLOPs, basis: 'assumed', source: '--peak-tflops' } : PEAK_BF16_TFLOPS[bench.card];
  if (!peak) throw new Error(`no peak TFLOP/s known for the bench card '${bench.card}': give --peak-tflops`);
  const p = project(
    {
      model,
      world: a.world,
      examplesPerStep: cfg.examplesPerStep,
      groupSize: cfg.groupSize,
      microBatchTokens: cfg.microBatchTokens,
      gradDtype: cfg.model.gradDtype,
      recompute: cfg.model.recompute,
      tokensPerRollout,
      scoredFraction,
      peakTFLOPs: peak.value,
      decode: { seqs: a.decodeSeqs, context: a.context ?? Math.round(tokensPerRollout) },
      prefillTokens: a.promptTokens,
      samplerSync: cfg.sampler.kind === 'openai',
    },
    bench,
  );
  const passedOver = skipped.map((m) => `bench results passed over: ${m}\n`).join('');
  return passedOver + formatPlan(p, bench, {
    configPath: a.config,
    modelNote,
    tokensNote,
    scoredNote,
    worldNote: a.world === DEFAULTS.world ? 'default: the published 3 training GPUs; --world to change' : '--world',
    peak,
    cardMemory: CARD_MEMORY[bench.card] ?? null,
  });
}

async function main(): Promise<void> {
  process.stdout.write(await runPlan(process.argv.slice(2)));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e) => {
    console.error(`plan: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
