// The step-time projection: a config's batch (examplesPerStep x groupSize rollouts of
// tokensPerRollout tokens) packed into passes as the trainer packs them (src/train/batch.ts
// packPasses), spread over the ranks as the coordinator spreads them (src/parallel/shard-plan.ts
// assignPasses), each pass's op list (ops.ts) timed at the bench directory's rates
// (throughput.ts), then the sharded step's phases (src/train/rank-group.ts: backward, reduce, apply,
// gather; each ends when the slowest rank ends) with the host-memory collectives of
// src/train/rank.ts. Also the embedded sampler's decode step and prefill on one GPU.
import { type Qwen3Config, countParameters, qwen3Tensors } from '../model/config.js';
import { bytesPerToken } from '../model/qwen3-activations.js';
import { scratchPlan } from '../model/scratch-plan.js';
import { assignPasses, planShards } from '../parallel/shard-plan.js';
import { packPasses } from '../train/batch.js';
import { DISPATCH_SECONDS, DISPATCHES_PER_GEMM, PUBLISHED_STEP_SECONDS } from './facts.js';
import { type PlanMemory, planRankMemory } from './memory.js';
import { type Op, type PassShape, decodeOps, passTokens, prefillOps, stepOps, trainPassOps, totalFlops } from './ops.js';
import { type Bench, type Rate, attentionRate, gemmRate, memoryRate, torchGemmRate } from './throughput.js';

export interface PlanInput {
  model: Qwen3Config;
  world: number;
  examplesPerStep: number;
  groupSize: number;
  microBatchTokens: number;
  gradDtype: 'f32' | 'bf16';
  /** The config's model.recompute (absent: true, activation checkpointing at every layer). */
  recompute?: boolean;
  tokensPerRollout: number;
  /** Fraction of a pass's positions scored (lm_head rows, the loss mask). */
  scoredFraction: number;
  peakTFLOPs: number;
  decode: { seqs: number; context: number };
  prefillTokens: number;
  /** A sampler server (config sampler.kind 'openai'): each step ends with rank 0 writing the new
   *  weights as a HF directory for its reload (src/train/server-sync.ts, vllm-sync.ts). */
  samplerSync: boolean;
}

/** Seconds by kind; `dispatch` is the per-dispatch overhead. */
export interface Split {
  gemm: number;
  attention: number;
  memory: number;
  dispatch: number;
}

const addSplit = (a: Split, b: Split, k = 1): Split => ({ gemm: a.gemm + k * b.gemm, attention: a.attention + k * b.attention, memory: a.memory + k * b.memory, dispatch: a.dispatch + k * b.dispatch });
const zeroSplit = (): Split => ({ gemm: 0, attention: 0, memory: 0, dispatch: 0 });
export const splitTotal = (s: Split): number => s.gemm + s.attention + s.memory + s.dispatch;

/** A rate used, with the ops it timed (for the table of sources). */
export interface RateUse {
  what: string;
  rate: Rate;
  unit: 'TFLOP/s' | 'GB/s';
  seconds: number;
}

export interface OpTiming {
  split: Split;
  /** Time of the GEMMs at the torch peer's rates (null where a shape has no torch peer at all). */
  torchGemm: number | null;
  flops: number;
  modelFlops: number;
  uses: RateUse[];
}

function dispatches(op: Op): number {
  if (op.kind === 'gemm') return DISPATCHES_PER_GEMM;
  if (op.kind === 'attention') return op.pass === 'fwd' ? 2 : 5; // block tables + kernels (+ D)
  return op.kernel === 'rmsnorm.bwd' ? 2 : 1;
}

/** Times an op list at the bench's rates. */
export function timeOps(ops: readonly Op[], bench: Bench, o: { staleNotes?: boolean } = {}): OpTiming {
  const split = zeroSplit();
  let torch: number | null = 0;
  const uses = new Map<string, RateUse>();
  const use = (what: string, rate: Rate, unit: RateUse['unit'], s: number): void => {
    const u = uses.get(what);
    if (u) u.seconds += s;
    else uses.set(what, { what, rate, unit, seconds: s });
  };
  for (const op of ops) {
    const n = op.count;
    if (op.kind === 'gemm') {
      const r = gemmRate(bench, op);
      const s = (n * op.flops) / (r.value * 1e12);
      split.gemm += s;
      use(`GEMM ${op.layout} M=${op.M} N=${op.N} K=${op.K}`, r, 'TFLOP/s', s);
      const t = torchGemmRate(bench, op);
      torch = t && torch !== null ? torch + (n * op.flops) / (t.value * 1e12) : null;
    } else if (op.kind === 'attention') {
      for (const len of new Set(op.seqLens)) {
        const k = op.seqLens.filter((x) => x === len).length;
        const flops = (op.flops * k * 2 * len * (len + 1)) / op.seqLens.reduce((a, x) => a + 2 * x * (x + 1), 0);
        const r = attentionRate(bench, op.pass, len);
        const s = (n * flops) / (r.value * 1e12);
        split.attention += s;
        use(`attention ${op.pass} seq ${len}`, r, 'TFLOP/s', s);
      }
    } else {
      const r = memoryRate(bench, op.kernel, o);
      const s = (n * op.bytes) / (r.value * 1e9);
      split.memory += s;
      use(`memory ${op.kernel}`, r, 'GB/s', s);
    }
    split.dispatch += n * dispatches(op) * DISPATCH_SECONDS.value;
  }
  return {
    split,
    torchGemm: torch,
    flops: totalFlops(ops),
    modelFlops: totalFlops(ops, (op) => op.phase !== 'recompute'),
    uses: [...uses.values()],
  };
}

