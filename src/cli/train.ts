// `npm run train -- [--config FILE] [--devices LIST] [--steps N] [--out DIR] [--seed S] [--no-update]`: the RL training run
// (src/train/trainer.ts), sharded over the listed devices (one process each, src/parallel). Default
// config: configs/tiny-cpu.json (a random tiny Qwen3 on whatever adapter this machine has; lavapipe
// on a machine without a GPU). A run directory that already holds checkpoints resumes after its
// latest one. `--check` runs only the preflight checks (config, model, data, judge, sampler,
// devices, memory plan) and exits.
import { getGpu } from '../gpu/gpu.js';
import { GpuUnavailableError } from '../gpu/errors.js';
import { planDevices } from '../parallel/devices.js';
import { loadTrainConfig } from '../train/config.js';
import { preflight } from '../train/preflight.js';
import { train } from '../train/trainer.js';

interface TrainArgs {
  config: string;
  devices: number[];
  steps?: number;
  out?: string;
  seed?: string;
  /** A control run: everything but the RL update (config `update: false`). */
  update?: boolean;
  /** Only the preflight checks (src/train/preflight.ts). */
  check?: boolean;
}

function parseArgs(argv: string[]): TrainArgs {
  const a: TrainArgs = { config: 'configs/tiny-cpu.json', devices: [0] };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i]!;
    const val = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--check') a.check = true;
    else if (x === '--config') a.config = val();
    else if (x === '--out') a.out = val();
    else if (x === '--seed') a.seed = val();
    else if (x === '--no-update') a.update = false;
    else if (x === '--steps') {
      a.steps = Number(val());
      if (!Number.isInteger(a.steps) || a.steps < 1) throw new Error(`--steps must be a positive integer, got ${argv[i]}`);
    } else if (x === '--devices') {
      a.devices = val().split(',').map((d) => {
        if (!/^\d+$/.test(d.trim())) throw new Error(`--devices: '${d}' is not a device index (e.g. --devices 0,1,2)`);
        return Number(d);
      });
    } else throw new Error(`unknown argument ${x} (usage: npm run train -- [--config FILE] [--devices 0,1,2] [--check] [--steps N] [--out DIR] [--seed S] [--no-update])`);
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // Each rank's process is pointed at its GPU before its device opens (src/parallel/devices.ts);
  // rank 0 is this process.
  const plan = planDevices(args.devices);
  Object.assign(process.env, plan.env[0]);
  const cfg = loadTrainConfig(args.config, { steps: args.steps, out: args.out, seed: args.seed, update: args.update });
  if (args.check) {
    await preflight(cfg, { devices: args.devices, deviceNote: plan.note, log: (l) => console.log(l) });
    console.log(`${args.config}: preflight ok`);
    return;
  }
  const gpu = await getGpu();
  console.log(`training on ${args.devices.length} device(s), rank 0 on ${gpu.describe()}: ${cfg.steps} steps of ${cfg.examplesPerStep} x ${cfg.groupSize} rollouts, model ${cfg.model.path}, run dir ${cfg.out}`);
  await train(cfg, { gpu, devices: args.devices, deviceEnv: plan.env, deviceNote: plan.note });
}

main().catch((e) => {
  if (e instanceof GpuUnavailableError) console.error(e.message);
  else console.error(`train: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
