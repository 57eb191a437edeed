// Dataset generator CLI: `npm run data -- --out data --seed 42` (procedural, the shipped files) or
// `npm run data -- --llm --out DIR` (an OpenAI-compatible model writes the text; see
// src/data/llm.ts). Writes DIR/train.jsonl, DIR/eval.jsonl and the stats block of DIR/README.md.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import OpenAI from 'openai';
import { DEFAULT_SEED, DEFAULT_SPLITS, generateDataset, toJsonl, type Dataset } from '../src/data/generate.js';
import { DEFAULT_WEAK_RATIO, generateDatasetLlm } from '../src/data/llm.js';
import { computeStats, renderStats, replaceStatsBlock } from '../src/data/stats.js';

const USAGE = `usage: npm run data -- [--out DIR] [--seed S] [--train N] [--eval N]
       npm run data -- --llm [--base-url URL] [--model M] [--api-key K] [--attempts N] [--concurrency N]
                      [--temperature T] [--no-json-mode] [--out DIR] [--seed S] [--train N] [--eval N]
LLM settings fall back to env DATA_BASE_URL, DATA_MODEL, DATA_API_KEY.`;

function intFlag(name: string, value: string | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env, log = console.log): Promise<Dataset> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string', default: 'data' },
      seed: { type: 'string', default: DEFAULT_SEED },
      train: { type: 'string' },
      eval: { type: 'string' },
      llm: { type: 'boolean', default: false },
      'base-url': { type: 'string' },
      model: { type: 'string' },
      'api-key': { type: 'string' },
      attempts: { type: 'string' },
      concurrency: { type: 'string' },
      temperature: { type: 'string' },
      'no-json-mode': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    log(USAGE);
    return { train: [], eval: [] };
  }
  const sizes = {
    train: intFlag('train', values.train, DEFAULT_SPLITS.train, 0),
    eval: intFlag('eval', values.eval, DEFAULT_SPLITS.eval, 0),
  };
  const seed = values.seed;
  const t0 = performance.now();
  let ds: Dataset;
  if (values.llm) {
    const baseURL = values['base-url'] ?? env.DATA_BASE_URL;
    const model = values.model ?? env.DATA_MODEL;
    const apiKey = values['api-key'] ?? env.DATA_API_KEY ?? 'none';
    if (!baseURL) throw new Error('--llm needs --base-url or DATA_BASE_URL');
    if (!model) throw new Error('--llm needs --model or DATA_MODEL');
    const temperature = values.temperature === undefined ? 0.9 : Number(values.temperature);
    if (!Number.isFinite(temperature)) throw new Error(`--temperature must be a number, got "${values.temperature}"`);
    ds = await generateDatasetLlm(seed, sizes, {
      client: new OpenAI({ baseURL, apiKey, maxRetries: 2, timeout: 300_000 }),
      model,
      maxAttempts: intFlag('attempts', values.attempts, 3, 1),
      concurrency: intFlag('concurrency', values.concurrency, 4, 1),
      temperature,
      jsonMode: !values['no-json-mode'],
      weakRatio: DEFAULT_WEAK_RATIO,
      log: (m) => log(m),
    });
  } else {
    ds = generateDataset(seed, sizes);
  }
  const ms = performance.now() - t0;

  const out = resolve(values.out);
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
