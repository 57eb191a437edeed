// AdamW (decoupled weight decay, as torch.optim.AdamW) on float64 master weights, plus global
// gradient norm and clip-by-global-norm factor (as torch.nn.utils.clip_grad_norm_, which scales by
// max_norm / (norm + 1e-6) when that is below 1).
import { expectLength, type Vec } from './check.js';

export interface AdamWHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/**
 * One step t (1-based) in place on p, m, v:
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2
 *   mhat = m / (1 - b1^t); vhat = v / (1 - b2^t)
 *   p -= lr wd p;  p -= lr mhat / (sqrt(vhat) + eps)
 */
export function adamwStep(
  p: Float64Array,
  g: Vec,
  m: Float64Array,
  v: Float64Array,
  step: number,
  hp: AdamWHyper,
): void {
  if (!Number.isInteger(step) || step < 1) throw new Error(`adamwStep: step must be an integer >= 1, got ${step}`);
  expectLength('adamwStep', 'grad', g, p.length);
  expectLength('adamwStep', 'm', m, p.length);
  expectLength('adamwStep', 'v', v, p.length);
  const bc1 = 1 - Math.pow(hp.beta1, step);
  const bc2 = 1 - Math.pow(hp.beta2, step);
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]!;
    m[i] = hp.beta1 * m[i]! + (1 - hp.beta1) * gi;
    v[i] = hp.beta2 * v[i]! + (1 - hp.beta2) * gi * gi;
    const mhat = m[i]! / bc1;
    const vhat = v[i]! / bc2;
    p[i] = p[i]! - hp.lr * hp.weightDecay * p[i]!;
    p[i] = p[i]! - (hp.lr * mhat) / (Math.sqrt(vhat) + hp.eps);
  }
}

/** sqrt of the sum of squares of every element of every gradient. */
export function globalGradNorm(grads: Iterable<Vec>): number {
  let ss = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) ss += g[i]! * g[i]!;
  return Math.sqrt(ss);
}

/** Factor to multiply every gradient by: min(1, maxNorm / (norm + 1e-6)). */
export function clipFactor(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6));
}
