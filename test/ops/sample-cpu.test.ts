// The CPU-shaped sampling kernel (the device's sample variant 'cpu', kernels/sample-cpu.wgsl)
// against the portable one (kernels/sample.wgsl) and the float64 reference (src/ops/ref/sample.ts).
// It adds every f32 sum in the portable kernel's order and computes each token's score with the
// same expression, so on every row that samples (status 0) all four output words -- token, logprob,
// model logprob, status -- must be bit-identical to the portable kernel's, for every parameter mix
// (greedy, T = 1 and others, top-k, top-p, both), at odd vocabulary sizes (the scalar layout for
// V % 4 != 0, the vec4 one otherwise, ragged last 256-block), with tied logits (the bisections'
// index bits), -inf entries, peaked and flat rows (the draw's skip rule skips most or almost no
// groups), and rows bound in chunks. Rows that fail must report the same status (1: a NaN, with the
// same token, the first NaN; 2: a non-finite max); their other words are not part of the contract
// (sampleRows throws on them). Independently of the portable kernel: tokens and
// logprobs against the float64 reference (as test/ops/sample.test.ts: the same token unless the
// draw or the top-p cut is within f32 rounding, logprobs within 2e-4 relative), the draws'
// frequencies against the exact kept-set distribution (chi-square), and the skip rule's bound
// over all 2^23 uniforms the draw can use (must never fall below the noise).
import { describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '../../src/gpu/gpu.js';
import { checkKeptDistribution, dispatched, P, SAMPLING_CASES } from '../helpers/sampling-checks.js';
import { cpuSample, encodeRows, recordSample, sampleBoundMargins, sampleRows, type SampleRow } from '../../src/ops/sample.js';
import { sampleRef } from '../../src/ops/ref/sample.js';
import { makeRng, randn } from '../../src/ops/ref/index.js';

const PARAMS = [
  ...SAMPLING_CASES,
  P({ temperature: 0.3 }),
  P({ temperature: 1, topK: 50, topP: 0.95 }),
];

type Variant = 'portable' | 'cpu';


/** The raw output words [B, 4] of one variant. */
async function words(gpu: Gpu, host: Float32Array, B: number, V: number, rows: SampleRow[], variant: Variant, maxBindingBytes?: number): Promise<Uint32Array> {
  const t = gpu.upload(host, [B, V], 'f32', 'logits');
  const r = gpu.upload(encodeRows(rows), [B * 5], 'u32', 'rows');
  const o = gpu.empty([B, 4], 'u32', 'out');
  try {
    const names = dispatched(gpu, () => recordSample(gpu, t, r, o, { variant, maxBindingBytes }));
    expect(names.every((n) => n === (variant === 'cpu' ? 'sample_cpu' : 'sample'))).toBe(true);
    return (await gpu.read(o)) as Uint32Array;
  } finally {
    [t, r, o].forEach((x) => x.destroy());
  }
}

interface Case {
  B: number;
  V: number;
  seed: number;
  scale?: number;
  ties?: boolean;
  negInf?: boolean;
  maxBindingBytes?: number;
}

function logitsOf(c: Case): Float32Array {
  const r = makeRng(c.seed);
  const x = new Float32Array(c.B * c.V);
  for (let i = 0; i < x.length; i++) x[i] = randn(r) * (c.scale ?? 3);
  if (c.ties) for (let i = 0; i < x.length; i++) x[i] = Math.round(x[i]! * 2) / 2;
  if (c.negInf) for (let i = 0; i < x.length; i++) if (r() < 0.3) x[i] = -Infinity;
  return x;
}

const rowsOf = (c: Case): SampleRow[] => Array.from({ length: c.B }, (_, b) => ({ params: PARAMS[b % PARAMS.length]!, seed: (c.seed * 7919 + b) >>> 0, step: b * 3 }));

/** Both variants on one case: every word of every status-0 row the same; the status of the others,
 *  and the token (the first NaN) of status-1 rows. Returns the cpu words. */
async function sameAsPortable(gpu: Gpu, c: Case, host = logitsOf(c)): Promise<Uint32Array> {
  const rows = rowsOf(c);
  const a = await words(gpu, host, c.B, c.V, rows, 'portable', c.maxBindingBytes);
  const b = await words(gpu, host, c.B, c.V, rows, 'cpu', c.maxBindingBytes);
  for (let r = 0; r < c.B; r++) {
    const o = 4 * r;
    const what = `B=${c.B} V=${c.V} seed ${c.seed} row ${r} (${JSON.stringify(rows[r]!.params)})`;
    expect(b[o + 3], `${what} status`).toBe(a[o + 3]);
    if (a[o + 3] !== 2) expect(b[o], `${what} token`).toBe(a[o]);
    if (a[o + 3] === 0) expect([b[o + 1], b[o + 2]], `${what} logprob words`).toEqual([a[o + 1], a[o + 2]]);
  }
  return b;
}

describe('sampling: cpu and portable kernels', () => {
  it('the same bits at odd vocabulary sizes, every parameter mix', async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return; // no subgroups: the op runs the portable kernel
    for (const [B, V, seed] of [[11, 1, 1], [11, 7, 2], [11, 255, 3], [11, 256, 4], [22, 257, 5], [22, 1001, 6], [11, 4099, 7], [11, 4100, 8], [11, 151936, 9]] as const) {
      await sameAsPortable(gpu, { B, V, seed });
    }
  });

  it('the same bits with tied logits, -inf entries, peaked and flat rows', async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return;
    await sameAsPortable(gpu, { B: 33, V: 257, seed: 11, ties: true, scale: 2 });
    await sameAsPortable(gpu, { B: 22, V: 4099, seed: 12, ties: true, scale: 1 });
    await sameAsPortable(gpu, { B: 22, V: 333, seed: 13, negInf: true });
    await sameAsPortable(gpu, { B: 11, V: 20000, seed: 14, scale: 20 }); // most groups skipped
    await sameAsPortable(gpu, { B: 11, V: 20000, seed: 15, scale: 0.01 }); // almost none
  });

  it('the same bits where the largest logit repeats (constant rows, a copy in the last tokens)', async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return;
    for (const V of [1001, 1003, 1000]) {
      const c = { B: 22, V, seed: 51 };
      const host = logitsOf(c);
      for (let b = 0; b < c.B; b++) {
        const row = host.subarray(b * V, (b + 1) * V);
        if (b % 2 === 0) row.fill(0.5);
        else row[(b * 37) % (V - 4)] = row[V - 1 - (b % 3)] = 20;
      }
      await sameAsPortable(gpu, c, host);
    }
  });

  it('the same bits with rows bound in chunks', async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return;
    await sameAsPortable(gpu, { B: 37, V: 1000, seed: 21, maxBindingBytes: 16 * 4000 });
    await sameAsPortable(gpu, { B: 37, V: 1001, seed: 22, maxBindingBytes: 64 * 4004 });
  });

  it('failing rows: the same status and token (first NaN; non-finite max)', async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return;
    const c = { B: 11, V: 1001, seed: 31 };
    const host = logitsOf(c);
    host[1001 + 17] = NaN;
    host[1001 + 500] = NaN;
    new Uint32Array(host.buffer)[2 * 1001 + 3] = 0xffc00000; // a NaN with the sign bit: its key is below -inf's
    host[3 * 1001 + 3] = Infinity;
    host.fill(-Infinity, 4 * 1001, 5 * 1001);
    const w = await sameAsPortable(gpu, c, host);
    expect([w[4 + 3], w[4]]).toEqual([1, 17]);
    expect([w[8 + 3], w[8]]).toEqual([1, 3]);
    expect([w[12 + 3], w[16 + 3], w[20 + 3]]).toEqual([2, 2, 0]);
    const t = gpu.upload(host, [11, 1001], 'f32', 'logits');
    await expect(sampleRows(gpu, t, rowsOf(c), { variant: 'cpu' })).rejects.toThrow(/row 1: logits\[17\] is NaN/);
    t.destroy();
  });
});

