// `npm run eval -- --model DIR [options]`: the held-out evaluation (src/eval/evaluate.ts), on this
// machine's GPU or on a sampler server (vLLM); prints the report's table and writes it to --out.
// The judge's settings come from a run config (--config: its judge and kernels sections), the same
// fields the trainer reads. `--compare A B` instead compares two saved evaluations (base A, trained
// B: src/eval/compare.ts), with no model and no GPU. `--help` lists the options.
import { getGpu } from '../gpu/gpu.js';
import { join } from 'node:path';
import { setVariants } from '../gpu/variants.js';
import { loadQwen3Config } from '../model/config.js';
import { prepareKernels } from '../ops/autotune/tuner.js';
import { evaluate, type EvalOptions } from '../eval/evaluate.js';
import { reportMarkdown } from '../eval/report.js';
import { compareSaved, writeComparison } from '../eval/compare.js';
import { MAX_TOKENS_PER_TURN, MAX_TURNS } from '../env/resume/prompts.js';
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
    config: { type: 'string', value: 'FILE', help: "a run config (configs/*.json, or a run's run-config.json): its judge and kernels sections apply (default: the rules judge, the device's kernels)" },
    judge: { type: 'string', value: 'rules|openai', help: "the judge's kind, overriding the config's (openai needs --config for its endpoint and model)" },
    data: { type: 'string', value: 'FILE', default: 'data/eval.jsonl', help: 'evaluation rows' },
    rollouts: { type: 'string', value: 'N', default: '16', help: 'rollouts per row' },
    limit: { type: 'string', value: 'N', help: 'only the first N rows (default: all)' },
    out: { type: 'string', value: 'DIR', help: 'write eval.json, eval.md and rollouts.jsonl here (default: print only)' },
    temperature: { type: 'string', value: 'T', default: '0.7', help: 'sampling temperature' },
    'max-turns': { type: 'string', value: 'N', default: String(MAX_TURNS), help: 'turns per episode' },
    'max-tokens-per-turn': { type: 'string', value: 'N', default: String(MAX_TOKENS_PER_TURN), help: 'tokens per reply' },
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

function parseOptions(argv: string[]): Command | null {
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
  const o: EvalOptions = {
    modelDir: v.model,
    data: v.data!,
    rolloutsPerRow: intOption('rollouts', v.rollouts, 1),
    limit: intOption('limit', v.limit, 1),
    out: v.out,
    sampling: { temperature: t },
    maxTurns: intOption('max-turns', v['max-turns'], 1),
    maxTokensPerTurn: intOption('max-tokens-per-turn', v['max-tokens-per-turn'], 1),
    judge: judgeOf(cfg, v.judge),
    ...(v['sampler-url'] ? { sampler: { baseURL: v['sampler-url'], model: v['sampler-model']! } } : {}),
  };
  return { o, cfg, retune: v.retune ?? false };
}

async function main(): Promise<void> {
  const parsed = parseOptions(process.argv.slice(2));
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
  const gpu = o.sampler ? null : await getGpu();
  const variants = cfg?.kernels.variants;
  if (gpu && variants) setVariants(gpu, variants);
  if (gpu) await prepareKernels(gpu, { autotune: cfg?.kernels.autotune, retune, model: () => loadQwen3Config(join(o.modelDir, 'config.json')) });
  const { report } = await evaluate(gpu, o);
  console.log(reportMarkdown(report));
}

main().catch((e) => {
  console.error(`eval: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
