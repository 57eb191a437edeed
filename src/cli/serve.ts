// `npm run serve -- --model DIR [--port 8000] [--host 127.0.0.1] [--slots 16] [--max-tokens 8192]
//  [--seed 0] [--name NAME] [--device N]`: the embedded sampler (KV-cache generator behind a
// BatchedSampler) as an OpenAI-compatible server (src/serve/server.ts) on GPU N (default: the
// default adapter; selected as for training ranks, src/parallel/devices.ts): a no-Python alternative
// to vLLM on the sampling GPU. POST /update_weights
// {"path": DIR} swaps in the weights of another checkpoint between generations.
import { planDevices } from '../parallel/devices.js';
import { getGpu } from '../gpu/gpu.js';
import { loadChatFormat } from '../rl/setup.js';
import { ModelHost } from '../serve/model-host.js';
import { startSamplerServer } from '../serve/server.js';

interface ServeArgs {
  model: string;
  name?: string;
  host: string;
  port: number;
  slots: number;
  maxTokens: number;
  seed: string;
  device?: number;
}

function parseArgs(argv: string[]): ServeArgs {
  const o: ServeArgs = { model: '', host: '127.0.0.1', port: 8000, slots: 16, maxTokens: 8192, seed: '0' };
  const int = (flag: string, v: string, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer >= ${min}, got ${v}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const v = argv[++i];
    if (v === undefined) throw new Error(`${x} needs a value`);
    if (x === '--model') o.model = v;
    else if (x === '--name') o.name = v;
    else if (x === '--host') o.host = v;
    else if (x === '--port') o.port = int(x, v, 0);
    else if (x === '--slots') o.slots = int(x, v, 1);
    else if (x === '--max-tokens') o.maxTokens = int(x, v, 2);
    else if (x === '--seed') o.seed = v;
    else if (x === '--device') o.device = int(x, v, 0);
    else throw new Error(`unknown argument ${x}`);
  }
  if (!o.model) throw new Error('--model DIR is required (a Hugging Face Qwen3 directory)');
  return o;
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.device !== undefined) {
    const plan = planDevices([a.device]);
    Object.assign(process.env, plan.env[0]); // before the device opens
    console.log(`serve: device ${a.device}: ${plan.note}`);
  }
  const gpu = await getGpu();
  const host = await ModelHost.load(gpu, a.model, { slots: a.slots, maxTokens: a.maxTokens, seed: a.seed });
  const { tokenizer, template } = await loadChatFormat(a.model);
  const server = await startSamplerServer({
    sampler: host,
    tokenizer,
    template,
    modelName: a.name ?? a.model,
    host: a.host,
    port: a.port,
    maxTokens: a.maxTokens,
    vocabSize: host.model.config.vocab_size,
    seed: a.seed,
    reload: async (dir) => {
      const t0 = Date.now();
      await host.reload(dir);
      console.log(`serve: weights reloaded from ${dir} in ${Date.now() - t0} ms`);
    },
  });
  console.log(`serve: ${a.model} at ${server.url} (${a.slots} slots of ${a.maxTokens} tokens)`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`serve: ${signal}, stopping`);
    server
      .close()
      .then(() => host.destroy())
      .then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(`serve: ${e instanceof Error ? e.message : String(e)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((e) => {
  console.error(`serve: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
