// Checks the sampling tests share (test/ops/sample.test.ts and sample-cpu.test.ts, memory-cpu.test.ts).
import { expect } from 'vitest';
import type { Gpu, KernelDef } from '../../src/gpu/gpu.js';
import { SamplingParams } from '../../src/ops/sampling.js';

/** Kernel names dispatched while `fn` runs. */
export function dispatched(gpu: Gpu, fn: () => void): string[] {
  const names: string[] = [];
  const orig = gpu.dispatch.bind(gpu);
  gpu.dispatch = (def: KernelDef, args) => {
    names.push(def.name);
    orig(def, args);
  };
  try {
    fn();
  } finally {
    gpu.dispatch = orig;
  }
  return names;
}

/**
 * Draws against the exact distribution in float64: `order` lists the candidate tokens by falling
 * logit (the top-k already applied), softmax at `temperature`, then the top-p prefix, renormalised.
 * Expects exactly the kept tokens to be drawn, each with its logprob to `digits` decimals; returns
 * how many were kept and the chi-square statistic of the counts (keep - 1 degrees of freedom).
 */
export function checkKeptDistribution(
  got: readonly { token: number; logprob: number }[],
  logits: readonly number[],
  order: readonly number[],
  o: { temperature: number; topP: number; digits: number },
): { keep: number; chi2: number } {
  const top = Math.max(...logits);
  const w = order.map((i) => Math.exp((logits[i]! - top) / o.temperature));
  const base = w.reduce((a, b) => a + b, 0);
  let keep = 0;
  for (let cum = 0; keep < w.length && cum < o.topP * base; keep++) cum += w[keep]!;
  const mass = w.slice(0, keep).reduce((a, b) => a + b, 0);
  const counts = new Map<number, number>();
  for (const g of got) counts.set(g.token, (counts.get(g.token) ?? 0) + 1);
  expect([...counts.keys()].sort()).toEqual(order.slice(0, keep).sort());
  let chi2 = 0;
  order.slice(0, keep).forEach((tok, j) => {
    const e = (got.length * w[j]!) / mass;
    chi2 += ((counts.get(tok) ?? 0) - e) ** 2 / e;
    expect(got.find((x) => x.token === tok)!.logprob).toBeCloseTo(Math.log(w[j]! / mass), o.digits);
  });
  return { keep, chi2 };
}

/** Sampling parameters from a partial set (the schema's defaults for the rest). */
export const P = (p: Partial<SamplingParams>): SamplingParams => SamplingParams.parse(p);

/** The parameter sets the sampling kernels' tests cycle through, row by row: greedy, plain,
 *  temperature, top-k (1, 5, more than the vocabulary), top-p, and both cuts. */
export const SAMPLING_CASES: readonly SamplingParams[] = [
  P({ temperature: 0 }),
  P({}),
  P({ temperature: 0.7 }),
  P({ topK: 5 }),
  P({ topK: 1 }),
  P({ topP: 0.9 }),
  P({ temperature: 1.3, topK: 40, topP: 0.8 }),
  P({ temperature: 0.5, topP: 0.3 }),
  P({ topK: 100000 }),
];
