// `npm run eval -- --model DIR [options]`: the held-out evaluation (src/eval/evaluate.ts), on this
// machine's GPU or on a sampler server (vLLM); prints the report's table and writes it to --out.
// The judge's settings come from a run config (--config: its judge and kernels sections), the same
// fields the trainer reads. `--compare A B` instead compares two saved evaluations (base A, trained
// B: src/eval/compare.ts), with no model and no GPU. `--help` lists the options.
// Episode limits and thinking follow the command line, else --config, else the run whose checkpoint
// --model is (src/eval/episode-settings.ts). With --out, finished rows are saved as they finish and
// the same command resumes an interrupted evaluation; Ctrl-C says so before exiting.
import { getGpu } from '../gpu/gpu.js';
import { join } from 'node:path';
import { setVariants } from '../gpu/variants.js';
import { loadQwen3Config } from '../model/config.js';
import { prepareKernels } from '../ops/autotune/tuner.js';
import { checkEvalOut, evaluate, type EvalOptions } from '../eval/evaluate.js';
import { reportMarkdown } from '../eval/report.js';
import { compareSaved } from '../eval/compare.js';
import { writeComparison } from '../eval/compare-charts.js';
import { MAX_EPISODE_TOKENS, MAX_TOKENS_PER_TURN, MAX_TURNS } from '../env/resume/prompts.js';
import { describeEpisode, readRunEpisode, resolveEpisode, runConfigOf } from '../eval/episode-settings.js';
import { JudgeConfig, judgeApiKey } from '../reward/judge-config.js';
import { loadTrainConfig, type TrainConfig } from '../train/config.js';
import { intOption, KERNEL_OPTIONS, parseCli, usage, type CliSpec } from './args.js';

const SPEC = {
  command: 'npm run eval --',
  // Only B of `--compare A B` is positional.
  positionals: '',
  summary:
    'The held-out evaluation: rollouts of every evaluation row, scored by the rubrics and the judge, summarised\n' +
    'as the published table (mean reward, submit rate, edit failures, hallucination, ...). Samples with the model\n' +
    "on this machine's GPU, or on a sampler server (vLLM's token-id API) with --sampler-url and --sampler-model.",
  options: {
    model: { type: 'string', value: 'DIR', help: 'a Hugging Face Qwen3 directory, e.g. runs/*/checkpoints/*/model (required; on a sampler server only its tokenizer and chat template are used)' },
    config: { type: 'string', value: 'FILE', help: "a run config (configs/*.json, or a run's run-config.json): its judge, kernels and episode sections apply (default: the rules judge, the device's kernels)" },
    judge: { type: 'string', value: 'rules|openai', help: "the judge's kind, overriding the config's (openai needs --config for its endpoint and model)" },
    data: { type: 'string', value: 'FILE', default: 'data/eval.jsonl', help: 'evaluation rows' },
    rollouts: { type: 'string', value: 'N', default: '16', help: 'rollouts per row' },
    limit: { type: 'string', value: 'N', help: 'only the first N rows (default: all)' },
    'rows-at-once': { type: 'string', value: 'N', default: '4', help: "rows sampled together (a chunk: N x rollouts sequences in the sampler's batch); --out saves each finished chunk" },
    out: {
      type: 'string',
      value: 'DIR',
      help: 'write eval.json, eval.md and rollouts.jsonl here, each finished chunk of rows at once (marked partial until the last); the same command again resumes an interrupted evaluation there, and refuses other settings (default: print only)',
    },
    temperature: { type: 'string', value: 'T', default: '0.7', help: 'sampling temperature' },
    // The episode settings have no fixed default (see the file comment): none is given to parseArgs.
    'max-turns': { type: 'string', value: 'N', help: `turns per episode (default: --config's episode section, else the checkpoint's run-config.json, else ${MAX_TURNS})` },
    'max-tokens-per-turn': { type: 'string', value: 'N', help: `tokens per reply (default: as --max-turns, else ${MAX_TOKENS_PER_TURN})` },
    'max-episode-tokens': { type: 'string', value: 'N', help: `tokens per episode, prompt included (default: as --max-turns, else ${MAX_EPISODE_TOKENS})` },
    'enable-thinking': { type: 'boolean', help: "Qwen3's thinking on (default: as --max-turns, else off, as the trainer samples)" },
    'no-enable-thinking': { type: 'boolean', help: 'thinking off, whatever the configs say' },
    'sampler-url': { type: 'string', value: 'URL', help: 'sample on this OpenAI-compatible server instead of loading the model (with --sampler-model)' },
    'sampler-model': { type: 'string', value: 'NAME', help: "the sampler server's model name" },
    compare: {
      type: 'string',
      value: 'A B',
      help: 'compare two saved evaluations (eval.json or the --out DIR holding it; A base, B trained) instead of evaluating: base, trained, change, examples won and permutation-test p-values; with --out, also writes compare.md and its charts (SVG and PNG) there',
    },
    ...KERNEL_OPTIONS,
  },
  epilog:
    'Example: npm run eval -- --model runs/qwen3-14b/checkpoints/step-000160/model --config configs/qwen3-14b.json --out runs/qwen3-14b/eval\n' +
    'Compare: npm run eval -- --compare runs/base/eval runs/qwen3-14b/eval',
} satisfies CliSpec;

