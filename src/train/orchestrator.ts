// The orchestrator role (prime-rl's orchestrator): it sees the task only through the Environment
// interface (src/env/environment.ts) and the model only through a TurnSampler. Per step: the next
// `examplesPerStep` rows of a seeded shuffle of the training set, `groupSize` episodes per row, all
// at once, recorded token by token with their sampler logprobs (src/rl/rollout.ts); their rewards,
// and advantages as reward minus the group mean. It also builds the warm start's samples and runs
// the held-out evaluations.
// Off-policy distance (offPolicySteps): 1, the published recipe, samples step s+1's rollouts from
// the weights before step s's update (w_{s-1}), on a sampler server while step s trains; 0 samples
// each step from the weights it trains (on-policy). mu always comes from the sampler itself (its own
// numerics), so AIPO's ratio pi/mu corrects for both. **(choice)** A resumed run samples its first
// step from the checkpoint's weights (the rollouts under way at the crash are gone).
import { join } from 'node:path';
import type { AnyEnvironment } from '../env/environment.js';
import { evaluateWith } from '../eval/evaluate.js';
import type { ChatTemplate } from '../io/chat-template.js';
import { countProgress } from '../io/progress.js';
import { Rng } from '../io/rng.js';
import type { HfTokenizer } from '../io/tokenizer.js';
import { describeJudge } from '../reward/judge-config.js';
import { groupAdvantages } from '../rl/aipo.js';
import { runGroups, type Rollout, type RolloutContext } from '../rl/rollout.js';
import type { TurnSampler } from '../rollout/sampler.js';
import type { TrainSample } from './batch.js';
import type { TrainConfig } from './config.js';
import type { EvalLine } from './metrics.js';
import { warmStartSamples } from './warm-start.js';

/** Row indices of step `step` (1-based): consecutive slices of seeded shuffles of the set. */
export function stepRows(n: number, perStep: number, step: number, seed: string | number): number[] {
  const out: number[] = [];
  for (let k = (step - 1) * perStep; k < step * perStep; k++) {
    const epoch = Math.floor(k / n);
    const order = new Rng(`${seed}/epoch${epoch}`).shuffle(Array.from({ length: n }, (_, i) => i));
    out.push(order[k % n]!);
  }
  return out;
}

type EvalArgs = Parameters<typeof evaluateWith>;

export interface OrchestratorOptions {
  env: AnyEnvironment;
  rows: { id: string }[];
  /** The held-out rows, when evaluations are configured. */
  evalRows?: { id: string }[];
  tokenizer: HfTokenizer;
  template: ChatTemplate;
  sampler: TurnSampler;
  /** The sampler holds its own weights (a server), so the next step's rollouts can be sampled while
   *  the trainer updates; otherwise they are sampled before the update. */
  samplesDuringUpdate: boolean;
  log: (line: string) => void;
}

export class Orchestrator {
  private readonly ctx: RolloutContext;
  /** Rollouts of the coming step, already sampled or under way (one step off-policy). */
  private ahead: Promise<Rollout[]> | null = null;

  constructor(
    private readonly cfg: TrainConfig,
    private readonly o: OrchestratorOptions,
  ) {
    const ep = cfg.episode;
    this.ctx = { env: o.env, sampler: o.sampler, tokenizer: o.tokenizer, template: o.template, sampling: cfg.sampling, maxTurns: ep.maxTurns, maxTokensPerTurn: ep.maxTokensPerTurn, maxEpisodeTokens: ep.maxEpisodeTokens, enableThinking: ep.enableThinking };
  }

  private pickRows(perStep: number, step: number, seed: string | number): { id: string }[] {
    return stepRows(this.o.rows.length, perStep, step, seed).map((i) => this.o.rows[i]!);
  }

  private sample(step: number): Promise<Rollout[]> {
    const { cfg } = this;
    const ex = this.pickRows(cfg.examplesPerStep, step, cfg.seed);
    this.o.log(`step ${step}/${cfg.steps}: sampling ${cfg.examplesPerStep * cfg.groupSize} rollouts (${ex.map((r) => r.id).join(', ')} x ${cfg.groupSize})`);
    const p = runGroups(ex, cfg.groupSize, this.ctx, `${cfg.seed}/step${step}`, countProgress(`step ${step}/${cfg.steps}`, 'rollouts', this.o.log));
    p.catch(() => undefined); // awaited later; a failure surfaces there, not as an unhandled rejection
    return p;
  }

