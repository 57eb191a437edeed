// GPU sampling (the device's sample variant: kernels/sample.wgsl, or kernels/sample-cpu.wgsl on a CPU
// adapter, bit-identical to it: test/ops/sample-cpu.test.ts) against the float64 reference sampler: the same token on every
// row where finite precision cannot decide otherwise (a draw margin or top-p cut within f32
// rounding is counted and bounded instead), logprobs within f32 tolerance, at odd vocabulary sizes,
// with tied logits, -inf entries and row chunks under a small binding cap; draws follow the exact
// distribution; NaN and infinite rows fail naming the row.
import { describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { sampleNoise, sampleRows, type SampleRow } from '../../src/ops/sample.js';
import { gumbel, rowKey, sampleRef, tokenUniform } from '../../src/ops/ref/sample.js';
import { makeRng, randn } from '../../src/ops/ref/index.js';
import { checkKeptDistribution, P, SAMPLING_CASES } from '../helpers/sampling-checks.js';

const PARAMS = SAMPLING_CASES;

function randomLogits(B: number, V: number, seed: number, scale: number): Float32Array {
  const r = makeRng(seed);
  const x = new Float32Array(B * V);
  for (let i = 0; i < x.length; i++) x[i] = randn(r) * scale;
  return x;
}

async function compare(B: number, V: number, seed: number, opts: { scale?: number; ties?: boolean; negInf?: boolean; maxBindingBytes?: number } = {}) {
  const gpu = await getGpu();
  const host = randomLogits(B, V, seed, opts.scale ?? 3);
  const r = makeRng(seed + 1);
  if (opts.ties) for (let i = 0; i < host.length; i++) host[i] = Math.round(host[i]! * 2) / 2; // many equal logits
  if (opts.negInf) for (let i = 0; i < host.length; i++) if (r() < 0.3) host[i] = -Infinity;
  const rows: SampleRow[] = Array.from({ length: B }, (_, b) => ({ params: PARAMS[b % PARAMS.length]!, seed: (seed * 7919 + b) >>> 0, step: b * 3 }));
  const t = gpu.upload(host, [B, V], 'f32', 'logits');
  const got = await sampleRows(gpu, t, rows, { maxBindingBytes: opts.maxBindingBytes });
  t.destroy();
  let ambiguous = 0;
  for (let b = 0; b < B; b++) {
    const row = host.subarray(b * V, (b + 1) * V);
    const want = sampleRef(row, rows[b]!.params, rows[b]!.seed, rows[b]!.step);
    const g = got[b]!;
    if (g.token !== want.token) {
      // Only a near-tie of the draw or a near-exact top-p cut may differ between f32 and f64.
      expect(Math.min(want.drawMargin, want.topPMargin), `row ${b} token ${g.token} vs ${want.token}`).toBeLessThan(1e-4);
      ambiguous++;
      continue;
    }
    expect(Math.abs(g.logprob - want.logprob), `row ${b} logprob`).toBeLessThan(2e-4 * (1 + Math.abs(want.logprob)));
    expect(Math.abs(g.modelLogprob - want.modelLogprob), `row ${b} model logprob`).toBeLessThan(2e-4 * (1 + Math.abs(want.modelLogprob)));
  }
  return { ambiguous, got };
}

describe('sampleRows (GPU)', () => {
  it('matches the reference at odd sizes, every parameter mix', async () => {
    let ambiguous = 0;
    for (const [B, V, seed] of [[9, 1, 1], [9, 7, 2], [18, 1001, 3], [11, 4099, 4], [3, 151936, 5]] as const) {
      ambiguous += (await compare(B, V, seed)).ambiguous;
    }
    expect(ambiguous).toBeLessThanOrEqual(1);
  });

  it('ranks tied logits by index and handles -inf entries', async () => {
    const a = await compare(27, 257, 11, { ties: true, scale: 2 });
    const b = await compare(18, 333, 12, { negInf: true });
    expect(a.ambiguous + b.ambiguous).toBeLessThanOrEqual(1);
  });

  it('binds rows in chunks under a small binding cap', async () => {
    // 5 rows of 1000 f32 per binding at most (the chunk start stays 256-byte aligned: 4000 B rows
    // need a multiple of 16 rows per chunk, so the cap is raised to that by rowChunks' rule).
    const { ambiguous } = await compare(37, 1000, 21, { maxBindingBytes: 16 * 4000 });
    expect(ambiguous).toBeLessThanOrEqual(1);
  });

  it('draws follow the kept set renormalised (chi-square over many steps)', async () => {
    const gpu = await getGpu();
    const logits = [2, 1, 0.5, -1, 3, 0, 1.5];
    const params = P({ temperature: 0.8, topK: 5, topP: 0.95 });
    const n = 4000;
    const t = gpu.upload(Array.from({ length: n }, () => logits).flat(), [n, logits.length], 'f32', 'logits');
    const got = await sampleRows(gpu, t, Array.from({ length: n }, (_, step) => ({ params, seed: 123, step })));
    t.destroy();
    // Exact distribution: top-5 of [3, 2, 1.5, 1, 0.5] at T = 0.8, then the top-p 0.95 prefix.
    const { chi2 } = checkKeptDistribution(got, logits, [4, 0, 6, 1, 2], { temperature: 0.8, topP: 0.95, digits: 4 });
    // keep - 1 degrees of freedom (3 here); P(chi2 > 16.3) = 0.001.
    expect(chi2).toBeLessThan(16.3);
  });

  it('adds the same Gumbel noise as the reference (f32 log error bounds)', async () => {
    const gpu = await getGpu();
    const V = 20011;
    const row = { params: P({}), seed: 0xdeadbeef, step: 17 };
    const got = await sampleNoise(gpu, row, V);
    const key = rowKey(row.seed, row.step);
    const want = Float64Array.from({ length: V }, (_, i) => gumbel(tokenUniform(key, i)));
    // WGSL log: 2^-21 absolute on [0.5, 2], 3 ulp elsewhere; -log u by series where u > 15/16.
    let worst = 0;
    for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / (2e-6 + 1e-6 * Math.abs(want[i]!)));
    expect(worst).toBeLessThan(1);
    expect(Math.max(...want)).toBeGreaterThan(8); // the tail near u = 1 was exercised
  });

  it('names the row on NaN or infinite logits', async () => {
    const gpu = await getGpu();
    const host = randomLogits(3, 50, 31, 1);
    host[50 + 17] = NaN;
    const t = gpu.upload(host, [3, 50], 'f32', 'logits');
    const rows = [0, 1, 2].map((b) => ({ params: P({}), seed: 1, step: b }));
    await expect(sampleRows(gpu, t, rows)).rejects.toThrow(/row 1: logits\[17\] is NaN/);
    host[50 + 17] = 0;
    host[100 + 3] = Infinity;
    const t2 = gpu.upload(host, [3, 50], 'f32', 'logits');
    await expect(sampleRows(gpu, t2, rows)).rejects.toThrow(/row 2: the largest logit is not finite/);
    await expect(sampleRows(gpu, t2, rows.slice(1))).rejects.toThrow(/2 row parameters/);
    t.destroy();
    t2.destroy();
  });
});
