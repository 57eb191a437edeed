// `npm run eval -- --model DIR [--data FILE] [--rollouts N] [--limit N] [--judge rules|openai]
//  [--out DIR] [--temperature T] [--max-turns N] [--max-tokens-per-turn N]
//  [--sampler-url URL --sampler-model NAME]`: the held-out evaluation (src/eval/evaluate.ts), on
// this machine's GPU or on a sampler server (vLLM); prints the report's table and writes it to --out.
import { getGpu } from '../gpu/gpu.js';
import { evaluate, type EvalOptions } from '../eval/evaluate.js';
import { reportMarkdown } from '../eval/report.js';

function parseArgs(argv: string[]): EvalOptions {
  const o: EvalOptions = { modelDir: '', data: 'data/eval.jsonl' };
  const int = (flag: string, v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const v = argv[++i];
    if (v === undefined) throw new Error(`${x} needs a value`);
    if (x === '--model') o.modelDir = v;
    else if (x === '--data') o.data = v;
    else if (x === '--rollouts') o.rolloutsPerRow = int(x, v);
    else if (x === '--limit') o.limit = int(x, v);
    else if (x === '--out') o.out = v;
    else if (x === '--sampler-url') o.sampler = { baseURL: v, model: o.sampler?.model ?? '' };
    else if (x === '--sampler-model') o.sampler = { baseURL: o.sampler?.baseURL ?? '', model: v };
    else if (x === '--max-turns') o.maxTurns = int(x, v);
    else if (x === '--max-tokens-per-turn') o.maxTokensPerTurn = int(x, v);
    else if (x === '--temperature') {
      const t = Number(v);
      if (!(t >= 0)) throw new Error(`--temperature must be >= 0, got ${v}`);
      o.sampling = { temperature: t };
    } else if (x === '--judge') {
      if (v !== 'rules' && v !== 'openai') throw new Error(`--judge must be rules or openai, got ${v}`);
      o.judge = v;
    } else throw new Error(`unknown argument ${x}`);
  }
  if (o.sampler && !(o.sampler.baseURL && o.sampler.model)) throw new Error('--sampler-url and --sampler-model go together');
  if (!o.modelDir) throw new Error('--model DIR is required (a Hugging Face Qwen3 directory, e.g. a checkpoint under runs/*/checkpoints/*/model)');
  return o;
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const gpu = o.sampler ? null : await getGpu();
  const { report } = await evaluate(gpu, o);
  console.log(reportMarkdown(report));
}

main().catch((e) => {
  console.error(`eval: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
