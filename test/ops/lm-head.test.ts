// Fused lm_head + log-softmax + target logprob + entropy on the GPU vs the float64 reference
// (src/ops/ref/lm-head.ts): vocab 1001 in chunks of 256 (last chunk 233 wide: odd), 37 tokens with
// ignored (-1) targets, hidden 64 and 70, bf16 inputs; backward with and without the entropy term;
// the log-softmax kernels of the device's choice (the CPU-shaped ones on lavapipe, for the chunks
// whose width allows) and, forced, the portable ones.
// Softmax temperature (0.7, 1.3), both kernel forms: forward and backward against the reference at
// that temperature and, independently of any temperature code, against the reference at
// temperature 1 with W / T (softmax(h W^T / T) = softmax(h (W/T)^T); dh is that of W/T, dW = (1/T) d(W/T)).
import { describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '../../src/gpu/gpu.js';
import type { Tensor } from '../../src/gpu/tensor.js';
import { lmHeadBackward, lmHeadForward, vocabChunks, type LmHeadDims, type LmHeadOpts } from '../../src/ops/lm-head.js';
import { lmHeadBackward as refBackward, lmHeadForward as refForward } from '../../src/ops/ref/lm-head.js';
import { makeRng, randomInts } from '../../src/ops/ref/index.js';
import { expectClose, randn } from '../gpu/util.js';

const T = 37, V = 1001;

function inputs(gpu: Gpu, H: number, seed: number) {
  const h = randn(T * H, seed, 1, true);
  const w = randn(V * H, seed + 1, 6 / Math.sqrt(H), true); // logits of std ~2: a spread-out softmax
  const targets = randomInts(T, makeRng(seed + 2), V);
  for (const t of [0, 5, 17, 36]) targets[t] = -1;
  targets[1] = V - 1; // in the odd last chunk
  targets[2] = 256; // first row of the second chunk
  return {
    host: { h, w, targets },
    h: gpu.upload(h, [T, H], 'bf16', 'h'),
    w: gpu.upload(w, [V, H], 'bf16', 'w'),
    targets: gpu.upload(targets, [T], 'i32', 'targets'),
  };
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

async function forward(gpu: Gpu, H: number, chunk: number | undefined, seed: number, temperature?: number, opts: LmHeadOpts = {}) {
  const x = inputs(gpu, H, seed);
  const lp = gpu.empty([T], 'f32', 'logprob'), ent = gpu.empty([T], 'f32', 'entropy'), lse = gpu.empty([T], 'f32', 'lse');
  lmHeadForward(gpu, x.h, x.w, x.targets, lp, ent, lse, { tokens: T, hidden: H, vocab: V, chunk, temperature }, opts);
  return { x, lp, ent, lse, ref: refForward(x.host.h, x.host.w, x.host.targets, T, H, V, temperature) };
}

describe('lmHeadForward (GPU) vs reference', () => {
  for (const [H, chunk, softmax] of [[64, 256, undefined], [70, 256, undefined], [64, undefined, undefined], [64, 256, 'portable'], [70, 256, 'cpu']] as const) {
    it(`H=${H} chunk=${chunk ?? 'default'}${softmax ? ` ${softmax} softmax` : ''}: logprob, entropy, lse`, async () => {
      const gpu = await getGpu();
      const { lp, ent, lse, ref, x } = await forward(gpu, H, chunk, 100 + H, undefined, softmax ? { softmax } : {});
      // f32 logits from exact bf16 products: errors ~1e-6 of lse ~ 7-9 (measured ratio <= 0.05 at 2e-5).
      expectClose(await gpu.readF32(lse), ref.lse, 5e-6, 5e-7, 'lse');
      expectClose(await gpu.readF32(lp), ref.logprob, 5e-6, 5e-7, 'logprob');
      expectClose(await gpu.readF32(ent), ref.entropy, 5e-6, 5e-7, 'entropy');
      expect(Array.from(await gpu.readF32(lp)).filter((v, t) => x.host.targets[t] === -1 && v !== 0)).toEqual([]);
      expect(ref.entropy.slice(1).some((e) => e > 1 && e < Math.log(V) - 0.5)).toBe(true); // not a degenerate softmax
    });
  }

  for (const [temp, softmax] of [[0.7, undefined], [1.3, undefined], [0.7, 'portable'], [1.3, 'cpu']] as const) {
    it(`temperature ${temp}, H=70 chunk=256${softmax ? ` ${softmax} softmax` : ''}: logprob, entropy, lse of softmax(logits / T)`, async () => {
      const gpu = await getGpu();
      const { lp, ent, lse, ref, x } = await forward(gpu, 70, 256, 200, temp, softmax ? { softmax } : {});
      const scaled = refForward(x.host.h, x.host.w.map((v) => v / temp), x.host.targets, T, 70, V); // temperature 1, W / T
      const got = { lse: await gpu.readF32(lse), logprob: await gpu.readF32(lp), entropy: await gpu.readF32(ent) };
      for (const k of ['lse', 'logprob', 'entropy'] as const) {
        // Logits / T: errors scale with 1/T (measured worst ratio 0.25 of these tolerances, entropy).
        expectClose(got[k], ref[k], 5e-6 / temp, 5e-7, `${k} vs reference at T`);
        expectClose(got[k], scaled[k], 5e-6 / temp, 5e-7, `${k} vs reference with W / T`);
      }
      // Not the temperature-1 softmax (what the kernel computed before it took a temperature).
      const plain = refForward(x.host.h, x.host.w, x.host.targets, T, 70, V);
      expect(Math.max(...Array.from(got.logprob, (v, t) => Math.abs(v - plain.logprob[t]!)))).toBeGreaterThan(0.1);
    });
  }

  it('refuses a temperature that is not a finite number > 0', async () => {
    const gpu = await getGpu();
    const x = inputs(gpu, 64, 1);
    const f = () => gpu.empty([T], 'f32');
    for (const temperature of [0, -1, NaN, Infinity]) {
      expect(() => lmHeadForward(gpu, x.h, x.w, x.targets, f(), f(), f(), { tokens: T, hidden: 64, vocab: V, temperature })).toThrow(/dims.temperature must be a finite number > 0/);
    }
  });

  it('plans aligned, even vocab chunks covering the vocabulary', async () => {
    const gpu = await getGpu();
    const ch = vocabChunks(gpu, { tokens: T, hidden: 70, vocab: V, chunk: 300 });
    expect(ch.map((c) => c.c)).toEqual([256, 256, 256, 233]); // 300 -> multiple of 64 rows (70*2*64 % 256 == 0)
    const big = vocabChunks(gpu, { tokens: 8192, hidden: 5120, vocab: 151936 });
    expect(big.every((c) => (c.v0 * 5120 * 2) % 256 === 0 && c.c % 2 === 0)).toBe(true);
    expect(big.reduce((s, c) => s + c.c, 0)).toBe(151936);
  });
});

interface BwdCase {
  name: string;
  H: number;
  /** Softmax temperature (default 1). */
  temperature?: number;
  dhDtype: 'f32' | 'bf16';
  entropyTerm: 'given' | 'recomputed' | 'none';
  opts: LmHeadOpts;
  tol: { atol: number; rtol: number }; // atol as a fraction of the largest |gradient| (measured worst ratios 0.1-0.7)
}

describe('lmHeadBackward (GPU) vs reference', () => {
  const cases: BwdCase[] = [
    { name: 'f32 dlogits, f32 dh, dentropy with saved entropy, H=70', H: 70, dhDtype: 'f32', entropyTerm: 'given', opts: { dlogits: 'f32' }, tol: { atol: 2e-6, rtol: 1e-5 } },
    // bf16 dlogits: each dz rounded to 8 significant bits before the matmuls.
    { name: 'bf16 dlogits, bf16 dh, dentropy with recomputed entropy, H=64', H: 64, dhDtype: 'bf16', entropyTerm: 'recomputed', opts: {}, tol: { atol: 4e-3, rtol: 4e-3 } },
    { name: 'bf16 dlogits, f32 dh, no entropy term, H=70, chunked matmul bindings', H: 70, dhDtype: 'f32', entropyTerm: 'none', opts: { maxBindingBytes: 4096 }, tol: { atol: 4e-3, rtol: 4e-3 } },
    // Temperature: dz at logits / T, times 1/T.
    { name: 'temperature 0.7: f32 dlogits, f32 dh, dentropy with saved entropy, H=70', H: 70, temperature: 0.7, dhDtype: 'f32', entropyTerm: 'given', opts: { dlogits: 'f32' }, tol: { atol: 2e-6, rtol: 1e-5 } },
    { name: 'temperature 1.3: f32 dlogits, f32 dh, dentropy with saved entropy, H=70', H: 70, temperature: 1.3, dhDtype: 'f32', entropyTerm: 'given', opts: { dlogits: 'f32' }, tol: { atol: 2e-6, rtol: 1e-5 } },
    { name: 'temperature 0.7: bf16 dlogits, bf16 dh, dentropy with recomputed entropy, H=64', H: 64, temperature: 0.7, dhDtype: 'bf16', entropyTerm: 'recomputed', opts: {}, tol: { atol: 4e-3, rtol: 4e-3 } },
    { name: 'temperature 1.3: bf16 dlogits, f32 dh, no entropy term, H=70', H: 70, temperature: 1.3, dhDtype: 'f32', entropyTerm: 'none', opts: {}, tol: { atol: 4e-3, rtol: 4e-3 } },
    { name: 'bf16 dlogits, portable softmax, dentropy with saved entropy, H=64', H: 64, dhDtype: 'f32', entropyTerm: 'given', opts: { softmax: 'portable' }, tol: { atol: 4e-3, rtol: 4e-3 } },
    { name: 'bf16 dlogits, cpu softmax, dentropy with saved entropy, H=64', H: 64, dhDtype: 'f32', entropyTerm: 'given', opts: { softmax: 'cpu' }, tol: { atol: 4e-3, rtol: 4e-3 } },
    { name: 'temperature 0.7: bf16 dlogits, portable softmax, f32 dh, dentropy with saved entropy, H=64', H: 64, temperature: 0.7, dhDtype: 'f32', entropyTerm: 'given', opts: { softmax: 'portable' }, tol: { atol: 4e-3, rtol: 4e-3 } },
    { name: 'temperature 1.3: bf16 dlogits, cpu softmax, f32 dh, dentropy with saved entropy, H=64', H: 64, temperature: 1.3, dhDtype: 'f32', entropyTerm: 'given', opts: { softmax: 'cpu' }, tol: { atol: 4e-3, rtol: 4e-3 } },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const gpu = await getGpu();
      const H = c.H;
      const temp = c.temperature;
      const dims: LmHeadDims = { tokens: T, hidden: H, vocab: V, chunk: 256, temperature: temp };
      const { x, ent, lse } = await forward(gpu, H, 256, 7 + H, temp);
      const dlp = randn(T, 31, 1);
      const dent = c.entropyTerm === 'none' ? undefined : randn(T, 32, 0.5);
      const dw0 = randn(V * H, 33, 0.01);
      const dlogprob = gpu.upload(dlp, [T], 'f32', 'dlogprob');
      const dentropy = dent ? gpu.upload(dent, [T], 'f32', 'dentropy') : null;
      const dh = gpu.upload(randn(T * H, 34, 5), [T, H], c.dhDtype, 'dh'); // garbage: must be overwritten
      const dw = gpu.upload(dw0, [V, H], 'f32', 'dw');
      const opts = { ...c.opts, entropy: c.entropyTerm === 'given' ? ent : undefined };
      lmHeadBackward(gpu, x.h, x.w, x.targets, lse, dlogprob, dentropy, dh, dw, dims, opts);
      const ref = refBackward(dlp, dent, x.host.h, x.host.w, x.host.targets, T, H, V, temp);
      const gotDh = await gpu.readF32(dh);
      const dhTol = c.dhDtype === 'bf16' ? Math.max(c.tol.rtol, 2 ** -8) : c.tol.rtol;
      expectClose(gotDh, ref.dh, c.tol.atol * maxAbs(ref.dh), dhTol, 'dh');
      const gotDw = await gpu.readF32(dw);
      const dW = ref.dW.map((g, i) => g + dw0[i]!);
      expectClose(gotDw.map((g, i) => g - dw0[i]!), ref.dW, c.tol.atol * maxAbs(ref.dW), c.tol.rtol, 'dw - dw0');
      expectClose(gotDw, dW, c.tol.atol * maxAbs(ref.dW), c.tol.rtol, 'dw');
      if (temp !== undefined) {
        // Independently of the reference's temperature code: W / T at temperature 1.
        const s = refBackward(dlp, dent, x.host.h, x.host.w.map((v) => v / temp), x.host.targets, T, H, V);
        expectClose(gotDh, s.dh, c.tol.atol * maxAbs(s.dh), dhTol, 'dh vs W / T');
        expectClose(gotDw.map((g, i) => g - dw0[i]!), s.dW.map((g) => g / temp), c.tol.atol * maxAbs(ref.dW), c.tol.rtol, 'dw - dw0 vs d(W / T) / T');
      }
      for (const t of [0, 5, 17, 36]) expect(maxAbs(gotDh.subarray(t * H, (t + 1) * H))).toBe(0); // ignored rows
    });
  }

  it('names the offending tensor on bad shapes', async () => {
    const gpu = await getGpu();
    const x = inputs(gpu, 64, 1);
    const f = (n: number, label: string): Tensor => gpu.empty([n], 'f32', label);
    const dims = { tokens: T, hidden: 64, vocab: V };
    expect(() => lmHeadForward(gpu, x.h, x.w, x.targets, f(T, 'lp'), f(T, 'ent'), f(T + 1, 'lse'), dims)).toThrow(/lse lse\[38\] f32 must be \[37\] f32/);
    expect(() => lmHeadForward(gpu, x.h, x.w, x.targets, f(T, 'lp'), f(T, 'ent'), f(T, 'lse'), { ...dims, vocab: 1000 })).toThrow(/w w\[1001x64\] bf16 must be \[1000x64\]/);
    const dwBf = gpu.empty([V, 64], 'bf16', 'dw');
    expect(() => lmHeadBackward(gpu, x.h, x.w, x.targets, f(T, 'lse'), f(T, 'dlp'), null, gpu.empty([T, 64], 'f32'), dwBf, dims)).toThrow(/dw dw\[1001x64\] bf16 must be \[1001x64\] f32/);
  });
});