function judgeOf(cfg: TrainConfig | null, kind: string | undefined): JudgeConfig {
  if (kind !== undefined && kind !== 'rules' && kind !== 'openai') throw new Error(`--judge must be rules or openai, got '${kind}'`);
  const r = JudgeConfig.safeParse({ ...(cfg?.judge ?? {}), ...(kind ? { kind } : {}) });
  if (r.success) return r.data;
  throw new Error(`--judge ${kind}: ${r.error.issues.map((i) => `judge.${i.path.join('.')}: ${i.message}`).join('; ')}${cfg ? '' : " (the LLM judge's settings come from a run config: give --config FILE)"}`);
}

type Command = { compare: [string, string]; out?: string } | { o: EvalOptions; cfg: TrainConfig | null; retune: boolean };

function parseOptions(argv: string[], log: (s: string) => void): Command | null {
  const parsed = parseCli(SPEC, argv);
  if (parsed.help) return null;
  const v = parsed.values;
  if (v.compare !== undefined) {
    if (parsed.positionals.length !== 1) throw new Error(`--compare takes two saved evaluations, A (base) and B (trained): --compare A B, got ${1 + parsed.positionals.length}`);
    if (v.model !== undefined) throw new Error('--compare reads saved evaluations: it takes no --model');
    return { compare: [v.compare, parsed.positionals[0]!], out: v.out };
  }
  if (parsed.positionals.length) throw new Error(`unexpected argument '${parsed.positionals[0]}' (only --compare A B takes one)`);
  if (!v.model) throw new Error('--model DIR is required (a Hugging Face Qwen3 directory, e.g. a checkpoint under runs/*/checkpoints/*/model)');
  if ((v['sampler-url'] === undefined) !== (v['sampler-model'] === undefined)) throw new Error('--sampler-url and --sampler-model go together');
  const t = Number(v.temperature);
  if (!(t >= 0)) throw new Error(`--temperature must be >= 0, got '${v.temperature}'`);
  const cfg = v.config ? loadTrainConfig(v.config) : null;
  if (v['enable-thinking'] && v['no-enable-thinking']) throw new Error('--enable-thinking and --no-enable-thinking contradict each other: give one');
  const thinking = v['enable-thinking'] ? true : v['no-enable-thinking'] ? false : undefined;
  const flag = <T>(value: T | undefined, name: string) => (value === undefined ? undefined : { value, flag: `--${name}` });
  const runFile = runConfigOf(v.model);
  const episode = resolveEpisode(
    {
      maxTurns: flag(intOption('max-turns', v['max-turns'], 1), 'max-turns'),
      maxTokensPerTurn: flag(intOption('max-tokens-per-turn', v['max-tokens-per-turn'], 1), 'max-tokens-per-turn'),
      maxEpisodeTokens: flag(intOption('max-episode-tokens', v['max-episode-tokens'], 1), 'max-episode-tokens'),
      enableThinking: flag(thinking, thinking ? 'enable-thinking' : 'no-enable-thinking'),
    },
    cfg && v.config ? { file: v.config, episode: cfg.episode } : null,
    runFile ? { file: runFile, episode: readRunEpisode(runFile) } : null,
  );
  log(`eval: episode settings: ${describeEpisode(episode)}`);
  const o: EvalOptions = {
    modelDir: v.model,
    data: v.data!,
    rolloutsPerRow: intOption('rollouts', v.rollouts, 1),
    limit: intOption('limit', v.limit, 1),
    rowsAtOnce: intOption('rows-at-once', v['rows-at-once'], 1),
    out: v.out,
    sampling: { temperature: t },
    maxTurns: episode.maxTurns.value,
    maxTokensPerTurn: episode.maxTokensPerTurn.value,
    maxEpisodeTokens: episode.maxEpisodeTokens.value,
    enableThinking: episode.enableThinking.value,
    resume: true,
    judge: judgeOf(cfg, v.judge),
    ...(v['sampler-url'] ? { sampler: { baseURL: v['sampler-url'], model: v['sampler-model']! } } : {}),
  };
  return { o, cfg, retune: v.retune ?? false };
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2), (s) => console.log(s));
  if (!parsed) {
    console.log(usage(SPEC));
    return;
  }
  if ('compare' in parsed) {
    const c = compareSaved(...parsed.compare);
    console.log(c.markdown);
    if (parsed.out) {
      const { files, warnings } = await writeComparison(c, parsed.out);
      for (const w of warnings) console.error(`eval: ${w}`);
      console.log(`wrote ${files.join(', ')}`);
    }
    return;
  }
  const { o, cfg, retune } = parsed;
  if (o.judge?.kind === 'openai') judgeApiKey(o.judge); // a missing key fails before the model loads
  const complete = checkEvalOut(o); // so does an --out holding an evaluation with other settings
  onInterrupt(o);
  // A finished evaluation in --out only has its report rebuilt: no device, no model.
  const gpu = o.sampler || complete ? null : await getGpu();
  const variants = cfg?.kernels.variants;
  if (gpu && variants) setVariants(gpu, variants);
  if (gpu) await prepareKernels(gpu, { autotune: cfg?.kernels.autotune, retune, model: () => loadQwen3Config(join(o.modelDir, 'config.json')) });
  const { report } = await evaluate(gpu, o);
  console.log(reportMarkdown(report));
}

