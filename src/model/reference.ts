// Float64 reference Qwen3 (independent of any GPU code): forward over packed sequences giving each
// token's logprob of the next token, a full manual backward giving every weight gradient, and
// full-forward next-token logits / greedy decoding for KV-cache tests. Slow by design: tiny
// configs only.
//
// Targets: within each packed sequence, position t's logits score token t+1; the last token of
// each sequence has no target (target -1, logprob 0, entropy 0, no gradient).
import { embeddingBackward, embeddingForward } from '../ops/ref/embedding.js';
import { lmHeadBackward, lmHeadForward, lmHeadLogits } from '../ops/ref/lm-head.js';
import { rmsnormBackward, rmsnormForward } from '../ops/ref/rmsnorm.js';
import { positionsFromCuSeqlens, validateCuSeqlens } from '../ops/ref/seqlens.js';
import { expectLength, type Vec } from '../ops/ref/check.js';
import { layerBackward, layerForward, type LayerCache, type LayerCtx, type LayerWeights } from './reference-layer.js';
import {
  EMBED,
  FINAL_NORM,
  LM_HEAD,
  checkReferenceWeights,
  layerNames,
  type RefConfig,
  type RefWeights,
} from './reference-weights.js';

export type { RefConfig, RefWeights } from './reference-weights.js';
export { randomReferenceWeights, referenceWeightShapes, checkReferenceWeights } from './reference-weights.js';

export interface RefForwardOut {
  logprobs: Float64Array; // [T] logprob of targets[t]; 0 where targets[t] = -1
  entropy: Float64Array; // [T] entropy of the next-token distribution; 0 where targets[t] = -1
  targets: Int32Array; // [T] next token within the sequence, -1 for each sequence's last token
}

/** Next-token targets of packed sequences: tokens[t+1] inside a sequence, -1 at each sequence end. */
export function nextTokenTargets(tokens: Vec, cuSeqlens: Vec): Int32Array {
  validateCuSeqlens('nextTokenTargets', cuSeqlens, tokens.length);
  const targets = new Int32Array(tokens.length).fill(-1);
  for (let s = 0; s + 1 < cuSeqlens.length; s++) {
    for (let t = cuSeqlens[s]!; t + 1 < cuSeqlens[s + 1]!; t++) targets[t] = tokens[t + 1]!;
  }
  return targets;
}

function layerWeights(w: RefWeights, i: number): LayerWeights {
  const n = layerNames(i);
  const out = {} as LayerWeights;
  for (const key of Object.keys(n) as (keyof typeof n)[]) out[key] = w[n[key]]!;
  return out;
}

function lmHeadWeight(cfg: RefConfig, w: RefWeights): Float64Array {
  return cfg.tied ? w[EMBED]! : w[LM_HEAD]!;
}

interface Trunk {
  T: number;
  ctx: LayerCtx;
  caches: LayerCache[];
  xFinal: Float64Array; // residual stream after the last layer [T, H]
  normed: Float64Array; // model.norm(xFinal) [T, H]
}

/** Embedding, all layers and the final norm (everything up to lm_head). */
function trunkForward(cfg: RefConfig, w: RefWeights, tokens: Vec, cuSeqlens: Vec): Trunk {
  checkReferenceWeights(cfg, w);
  const T = tokens.length;
  if (T === 0) throw new Error('reference model: no tokens');
  validateCuSeqlens('reference model', cuSeqlens, T);
  const ctx: LayerCtx = { cfg, T, positions: positionsFromCuSeqlens(cuSeqlens), cuSeqlens };
  let x = embeddingForward(w[EMBED]!, tokens, cfg.vocab, cfg.hidden);
  const caches: LayerCache[] = [];
  for (let i = 0; i < cfg.layers; i++) {
    const r = layerForward(ctx, layerWeights(w, i), x);
    caches.push(r.cache);
    x = r.out;
  }
  const normed = rmsnormForward(x, w[FINAL_NORM]!, T, cfg.hidden, cfg.eps).out;
  return { T, ctx, caches, xFinal: x, normed };
}

