// A training run's configuration (configs/*.json), validated with zod; defaults are the published
// recipe (shared/spec/resume-task.md section 6). Paths are relative to the config file. Each default
// is written once, on its field: a section that may be left out takes `.prefault({})`, which zod v4
// parses through the section's schema (`.default({})` would return `{}` as it is, without them).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { EnvConfig, EpisodeConfig } from '../env/registry.js';
import { DeviceVariants } from '../gpu/variants.js';
import { JudgeConfig } from '../reward/judge-config.js';
import { OptimizerConfig } from './optimizer.js';

const Tiny = z.object({
  layers: z.number().int().positive().default(2),
  hidden: z.number().int().positive().default(64),
  heads: z.number().int().positive().default(4),
  kvHeads: z.number().int().positive().default(2),
  headDim: z.number().int().positive().default(16),
  intermediate: z.number().int().positive().default(128),
  /** Tied embeddings: half the embedding-sized parameters (the vocabulary is Qwen3's 151936). */
  tied: z.boolean().default(false),
  seed: z.number().int().default(0),
});

export const TrainConfig = z.object({
  model: z.object({
    /** A Hugging Face Qwen3 directory. */
    path: z.string(),
    /** Create a random tiny Qwen3 at `path` first when it does not exist (CPU smoke runs). */
    createTiny: Tiny.optional(),
    /** Gradient accumulators: 'bf16' halves their memory (Qwen3-14B needs it on 3 H200s:
     *  src/parallel/memory.ts), rounding each pass's f32 gradient once into them. */
    gradDtype: z.enum(['f32', 'bf16']).default('f32'),
    /** false: every layer keeps its forward activations and the backward skips recomputing them
     *  (a quarter of a training pass; the same gradients, bit for bit), for models whose
     *  activations fit many times over (the tiny CPU configs). true (default): activation
     *  checkpointing at every layer, what Qwen3-14B needs (src/parallel/memory.ts counts both). */
    recompute: z.boolean().default(true),
  }),
  /** The environment (src/env/registry.ts): 'resume' (the task, rows from data.train) or
   *  'reverse-text' (a small debug task for learning checks, rows generated from a seed). */
  env: EnvConfig.prefault({ kind: 'resume' }),
  /** The resume task's training rows. */
  /** The resume task's training rows; `rows`: only the first rows of the file (a small run that
   *  draws each of them once per epoch compares its first and last steps on the same rows). */
  data: z.object({ train: z.string().default('../data/train.jsonl'), rows: z.number().int().positive().optional() }).prefault({}),
  /** Run directory: metrics.jsonl, rollouts/, checkpoints/, latest.json. */
  out: z.string(),
  steps: z.number().int().positive(),
  examplesPerStep: z.number().int().positive().default(3),
  groupSize: z.number().int().min(2).default(16),
  seed: z.union([z.string(), z.number()]).default(0),
  /** Rollout sampling. The trainer scores each rollout's tokens at the temperature they were
   *  sampled at: pi = softmax(logits / temperature), the sampler's distribution, so pi/mu = 1
   *  on-policy (src/ops/lm-head.ts). **(choice)** With top-k / top-p the sampler's mu is
   *  renormalised over the kept set while pi stays the full (untruncated) tempered softmax: the
   *  on-policy ratio of a kept token is then that step's kept mass Z <= 1 (never above AIPO's
   *  delta, so never masked; tokens are down-weighted by Z). That mirrors vLLM's
   *  processed_logprobs against a trainer at the same temperature; the published recipe uses
   *  neither (topK 0, topP 1: Z = 1). Tested in test/train/on-policy.test.ts. */
  sampling: z
    .object({
      temperature: z.number().positive().default(0.7),
      topP: z.number().gt(0).max(1).default(1),
      topK: z.number().int().nonnegative().default(0),
    })
    .prefault({}),
  episode: EpisodeConfig,
  /** Left out: the published recipe's lr and weight decay (the optimizer's own defaults for the
   *  rest). Given: its fields, with OptimizerConfig's defaults (weightDecay 0). */
  optimizer: OptimizerConfig.prefault({ lr: 5e-6, weightDecay: 0.01 }),
  loss: z.object({ delta: z.number().positive().default(8), clamp: z.enum(['mask', 'detach']).default('mask') }).prefault({}),
  /** Supervised warm start before the first RL step (src/train/warm-start.ts): `steps` steps of
   *  NLL after `rowsPerStep` rows' opening prompts (0 steps = none) on the environment's
   *  demonstration, or on `replies`, a weighted mixture (a stand-in base model's habits). */
  warmStart: z
    .object({
      steps: z.number().int().nonnegative().default(0),
      rowsPerStep: z.number().int().positive().default(2),
      /** Its own learning rate (memorising one reply wants far more than RL's). */
      lr: z.number().positive().default(1e-2),
      replies: z.array(z.object({ text: z.string().min(1), weight: z.number().positive() }).strict()).min(1).optional(),
      /** RL starts with fresh AdamW moments (true) or keeps the warm start's (false, the default:
       *  the NLL gradients' second moments then scale the first RL updates by each weight's
       *  gradient history instead of moving every weight by ~lr). Measured on the resume task's
       *  tiny model (2026-12-03, README "Learning"): kept moments at lr 3e-3 and eps 1e-5 learn
       *  (the default run); fresh ones at eps 1e-8 put junk tokens in rollouts after 1-2 updates;
       *  reverse-text learns with fresh ones. */
      resetOptimizer: z.boolean().default(false),
    })
    .prefault({}),
  /** false: a control run. Rollouts, rewards, metrics and checkpoints as usual, but the RL update
   *  is skipped and the weights stay those after the warm start: what the run would show without
   *  RL (a rise in reward is then noise, not learning). */
  update: z.boolean().default(true),
  /** Held-out evaluation during training (src/eval): every `every` steps (0 = never) and, with
   *  `atStart`, before the first step (the base model); reports under <out>/evals/step-N/ and one
   *  line per evaluation in <out>/evals.jsonl. Same seeds each time, so evaluations compare. */
  eval: z
    .object({
      every: z.number().int().nonnegative().default(0),
      atStart: z.boolean().default(false),
      data: z.string().default('../data/eval.jsonl'),
      /** The first `rows` rows of the data. */
      rows: z.number().int().positive().default(40),
      rolloutsPerRow: z.number().int().positive().default(16),
      rowsAtOnce: z.number().int().positive().default(3),
      temperature: z.number().nonnegative().default(0.7),
    })
    .prefault({}),
  /** Sharded runs: a rank process that does not answer a phase within this long fails the step
   *  (and is killed): a hung device must not hang the run. */
  rankTimeoutMs: z.number().int().positive().default(30 * 60_000),
  /** Rollouts of step s+1 sampled from the weights before step s's update (1, the published
   *  recipe: sampling overlaps training on a sampler server) or from step s's result (0). */
  offPolicySteps: z.union([z.literal(0), z.literal(1)]).default(1),
  /** Tokens per forward/backward pass; a step's rollouts are packed into passes of at most this
   *  many tokens and their gradients accumulated. */
  microBatchTokens: z.number().int().positive().default(16384),
  /** Checkpoint every this many steps (and after the last). */
  saveEvery: z.number().int().positive().default(10),
  /** Checkpoints kept (the newest; 0 = all) and, among those, how many keep their optimizer state
   *  (only the latest is needed to resume; 0 = all). */
  keepCheckpoints: z.number().int().nonnegative().default(0),
  keepOptimizerStates: z.number().int().nonnegative().default(1),
  /** The judge (src/reward/judge-config.ts): 'rules' (offline stand-in) or 'openai' (an LLM judge:
   *  baseURL, model, timeouts, retries, concurrency here; its API key only from the environment). */
  judge: JudgeConfig.prefault({}),
  /** Kernel variants per op family (src/gpu/variants.ts), overriding the device's own choice on
   *  every rank; left out, each device runs its own: the kernel tuner's (autotune, default on: the
   *  fastest variant that passes its check, timed at this model's shapes on the device's first use
   *  and cached, src/ops/autotune; `--retune` redoes it), or with autotune false the fixed rule
   *  (lavapipe the CPU-shaped kernels, GPUs the tensor-core GEMM where verified). */
  kernels: z.strictObject({ variants: DeviceVariants.partial().optional(), autotune: z.boolean().default(true) }).prefault({}),
  /** KV-cache sequence slots of the embedded sampler (default: every rollout of a step at once). */
  samplerSlots: z.number().int().positive().optional(),
  /** Where rollouts are sampled: 'embedded' (rank 0's model, in this process) or 'openai': one or
   *  several OpenAI-compatible servers with vLLM's token-id API (vLLM on its own GPU, or
   *  `npm run serve`), sent each step's new weights (src/train/weight-sync.ts). */
  sampler: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('embedded') }),
      z.object({
        kind: z.literal('openai'),
        /** One server, or several: rollouts go to the one with the fewest requests in flight; one
         *  that cannot be reached is taken out and the run goes on with the rest (src/rollout/pool.ts). */
        baseURL: z.union([z.url(), z.array(z.url()).min(1)]),
        model: z.string().min(1),
        apiKey: z.string().optional(),
        /** Per request; a server that does not answer within it (after 2 retries) is taken out. */
        timeoutMs: z.number().int().positive().default(600_000),
        /** How the servers get new weights. 'reload': POST reloadRoute {reloadField: weightsDir}, the
         *  directory overwritten each time (our /update_weights, SGLang's /update_weights_from_disk).
         *  'vllm': stock vLLM >= 0.16 in dev mode: each push to a fresh directory under weightsDir,
         *  then /pause, /collective_rpc reload_weights, /reset_prefix_cache, /resume
         *  (src/train/vllm-sync.ts; README "vLLM as the sampler"). */
        sync: z.enum(['reload', 'vllm']).default('reload'),
        /** Where the new weights are written (default: <out>/sampler-weights), readable by the
         *  servers at the same path. 'vllm': one subdirectory per push. */
        weightsDir: z.string().optional(),
        /** 'vllm': pushed directories kept (the newest; older ones are deleted). */
        keepWeights: z.number().int().min(1).default(2),
        /** The server's reload route and the JSON field holding the directory (sync 'reload'). */
        reloadRoute: z.string().startsWith('/').default('/update_weights'),
        reloadField: z.string().min(1).default('path'),
        /** After each push (and before a fresh run's first rollouts) each server's greedy tokens for
         *  a fixed prompt are scored by the trainer's own forward: every token's logprob must agree
         *  within `tolerance` nats, or the run stops (src/train/probe.ts). tokens 0: no probe. */
        probe: z.object({ tokens: z.number().int().nonnegative().default(4), tolerance: z.number().positive().default(0.1) }).prefault({}),
      }),
    ])
    .default({ kind: 'embedded' }),
});
export type TrainConfig = z.infer<typeof TrainConfig>;