/** Ctrl-C (or a `timeout`'s SIGTERM) exits at once: finished chunks are already saved in --out
 *  (synchronously, so none is half written); the message says what was kept and how to resume. */
function onInterrupt(o: EvalOptions): void {
  let rows = { done: 0, total: 0 };
  o.onRows = (done, total) => (rows = { done, total });
  const stop = (signal: NodeJS.Signals, code: number) => () => {
    if (rows.total === 0) {
      console.log(`eval: interrupted (${signal}) before sampling started`);
      process.exit(code);
    }
    const what = `eval: interrupted (${signal}) with ${rows.done} of ${rows.total} rows done`;
    const kept = rows.done ? `${o.out} holds them (eval.json and eval.md marked partial, rollouts.jsonl)` : `none had finished, so ${o.out} holds only the settings`;
    console.log(
      o.out
        ? `${what}; ${kept}. Run the same command again to resume: done rows are skipped, the unfinished chunk is sampled again from its start.`
        : `${what}; nothing was saved (no --out): give --out DIR to keep finished rows and resume an interrupted evaluation.`,
    );
    process.exit(code);
  };
  process.once('SIGINT', stop('SIGINT', 130));
  process.once('SIGTERM', stop('SIGTERM', 143));
}

main().catch((e) => {
  console.error(`eval: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