/** Per-token logprobs of the next token (and entropies) over packed sequences. */
export function referenceForward(cfg: RefConfig, w: RefWeights, tokens: Vec, cuSeqlens: Vec): RefForwardOut {
  const tr = trunkForward(cfg, w, tokens, cuSeqlens);
  const targets = nextTokenTargets(tokens, cuSeqlens);
  const r = lmHeadForward(tr.normed, lmHeadWeight(cfg, w), targets, tr.T, cfg.hidden, cfg.vocab);
  return { logprobs: r.logprob, entropy: r.entropy, targets };
}

/**
 * Gradients of L = sum_t dLogprobs[t] logprobs[t] + dEntropy[t] entropy[t] with respect to every
 * weight, keyed by HF name. With tied embeddings the lm_head gradient is added into
 * model.embed_tokens.weight.
 */
export function referenceBackward(
  cfg: RefConfig,
  w: RefWeights,
  tokens: Vec,
  cuSeqlens: Vec,
  dLogprobs: Vec,
  dEntropy?: Vec,
): { grads: RefWeights } & RefForwardOut {
  const tr = trunkForward(cfg, w, tokens, cuSeqlens);
  const { T, ctx } = tr;
  const H = cfg.hidden;
  expectLength('referenceBackward', 'dLogprobs [T]', dLogprobs, T);
  if (dEntropy) expectLength('referenceBackward', 'dEntropy [T]', dEntropy, T);
  const targets = nextTokenTargets(tokens, cuSeqlens);
  const Wlm = lmHeadWeight(cfg, w);
  const fwd = lmHeadForward(tr.normed, Wlm, targets, T, H, cfg.vocab);
  const grads: RefWeights = {};

  const head = lmHeadBackward(dLogprobs, dEntropy, tr.normed, Wlm, targets, T, H, cfg.vocab);
  const fin = rmsnormBackward(head.dh, tr.xFinal, w[FINAL_NORM]!, T, H, cfg.eps);
  grads[FINAL_NORM] = fin.dw;
  let dx = fin.dx;
  for (let i = cfg.layers - 1; i >= 0; i--) {
    const r = layerBackward(ctx, layerWeights(w, i), tr.caches[i]!, dx);
    const n = layerNames(i);
    for (const key of Object.keys(n) as (keyof typeof n)[]) grads[n[key]] = r.grads[key];
    dx = r.dx;
  }
  const dEmbed = embeddingBackward(dx, tokens, cfg.vocab, H);
  if (cfg.tied) {
    for (let j = 0; j < dEmbed.length; j++) dEmbed[j] += head.dW[j]!;
  } else {
    grads[LM_HEAD] = head.dW;
  }
  grads[EMBED] = dEmbed;
  return { grads, logprobs: fwd.logprob, entropy: fwd.entropy, targets };
}

/** Logits [T, V] at every position of packed sequences. */
export function referenceLogits(cfg: RefConfig, w: RefWeights, tokens: Vec, cuSeqlens: Vec): Float64Array {
  const tr = trunkForward(cfg, w, tokens, cuSeqlens);
  return lmHeadLogits(tr.normed, lmHeadWeight(cfg, w), tr.T, cfg.hidden, cfg.vocab);
}

/** Logits [V] for the token after `tokens` (one sequence), by a full forward: no KV cache. */
export function referenceNextTokenLogits(cfg: RefConfig, w: RefWeights, tokens: Vec): Float64Array {
  const T = tokens.length;
  const tr = trunkForward(cfg, w, tokens, [0, T]);
  const last = tr.normed.subarray((T - 1) * cfg.hidden, T * cfg.hidden);
  return lmHeadLogits(last, lmHeadWeight(cfg, w), 1, cfg.hidden, cfg.vocab);
}

/** Index of the largest value (first one on ties). */
export function argmax(a: Vec): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/** Greedy decoding of `steps` new tokens from `prompt`, re-running the full forward each step. */
export function referenceGreedy(cfg: RefConfig, w: RefWeights, prompt: Vec, steps: number): number[] {
  const seq = Array.from(prompt);
  const out: number[] = [];
  for (let s = 0; s < steps; s++) {
    const next = argmax(referenceNextTokenLogits(cfg, w, seq));
    out.push(next);
    seq.push(next);
  }
  return out;
}
