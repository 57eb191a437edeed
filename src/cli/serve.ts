// `npm run serve -- --model DIR [options]` (`--help` lists them): the embedded sampler (KV-cache
// generator behind a BatchedSampler) as an OpenAI-compatible server (src/serve/server.ts) on GPU N
// (default: the default adapter; selected as for training ranks, src/parallel/devices.ts): a no-Python
// alternative to vLLM on the sampling GPU. POST /update_weights {"path": DIR} swaps in the weights
// of another checkpoint between generations; so does vLLM's dev-mode sequence (POST /pause,
// /collective_rpc reload_weights, /reset_prefix_cache, /resume), which the trainer's
// sampler.sync "vllm" sends (src/serve/control-routes.ts).
import { planDevices } from '../parallel/devices.js';
import { join } from 'node:path';
import { getGpu } from '../gpu/gpu.js';
import { loadQwen3Config } from '../model/config.js';
import { prepareKernels } from '../ops/autotune/tuner.js';
import { loadChatFormat } from '../rl/setup.js';
import { ModelHost } from '../serve/model-host.js';
import { startSamplerServer } from '../serve/server.js';
import { intOption, KERNEL_OPTIONS, parseCli, usage, type CliSpec } from './args.js';

const SPEC = {
  command: 'npm run serve --',
  summary:
    "The embedded sampler (KV-cache generator) as an OpenAI-compatible server with vLLM's token-id API: a\n" +
    'no-Python alternative to vLLM on the sampling GPU. POST /update_weights {"path": DIR} swaps in another\n' +
    "checkpoint's weights between generations, as do vLLM's dev-mode routes (POST /pause?mode=wait,\n" +
    '/collective_rpc reload_weights, /reset_prefix_cache, /resume: any caller may use them, so keep --host\n' +
    '127.0.0.1); SIGINT / SIGTERM stop it.',
  options: {
    model: { type: 'string', value: 'DIR', help: 'a Hugging Face Qwen3 directory (required)' },
    name: { type: 'string', value: 'NAME', help: 'the model name clients ask for (default: --model DIR as given)' },
    host: { type: 'string', value: 'HOST', default: '127.0.0.1', help: 'address to listen on' },
    port: { type: 'string', value: 'N', default: '8000', help: 'port to listen on (0: any free port, printed)' },
    slots: { type: 'string', value: 'N', default: '16', help: 'sequences generated at once (KV-cache slots)' },
    'max-tokens': { type: 'string', value: 'N', default: '8192', help: 'context tokens per slot' },
    seed: { type: 'string', value: 'S', default: '0', help: 'seed base of requests that carry no seed of their own' },
    device: { type: 'string', value: 'N', help: 'GPU index, selected as for training ranks (src/parallel/devices.ts; default: the default adapter)' },
    ...KERNEL_OPTIONS,
  },
} satisfies CliSpec;

interface ServeArgs {
  model: string;
  name?: string;
  host: string;
  port: number;
  slots: number;
  maxTokens: number;
  seed: string;
  device?: number;
  retune: boolean;
}

function parseServeArgs(argv: string[]): ServeArgs | null {
  const parsed = parseCli(SPEC, argv);
  if (parsed.help) return null;
  const v = parsed.values;
  if (!v.model) throw new Error('--model DIR is required (a Hugging Face Qwen3 directory)');
  return {
    model: v.model,
    name: v.name,
    host: v.host!,
    port: intOption('port', v.port, 0)!,
    slots: intOption('slots', v.slots, 1)!,
    maxTokens: intOption('max-tokens', v['max-tokens'], 2)!,
    seed: v.seed!,
    device: intOption('device', v.device, 0),
    retune: v.retune ?? false,
  };
}

async function main(): Promise<void> {
  const a = parseServeArgs(process.argv.slice(2));
  if (!a) {
    console.log(usage(SPEC));
    return;
  }
  if (a.device !== undefined) {
    const plan = planDevices([a.device]);
    Object.assign(process.env, plan.env[0]); // before the device opens
    console.log(`serve: device ${a.device}: ${plan.note}`);
  }
  const gpu = await getGpu();
  await prepareKernels(gpu, { retune: a.retune, model: () => loadQwen3Config(join(a.model, 'config.json')), log: (l) => console.log(`serve: ${l}`) });
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
    onRequest: (method, path) => {
      if (!path.startsWith('/v1/') && path !== '/health') console.log(`serve: ${method} ${path}`);
    },
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