  /** Step `step`'s rollouts, and the next step's started: one step off-policy (the published
   *  recipe), they come from the weights before this step's update. A sampler server samples them
   *  while this step trains; the embedded sampler shares rank 0's weights, so it samples them first. */
  async rollouts(step: number): Promise<Rollout[]> {
    const rollouts = await (this.ahead ?? this.sample(step));
    this.ahead = null;
    if (this.cfg.offPolicySteps === 1 && step < this.cfg.steps) {
      this.ahead = this.sample(step + 1);
      if (!this.o.samplesDuringUpdate) await this.ahead;
    }
    return rollouts;
  }

  /** Waits for the next step's rollouts under way: the sampler keeps the old weights until then. */
  async settle(): Promise<void> {
    if (this.ahead) await this.ahead;
  }

  /** Training samples of a step's rollouts, advantage = reward minus the group's mean. A judge
   *  failure is never a reward: the rollout is left out (or the run fails, judge.onFailure 'fail'). */
  samples(step: number, rollouts: readonly Rollout[]): TrainSample[] {
    const { cfg } = this;
    const failed = rollouts.filter((r) => r.episode.reward.total === undefined);
    if (failed.length > 0 && cfg.judge.onFailure === 'fail') {
      throw new Error(`step ${step}: ${failed.length} rollout(s) have no reward (${failed[0]!.episode.reward.error}); judge.onFailure is 'fail'`);
    }
    const samples: TrainSample[] = [];
    for (let e = 0; e < cfg.examplesPerStep; e++) {
      const group = rollouts.slice(e * cfg.groupSize, (e + 1) * cfg.groupSize).filter((r) => r.episode.reward.total !== undefined);
      if (group.length < 2) continue; // no baseline left for this example
      const adv = groupAdvantages(group.map((r) => r.episode.reward.total!), group.length);
      group.forEach((r, i) => samples.push({ ids: r.tokens.ids, samplerLogprobs: r.tokens.logprobs, lossMask: r.tokens.lossMask, advantage: adv[i]!, temperature: r.temperature }));
    }
    return samples;
  }

  /** Warm start step `k`'s samples: prompts of its rows, then the environment's demonstration or
   *  the configured replies (src/train/warm-start.ts). */
  warmStartSamples(k: number): TrainSample[] {
    const { cfg, o } = this;
    const w = cfg.warmStart;
    const rows = this.pickRows(w.rowsPerStep, k, `${cfg.seed}/warm`);
    return warmStartSamples(o.env, rows, o.tokenizer, o.template, cfg.episode.enableThinking, w.replies);
  }

  /** The held-out evaluation after step `at` with the sampler's current weights; its report goes
   *  to <out>/evals/step-N. The report is the resume task's (src/eval; preflight refuses evaluations
   *  of other tasks), hence the casts: this file knows no task's own types. */
  async evaluate(at: number): Promise<EvalLine> {
    const { cfg } = this;
    const e = cfg.eval;
    const t = performance.now();
    const { report } = await evaluateWith({ ...this.ctx, sampling: { temperature: e.temperature } } as EvalArgs[0], this.o.evalRows as EvalArgs[1][number][], {
      rolloutsPerRow: e.rolloutsPerRow,
      rowsAtOnce: e.rowsAtOnce,
      seed: `${cfg.seed}/eval`,
      out: join(cfg.out, 'evals', `step-${String(at).padStart(6, '0')}`),
      log: this.o.log,
      meta: { model: `${cfg.out} after step ${at}`, judge: describeJudge(cfg.judge), data: e.data, limit: e.rows },
    });
    const { meanReward, submitRate, editFailureRate, hallucination, contentQuality, layoutPassRate, components, rollouts, unscored } = report;
    return { step: at, meanReward, submitRate, editFailureRate, hallucination, contentQuality, layoutPassRate, components, rollouts, unscored, seconds: (performance.now() - t) / 1000 };
  }
}