export interface RankPlan {
  rank: number;
  passes: PassShape[];
  tokens: number;
  owned: number;
  compute: Split;
  torchGemm: number | null;
  /** Host-memory collectives per phase, seconds, and the bytes each moves through host memory. */
  collectives: { publishGrads: number; reduce: number; publishWeights: number; gather: number };
  volumes: { publishGrads: number; reduce: number; publishWeights: number; gather: number };
  /** optimizer-side GPU work (stepOps) per phase. */
  optimizer: { zero: number; reduce: number; apply: number };
  flops: number;
  modelFlops: number;
}

export interface Projection {
  input: PlanInput;
  params: { total: number; embedding: number; nonEmbedding: number };
  rollouts: number;
  passCount: number;
  /** The first pass of rank 0, timed alone. */
  examplePass: { tokens: number; seqs: number; split: Split };
  tokensPerStep: number;
  ranks: RankPlan[];
  /** Phase seconds (slowest rank each) and the critical-path split of the step. */
  phases: { backward: number; reduce: number; apply: number; gather: number };
  split: { gemm: number; attention: number; memory: number; dispatch: number; collectives: number; optimizer: number; samplerSync: number };
  stepSeconds: number;
  tokensPerSecond: number;
  mfu: number;
  hfu: number;
  stepFlops: number;
  stepModelFlops: number;
  /** Torch's GEMM time over ours on the critical rank (same shapes, nearest measured): the
   *  fraction of cuBLAS speed our GEMMs reach. */
  torch: { gemmSeconds: number; ourGemmSeconds: number; speedRatio: number; stepWithTorchGemm: number } | null;
  published: { seconds: number; ratio: number };
  sensitivity: { staleKernelRates: number; hostCopies: number };
  memory: PlanMemory;
  memoryPassTokens: number;
  /** Every rate used, with the seconds it accounts for summed over all ranks. */
  uses: RateUse[];
  sampling: {
    decode: { seconds: number; tokensPerSecond: number; weightBytes: number; kvBytes: number; uses: RateUse[] };
    prefill: { seconds: number; split: Split; uses: RateUse[] };
    memory: { weights: number; kvCache: number; prefillActivations: number; scratch: number; total: number };
  };
}

function mergeUses(into: Map<string, RateUse>, uses: readonly RateUse[], k = 1): void {
  for (const u of uses) {
    const x = into.get(u.what);
    if (x) x.seconds += k * u.seconds;
    else into.set(u.what, { ...u, seconds: k * u.seconds });
  }
}

/** The passes of one step and their ranks, as the trainer and coordinator build them. */
export function planPasses(i: Pick<PlanInput, 'examplesPerStep' | 'groupSize' | 'tokensPerRollout' | 'microBatchTokens' | 'world' | 'scoredFraction'>): PassShape[][] {
  const n = i.examplesPerStep * i.groupSize;
  const len = Math.max(2, Math.round(i.tokensPerRollout));
  const samples = Array.from({ length: n }, () => ({ ids: new Int32Array(len), samplerLogprobs: new Float32Array(len), lossMask: new Uint8Array(len), advantage: 0, temperature: 1 }));
  const passes = packPasses(samples, i.microBatchTokens);
  return assignPasses(passes, i.world).map((ps) =>
    ps.map((p) => {
      const seqLens = p.seqs.map((s) => s.length);
      return { seqLens, scoredRows: Math.round(i.scoredFraction * seqLens.reduce((a, b) => a + b, 0)) };
    }),
  );
}

