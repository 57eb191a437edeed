// A step's gradient work on one model: each pass (src/train/batch.ts) forward, AIPO loss
// normalised by the whole step's loss-token count N (so passes on any device add up to the step's
// gradient), backward accumulating into model.grads. Shared by every rank (src/train/rank.ts).
import { packSequences } from '../model/qwen3-batch.js';
import type { Qwen3Model } from '../model/qwen3.js';
import { aipoLoss } from '../rl/aipo.js';
import type { TrainPass } from './batch.js';
import type { TrainConfig } from './config.js';

/** The run's AIPO settings; `nll` instead: the negative log-likelihood of the masked tokens, each
 *  weighted by its sample's advantage field, over N (the supervised warm start,
 *  src/train/warm-start.ts: the weight is a reply's share of the mixture it teaches). */
export type LossConfig = TrainConfig['loss'] & { nll?: boolean };

/** Sums over the passes run (additive across ranks). */
export interface PassStats {
  loss: number;
  /** Loss tokens whose ratio was clipped. */
  clippedTokens: number;
  /** Sum over loss tokens of the ratio pi/mu. */
  ratioSum: number;
  /** Packed tokens forwarded. */
  tokens: number;
  passes: number;
}

export const noPassStats = (): PassStats => ({ loss: 0, clippedTokens: 0, ratioSum: 0, tokens: 0, passes: 0 });

export function addPassStats(a: PassStats, b: PassStats): PassStats {
  return { loss: a.loss + b.loss, clippedTokens: a.clippedTokens + b.clippedTokens, ratioSum: a.ratioSum + b.ratioSum, tokens: a.tokens + b.tokens, passes: a.passes + b.passes };
}

/** -sum over masked tokens of w * log p, divided by N; in AIPO's result shape (ratio 1, nothing
 *  clipped). With w the advantage this is AIPO's gradient on policy, so a weight is a sample's
 *  share: replies of one prompt weighted w_k teach the mixture softmax -> w_k / sum w. */
function nllLoss(logprobs: ArrayLike<number>, weights: ArrayLike<number>, mask: ArrayLike<number>, N: number): { loss: number; dlogprob: Float64Array; tokens: number; clippedFraction: number; meanRatio: number } {
  const dlogprob = new Float64Array(logprobs.length);
  let loss = 0, tokens = 0;
  for (let t = 0; t < logprobs.length; t++) {
    if (!mask[t]) continue;
    loss -= (weights[t]! * logprobs[t]!) / N;
    dlogprob[t] = -weights[t]! / N;
    tokens++;
  }
  return { loss, dlogprob, tokens, clippedFraction: 0, meanRatio: 1 };
}

/** Zeroes model.grads, then accumulates the AIPO gradient of every pass into it. */
export async function runPasses(model: Qwen3Model, passes: readonly TrainPass[], N: number, loss: LossConfig): Promise<PassStats> {
  model.zeroGrads();
  const s = noPassStats();
  for (const p of passes) {
    if (p.lossTokens === 0) continue;
    // A pass that lost its temperature (e.g. on its way to a rank process) would silently score at 1.
    if (!(Number.isFinite(p.temperature) && p.temperature > 0)) throw new Error(`runPasses: a pass has temperature ${p.temperature}; expected the finite temperature > 0 its tokens were sampled at`);
    // Only the loss positions are scored: lm_head runs on those rows alone (qwen3-head.ts), at the
    // temperature the pass's tokens were sampled at (pi = the sampler's softmax(logits / T)).
    const packed = packSequences(p.seqs);
    const batch = { ...packed, targets: Int32Array.from(packed.targets, (y, t) => (p.mask[t] ? y : -1)), temperature: p.temperature };
    const fwd = await model.forward(batch);
    const l = loss.nll ? nllLoss(fwd.logprobs, p.advantages, p.mask, N) : aipoLoss({ logprobs: fwd.logprobs, samplerLogprobs: p.samplerLogprobs, advantages: p.advantages, mask: p.mask }, { delta: loss.delta, clamp: loss.clamp, normalizer: N });
    model.backward(batch, l.dlogprob);
    s.loss += l.loss;
    s.clippedTokens += l.clippedFraction * l.tokens;
    s.ratioSum += l.meanRatio * l.tokens;
    s.tokens += batch.tokens.length;
    s.passes += 1;
  }
  return s;
}