describe('sampling (cpu kernel) against the float64 reference', () => {
  it('tokens and logprobs at odd sizes', async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return;
    let ambiguous = 0;
    for (const c of [{ B: 22, V: 7, seed: 41 }, { B: 22, V: 1001, seed: 42 }, { B: 11, V: 4099, seed: 43 }, { B: 4, V: 151936, seed: 44 }]) {
      const host = logitsOf(c);
      const rows = rowsOf(c);
      const t = gpu.upload(host, [c.B, c.V], 'f32', 'logits');
      const got = await sampleRows(gpu, t, rows, { variant: 'cpu' });
      t.destroy();
      for (let b = 0; b < c.B; b++) {
        const want = sampleRef(host.subarray(b * c.V, (b + 1) * c.V), rows[b]!.params, rows[b]!.seed, rows[b]!.step);
        const g = got[b]!;
        if (g.token !== want.token) {
          expect(Math.min(want.drawMargin, want.topPMargin), `V=${c.V} row ${b} token ${g.token} vs ${want.token}`).toBeLessThan(1e-4);
          ambiguous++;
          continue;
        }
        expect(Math.abs(g.logprob - want.logprob), `V=${c.V} row ${b} logprob`).toBeLessThan(2e-4 * (1 + Math.abs(want.logprob)));
        expect(Math.abs(g.modelLogprob - want.modelLogprob), `V=${c.V} row ${b} model logprob`).toBeLessThan(2e-4 * (1 + Math.abs(want.modelLogprob)));
      }
    }
    expect(ambiguous).toBeLessThanOrEqual(1);
  });

  it('draws follow the kept set renormalised (chi-square, 8 sequences x 750 steps)', async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return;
    // 9 logits (V % 4 != 0: the scalar layout), T = 0.9, top-p 0.9: the exact distribution in float64.
    const logits = [2, 1, 0.5, -1, 3, 0, 1.5, -0.25, 2.5];
    const params = P({ temperature: 0.9, topP: 0.9 });
    const n = 6000;
    const t = gpu.upload(Array.from({ length: n }, () => logits).flat(), [n, logits.length], 'f32', 'logits');
    const got = await sampleRows(gpu, t, Array.from({ length: n }, (_, i) => ({ params, seed: 1000 + (i % 8), step: Math.floor(i / 8) })), { variant: 'cpu' });
    t.destroy();
    const { keep, chi2 } = checkKeptDistribution(got, logits, [4, 8, 0, 6, 1, 2, 5, 7, 3], { temperature: 0.9, topP: 0.9, digits: 5 });
    // 5 kept (the top-p cut is 0.5% of the mass away from the goal: not a rounding question);
    // 4 degrees of freedom, P(chi2 > 18.5) = 0.001.
    expect(keep).toBe(5);
    expect(chi2).toBeLessThan(18.5);
  });

  it("the draw's skip bound is never below the noise (all 2^23 uniforms)", async () => {
    const gpu = await getGpu();
    if (!cpuSample(gpu, { variant: 'cpu' })) return;
    const m = await sampleBoundMargins(gpu);
    const lo = Math.min(...m);
    expect(lo).toBeGreaterThanOrEqual(0);
    // And not loose: the chord bound is within ln 2 * 0.09 + 1e-3 of -log(d) at its worst.
    expect(lo).toBeLessThan(2e-3);
  });
});
