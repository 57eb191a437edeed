// `npm run train -- [options]`: the RL training run (src/train/trainer.ts), sharded over the listed
// devices (one process each, src/parallel). A run directory that already holds checkpoints resumes
// after its latest one. `--help` lists the options.
import { getGpu } from '../gpu/gpu.js';
import { GpuUnavailableError } from '../gpu/errors.js';
import { planDevices } from '../parallel/devices.js';
import { loadTrainConfig } from '../train/config.js';
import { preflight } from '../train/preflight.js';
import { train } from '../train/trainer.js';
import { intOption, KERNEL_OPTIONS, parseCli, usage, type CliSpec } from './args.js';

const SPEC = {
  command: 'npm run train --',
  summary:
    'The RL training run: rollouts, rewards (rubrics + judge), group advantages, AIPO, AdamW, metrics and\n' +
    'checkpoints in the run directory. A run directory with checkpoints resumes after the latest one.\n' +
    'Everything else (model, environment, judge, sampler, kernels) is the config file (configs/README.md).',
  options: {
    config: { type: 'string', value: 'FILE', default: 'configs/tiny-cpu.json', help: 'run config (zod schema: src/train/config.ts)' },
    devices: { type: 'string', value: 'LIST', default: '0', help: 'device indices, one rank each, e.g. 0,1,2 (a device listed again takes another rank: 0,0,0 runs the sharded path on one GPU)' },
    check: { type: 'boolean', help: 'only the preflight checks (config, model, data, judge, sampler, devices, memory plan); no device opened' },
    steps: { type: 'string', value: 'N', help: "overrides the config's steps" },
    out: { type: 'string', value: 'DIR', help: "overrides the config's run directory" },
    seed: { type: 'string', value: 'S', help: "overrides the config's seed" },
    'no-update': { type: 'boolean', help: 'a control run: everything but the RL update (config update: false)' },
    ...KERNEL_OPTIONS,
  },
} satisfies CliSpec;

function parseDevices(list: string): number[] {
  return list.split(',').map((d) => {
    if (!/^\d+$/.test(d.trim())) throw new Error(`--devices: '${d}' is not a device index (e.g. --devices 0,1,2)`);
    return Number(d);
  });
}

async function main(): Promise<void> {
  const parsed = parseCli(SPEC, process.argv.slice(2));
  if (parsed.help) {
    console.log(usage(SPEC));
    return;
  }
  const v = parsed.values;
  const config = v.config!;
  const devices = parseDevices(v.devices!);
  // Each rank's process is pointed at its GPU before its device opens (src/parallel/devices.ts);
  // rank 0 is this process.
  const plan = planDevices(devices);
  Object.assign(process.env, plan.env[0]);
  const cfg = loadTrainConfig(config, { steps: intOption('steps', v.steps, 1), out: v.out, seed: v.seed, update: v['no-update'] ? false : undefined });
  if (v.check) {
    await preflight(cfg, { devices, deviceNote: plan.note, log: (l) => console.log(l) });
    console.log(`${config}: preflight ok`);
    return;
  }
  const gpu = await getGpu();
  console.log(`training on ${devices.length} device(s), rank 0 on ${gpu.describe()}: ${cfg.steps} steps of ${cfg.examplesPerStep} x ${cfg.groupSize} rollouts, model ${cfg.model.path}, run dir ${cfg.out}`);
  await train(cfg, { gpu, devices, deviceEnv: plan.env, deviceNote: plan.note, retune: v.retune });
}

main().catch((e) => {
  if (e instanceof GpuUnavailableError) console.error(e.message);
  else console.error(`train: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
