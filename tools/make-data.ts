// Dataset generator CLI: `npm run data -- --out data --seed 42` (procedural, the shipped files) or
// `npm run data -- --llm --out DIR` (an OpenAI-compatible model writes the text; see
// src/data/llm.ts). Writes DIR/train.jsonl, DIR/eval.jsonl and the stats block of DIR/README.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import OpenAI from 'openai';
import { DEFAULT_SEED, DEFAULT_SPLITS, generateDataset, toJsonl, type Dataset } from '../src/data/generate.js';
import { DEFAULT_WEAK_RATIO, generateDatasetLlm } from '../src/data/llm.js';
import { computeStats, renderStats, replaceStatsBlock } from '../src/data/stats.js';
import { intOption, parseCli, usage, type CliSpec } from '../src/cli/args.js';

const SPEC = {
  command: 'npm run data --',
  summary:
    'Writes DIR/train.jsonl, DIR/eval.jsonl and the stats block of DIR/README.md: procedurally from the seed (the\n' +
    'shipped files, byte for byte), or with --llm an OpenAI-compatible model writes the text (src/data/llm.ts).',
  options: {
    out: { type: 'string', value: 'DIR', default: 'data', help: 'output directory' },
    seed: { type: 'string', value: 'S', default: DEFAULT_SEED, help: 'generator seed' },
    train: { type: 'string', value: 'N', default: String(DEFAULT_SPLITS.train), help: 'training rows' },
    eval: { type: 'string', value: 'N', default: String(DEFAULT_SPLITS.eval), help: 'evaluation rows' },
    llm: { type: 'boolean', help: 'an LLM writes the text (the options below)' },
    'base-url': { type: 'string', value: 'URL', help: 'with --llm: the endpoint (default: env DATA_BASE_URL)' },
    model: { type: 'string', value: 'M', help: 'with --llm: the model (default: env DATA_MODEL)' },
    'api-key': { type: 'string', value: 'K', help: "with --llm: the API key (default: env DATA_API_KEY, else 'none'); prefer the environment" },
    attempts: { type: 'string', value: 'N', default: '3', help: 'with --llm: answers per row (the problems sent back each time)' },
    concurrency: { type: 'string', value: 'N', default: '4', help: 'with --llm: requests in flight' },
    temperature: { type: 'string', value: 'T', default: '0.9', help: 'with --llm: sampling temperature' },
    'no-json-mode': { type: 'boolean', help: 'with --llm: do not ask for JSON output (for endpoints without response_format)' },
  },
} satisfies CliSpec;

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, log = console.log): Promise<Dataset> {
  const parsed = parseCli(SPEC, argv);
  if (parsed.help) {
    log(usage(SPEC));
    return { train: [], eval: [] };
  }
  const values = parsed.values;
  const sizes = {
    train: intOption('train', values.train, 0)!,
    eval: intOption('eval', values.eval, 0)!,
  };
  const seed = values.seed!;
  const t0 = performance.now();
  let ds: Dataset;
  if (values.llm) {
    const baseURL = values['base-url'] ?? env.DATA_BASE_URL;
    const model = values.model ?? env.DATA_MODEL;
    const apiKey = values['api-key'] ?? env.DATA_API_KEY ?? 'none';
    if (!baseURL) throw new Error('--llm needs --base-url or DATA_BASE_URL');
    if (!model) throw new Error('--llm needs --model or DATA_MODEL');
    const temperature = Number(values.temperature);
    if (!Number.isFinite(temperature)) throw new Error(`--temperature must be a number, got "${values.temperature}"`);
    ds = await generateDatasetLlm(seed, sizes, {
      client: new OpenAI({ baseURL, apiKey, maxRetries: 2, timeout: 300_000 }),
      model,
      maxAttempts: intOption('attempts', values.attempts, 1)!,
      concurrency: intOption('concurrency', values.concurrency, 1)!,
      temperature,
      jsonMode: !values['no-json-mode'],
      weakRatio: DEFAULT_WEAK_RATIO,
      log: (m) => log(m),
    });
  } else {
    ds = generateDataset(seed, sizes);
  }
  const ms = performance.now() - t0;

  const out = resolve(values.out!);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'train.jsonl'), toJsonl(ds.train));
  writeFileSync(join(out, 'eval.jsonl'), toJsonl(ds.eval));
  const block = renderStats(computeStats(ds.train, ds.eval));
  const readme = join(out, 'README.md');
  if (existsSync(readme)) {
    writeFileSync(readme, replaceStatsBlock(readFileSync(readme, 'utf8'), block));
  } else {
    const how = values.llm ? `LLM mode, model ${values.model ?? env.DATA_MODEL}` : 'procedural mode';
    writeFileSync(readme, `# Dataset (seed ${seed}, ${how})\n\nSee data/README.md in the repository for the schema and method.\n\n## Stats\n\n${block}\n`);
  }
  log(`wrote ${ds.train.length} train + ${ds.eval.length} eval rows to ${out} (seed ${seed}, ${values.llm ? 'llm' : 'procedural'}, ${ms.toFixed(0)} ms)`);
  return ds;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