export function project(input: PlanInput, bench: Bench): Projection {
  const c = input.model;
  const params = countParameters(c);
  const tensors = qwen3Tensors(c).map((t) => ({ name: t.name, numel: t.shape.reduce((a, b) => a * b, 1) }));
  const shard = planShards(tensors, input.world);
  const gb = input.gradDtype === 'bf16' ? 2 : 4;
  const host = bench.host;
  const assigned = planPasses(input);
  // model.save of the bf16 weights: read back (device -> mapped staging memory), written to files
  // from there (page cache: one memcpy; the disk flush and the server's reload are not counted).
  // `copies`: the host path before 2026-12-03 (readbacks copied into JS memory first).
  const samplerSyncAt = (copies: boolean): number =>
    input.samplerSync ? (2 * params.total) / ((copies ? host.deviceToHostCopy : host.deviceToHost).value * 1e9) + (2 * params.total) / (host.memcpy.value * 1e9) : 0;
  const samplerSync = samplerSyncAt(false);
  const uses = new Map<string, RateUse>();
  const cache = new Map<string, OpTiming>();
  const timePass = (p: PassShape, o: { staleNotes?: boolean } = {}): OpTiming => {
    const key = `${p.seqLens.join(',')}|${p.scoredRows}|${o.staleNotes ? 1 : 0}`;
    let t = cache.get(key);
    if (!t) cache.set(key, (t = timeOps(trainPassOps(c, p, input.gradDtype, input.recompute ?? true), bench, o)));
    return t;
  };

  const rankPlan = (r: number, o: { staleNotes?: boolean; copies?: boolean } = {}, record = false): RankPlan => {
    const passes = assigned[r]!;
    let compute = zeroSplit();
    let torchGemm: number | null = 0;
    let flops = 0, modelFlops = 0;
    for (const p of passes) {
      const t = timePass(p, o);
      compute = addSplit(compute, t.split);
      torchGemm = t.torchGemm !== null && torchGemm !== null ? torchGemm + t.torchGemm : null;
      flops += t.flops;
      modelFlops += t.modelFlops;
      if (record) mergeUses(uses, t.uses);
    }
    const owned = shard.load[r]!;
    const steps = stepOps({ params: params.total, owned, world: input.world, gradDtype: input.gradDtype });
    const part = (names: RegExp): number => {
      const t = timeOps(steps.filter((s) => names.test(s.name)), bench, o);
      if (record) mergeUses(uses, t.uses);
      return splitTotal(t.split);
    };
    const optimizer = { zero: part(/^zero/), reduce: part(/^(reduce|grad norm)/), apply: part(/^AdamW/) };
    const unowned = params.total - owned;
    const h2d = o.copies ? host.hostToDeviceWriteBuffer : host.hostToDevice;
    const d2h = o.copies ? host.deviceToHostCopy : host.deviceToHost;
    const dev = (bytes: number, rate: Rate): number => bytes / (rate.value * 1e9);
    const collectives =
      input.world > 1
        ? {
            // gpu.readMapped (device -> mapped staging) then a /dev/shm file write from there, piece by piece
            publishGrads: dev(gb * unowned, d2h) + dev(gb * unowned, host.memcpy),
            // each peer's file read into mapped staging memory, then its copy to the device (gpu.writeBytesFrom)
            reduce: (input.world - 1) * (dev(gb * owned, host.memcpy) + dev(gb * owned, h2d)),
            publishWeights: dev(2 * owned, d2h) + dev(2 * owned, host.memcpy),
            gather: dev(2 * unowned, host.memcpy) + dev(2 * unowned, h2d),
          }
        : { publishGrads: 0, reduce: 0, publishWeights: 0, gather: 0 };
    const volumes = input.world > 1 ? { publishGrads: gb * unowned, reduce: (input.world - 1) * gb * owned, publishWeights: 2 * owned, gather: 2 * unowned } : { publishGrads: 0, reduce: 0, publishWeights: 0, gather: 0 };
    return { rank: r, passes, tokens: passes.reduce((a, p) => a + passTokens(p), 0), owned, compute, torchGemm, collectives, volumes, optimizer, flops, modelFlops };
  };

  const combine = (ranks: RankPlan[], sync = samplerSync) => {
    const slowest = (f: (r: RankPlan) => number): RankPlan => ranks.reduce((a, b) => (f(b) > f(a) ? b : a));
    const bw = (r: RankPlan): number => splitTotal(r.compute) + r.optimizer.zero + r.collectives.publishGrads;
    const red = (r: RankPlan): number => r.collectives.reduce + r.optimizer.reduce;
    const app = (r: RankPlan): number => r.optimizer.apply + r.collectives.publishWeights;
    const gat = (r: RankPlan): number => r.collectives.gather;
    const [b, rd, ap, ga] = [slowest(bw), slowest(red), slowest(app), slowest(gat)];
    const phases = { backward: bw(b), reduce: red(rd), apply: app(ap), gather: gat(ga) };
    const split = {
      ...b.compute,
      collectives: b.collectives.publishGrads + rd.collectives.reduce + ap.collectives.publishWeights + ga.collectives.gather,
      optimizer: b.optimizer.zero + rd.optimizer.reduce + ap.optimizer.apply,
      samplerSync: sync,
    };
    return { phases, split, critical: b, step: phases.backward + phases.reduce + phases.apply + phases.gather + sync };
  };

  const ranks = assigned.map((_, r) => rankPlan(r, {}, true));
  const main = combine(ranks);
  const stale = combine(assigned.map((_, r) => rankPlan(r, { staleNotes: true })));
  const copies = combine(assigned.map((_, r) => rankPlan(r, { copies: true })), samplerSyncAt(true));
  const tokensPerStep = ranks.reduce((a, r) => a + r.tokens, 0);
  const stepFlops = ranks.reduce((a, r) => a + r.flops, 0);
  const stepModelFlops = ranks.reduce((a, r) => a + r.modelFlops, 0);
  const peak = input.peakTFLOPs * 1e12;
  const crit = main.critical;
  const torch =
    crit.torchGemm !== null && crit.torchGemm > 0
      ? { gemmSeconds: crit.torchGemm, ourGemmSeconds: crit.compute.gemm, speedRatio: crit.torchGemm / crit.compute.gemm, stepWithTorchGemm: main.step - crit.compute.gemm + crit.torchGemm }
      : null;

  // Memory: activations and scratch grow to the largest pass; across steps that reaches the pass
  // budget (microBatchTokens) or a longer single rollout. The lm_head's scratch is counted with
  // every position scored (not scoredFraction): the arena keeps the largest pass's, and one pass
  // may score nearly all its positions.
  const largest = Math.max(...assigned.flat().map(passTokens));
  const memoryPassTokens = Math.max(input.microBatchTokens, largest);
  const memory = planRankMemory(c, {
    world: input.world,
    passTokens: memoryPassTokens,
    gradDtype: input.gradDtype,
    recompute: input.recompute,
    maxStorageBindingBytes: bench.maxStorageBindingBytes,
  });

  // Sampling on one GPU (npm run serve): a decode step and a prefill.
  const dOps = decodeOps(c, input.decode);
  const dec = timeOps(dOps, bench);
  const weightBytes = dOps.reduce((a, op) => (op.kind === 'memory' && op.kernel === 'weight-read' ? a + op.bytes * op.count : a), 0);
  const kvBytes = dOps.reduce((a, op) => (op.kind === 'memory' && op.kernel === 'kv-read' ? a + op.bytes * op.count : a), 0);
  const pre = timeOps(prefillOps(c, [input.prefillTokens]), bench);
  const act = bytesPerToken(c);
  const kvPerToken = 2 * c.num_hidden_layers * c.num_key_value_heads * c.head_dim * 2;
  const serveMem = {
    weights: 2 * params.total,
    kvCache: input.decode.seqs * Math.max(input.decode.context + 1, input.prefillTokens) * kvPerToken,
    prefillActivations: (act.kept + act.layerForward + act.head) * input.prefillTokens,
    // The arena (RoPE table, block tables, f16 staging) and the generator's [slots, V] f32 logits
    // and [slots, H] bf16 rows (src/model/generate.ts).
    scratch:
      scratchPlan(c, { tokens: Math.max(input.prefillTokens, input.decode.seqs), scoredRows: 0, backward: false, maxBinding: bench.maxStorageBindingBytes }).total +
      input.decode.seqs * (4 * c.vocab_size + 2 * c.hidden_size),
    total: 0,
  };
  serveMem.total = serveMem.weights + serveMem.kvCache + serveMem.prefillActivations + serveMem.scratch;

  return {
    input,
    params,
    rollouts: input.examplesPerStep * input.groupSize,
    passCount: assigned.reduce((a, p) => a + p.length, 0),
    examplePass: { tokens: passTokens(assigned[0]![0]!), seqs: assigned[0]![0]!.seqLens.length, split: timePass(assigned[0]![0]!).split },
    tokensPerStep,
    ranks,
    phases: main.phases,
    split: main.split,
    stepSeconds: main.step,
    tokensPerSecond: tokensPerStep / main.step,
    mfu: stepModelFlops / (main.step * input.world * peak),
    hfu: stepFlops / (main.step * input.world * peak),
    stepFlops,
    stepModelFlops,
    torch,
    published: { seconds: PUBLISHED_STEP_SECONDS.value, ratio: main.step / PUBLISHED_STEP_SECONDS.value },
    sensitivity: { staleKernelRates: stale.step, hostCopies: copies.step },
    memory,
    memoryPassTokens,
    uses: [...uses.values()],
    sampling: {
      decode: { seconds: splitTotal(dec.split), tokensPerSecond: input.decode.seqs / splitTotal(dec.split), weightBytes, kvBytes, uses: dec.uses },
      prefill: { seconds: splitTotal(pre.split), split: pre.split, uses: pre.uses },
      memory: serveMem,
    },
  };
}