/** The sampler servers' base URLs (sampler.baseURL, one or a list). */
export function samplerURLs(baseURL: string | readonly string[]): string[] {
  return typeof baseURL === 'string' ? [baseURL] : [...baseURL];
}

/** Reads and validates a config file; relative paths in it resolve against its directory. */
export function loadTrainConfig(path: string, overrides: Partial<Pick<TrainConfig, 'steps' | 'out' | 'seed' | 'update'>> = {}): TrainConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: cannot read the config: ${e instanceof Error ? e.message : String(e)}`);
  }
  const r = TrainConfig.safeParse(raw);
  if (!r.success) throw new Error(`${path}: invalid config:\n${z.prettifyError(r.error)}`);
  const base = dirname(resolve(path));
  const c = { ...r.data, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) } as TrainConfig;
  const sampler = c.sampler.kind === 'openai' && c.sampler.weightsDir ? { ...c.sampler, weightsDir: resolve(base, c.sampler.weightsDir) } : c.sampler;
  return {
    ...c,
    model: { ...c.model, path: resolve(base, c.model.path) },
    data: { ...c.data, train: resolve(base, c.data.train) },
    out: overrides.out ? resolve(overrides.out) : resolve(base, c.out),
    sampler,
    eval: { ...c.eval, data: resolve(base, c.eval.data) },
    judge: c.judge.cachePath ? { ...c.judge, cachePath: resolve(base, c.judge.cachePath) } : c.judge,
  };
}
