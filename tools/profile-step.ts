// npx tsx tools/profile-step.ts [--model DIR] [--only decode,prefill,train] [--json FILE]
// Where the time of the CPU default goes: on the tiny model (configs/tiny-cpu.json's shape, created
// in DIR if missing; default /tmp/tiny-profile) times
//   - the decode logits GEMM alone (model.logits, [B,64] x lm_head^T) at B = 4, 16, 128 (GPU time);
//   - a decode step of B = 4 and 16 sequences (wall time per step of a Generator, from runs of 1 and
//     9 new tokens);
//   - a prefill of 4 x 1800 tokens (wall time, one new token);
//   - a training pass on 4 packed sequences of ~1830 tokens with 128 loss tokens: forward (with the
//     read-back of the logprobs) and backward (wall time), and the AdamW update that follows
//     (gradient norm + step over all ~9.8M parameters);
// and breaks each down per kernel with GPU timestamps (Gpu.startProfile: every dispatch in its own
// pass, so the per-kernel sums slightly exceed the plain run's time).
// --compare FAMILY=A,B [--rounds N] instead times the same work (training pass forward + backward,
// prefill 4 x 1800, decode of 4 and of 16 sequences x 9 tokens: wall clock; --only keeps the items
// whose name contains one of its words, e.g. --only decode) with the family's variant A and B in
// turn (src/gpu/variants.ts overrides), N rounds alternating, and prints each variant's best and
// median and the ratio: the step-time effect of one kernel family on a noisy machine.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { getGpu, type Gpu } from '../src/gpu/gpu.js';
import { DeviceVariants, setVariants, VARIANT_FAMILIES, type VariantFamily } from '../src/gpu/variants.js';
import { Generator } from '../src/model/generate.js';
import { packSequences } from '../src/model/qwen3-batch.js';
import { Qwen3Model } from '../src/model/qwen3.js';
import { makeTinyModel } from '../src/model/tiny.js';
import { AdamW } from '../src/train/optimizer.js';

type Row = { key: string; ms: number; count: number };

/** Kernel name -> op family (the rest: its own name). */
function family(key: string): string {
  const name = key.split(' ')[0]!;
  const rules: [RegExp, string][] = [
    [/^matmul/, 'gemm'],
    [/^lm_head/, 'lm_head (softmax parts)'],
    [/^(attn|attention)/, 'attention'],
    [/^rmsnorm/, 'rmsnorm'],
    [/^rope/, 'rope'],
    [/^swiglu/, 'swiglu'],
    [/^embedding/, 'embedding'],
    [/^(residual|cast)/, 'residual/cast'],
    [/^copy_rows/, 'copy_rows (kv, gather)'],
    [/^sample/, 'sample'],
  ];
  for (const [re, f] of rules) if (re.test(name)) return f;
  return name;
}

function report(title: string, rows: Row[], log: (s: string) => void): void {
  const total = rows.reduce((a, r) => a + r.ms, 0);
  const fam = new Map<string, { ms: number; count: number }>();
  for (const r of rows) {
    const f = family(r.key);
    const e = fam.get(f) ?? { ms: 0, count: 0 };
    e.ms += r.ms;
    e.count += r.count;
    fam.set(f, e);
  }
  log(`  ${title}: GPU total ${total.toFixed(1)} ms in ${rows.reduce((a, r) => a + r.count, 0)} dispatches`);
  for (const [f, e] of [...fam].sort((a, b) => b[1].ms - a[1].ms)) {
    log(`    ${f.padEnd(26)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / total).toFixed(1).padStart(5)}%  (${e.count} dispatches)`);
  }
  log(`    top kernels:`);
  for (const r of rows.slice(0, 12)) log(`      ${r.key.padEnd(48)} ${r.ms.toFixed(1).padStart(9)} ms  x${r.count}`);
}

async function profiled<T>(gpu: Gpu, fn: () => Promise<T>): Promise<{ value: T; rows: Row[] }> {
  gpu.startProfile();
  try {
    const value = await fn();
    return { value, rows: await gpu.stopProfile() };
  } catch (e) {
    await gpu.stopProfile().catch(() => undefined);
    throw e;
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The training pass both modes time: 4 packed sequences of ~1830 tokens, the last 32 of each
 *  scored (what a rollout's sampled reply looks like), each with dlogprob -1/128. */
function trainBatch(ids: (n: number) => number[]) {
  const lens = [1800, 1830, 1850, 1840];
  const packed = packSequences(lens.map((n) => ids(n)));
  const T = packed.tokens.length;
  const mask = new Uint8Array(T);
  for (let s = 0; s < lens.length; s++) for (let t = packed.cuSeqlens[s + 1]! - 33; t < packed.cuSeqlens[s + 1]! - 1; t++) mask[t] = 1;
  const batch = { ...packed, targets: Int32Array.from(packed.targets, (y, t) => (mask[t] ? y : -1)) };
  return { T, batch, dlogprob: Float64Array.from(mask, (k) => (k ? -1 / 128 : 0)) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { model: { type: 'string' }, only: { type: 'string' }, json: { type: 'string' }, compare: { type: 'string' }, rounds: { type: 'string' } },
    strict: true,
  });
  const dir = values.model ?? '/tmp/tiny-profile';
  const only = new Set((values.only ?? 'logits,decode,prefill,train').split(','));
  if (!existsSync(join(dir, 'config.json'))) {
    await makeTinyModel(dir, { layers: 2, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, seed: 1, tied: true });
  }
  const gpu = await getGpu();
  const model = await Qwen3Model.load(gpu, dir);
  const c = model.config;
  const V = c.vocab_size, H = c.hidden_size;
  const out: Record<string, unknown> = { device: gpu.describe(), date: new Date().toISOString() };
  const log = (s: string): void => console.log(s);
  log(`profile on ${gpu.describe()}: ${c.num_hidden_layers} layers, hidden ${H}, vocab ${V}`);
  const r = rng(1);
  const ids = (n: number): number[] => Array.from({ length: n }, () => Math.floor(r() * V));

  if (values.compare) {
    await compare(gpu, model, values.compare, Number(values.rounds ?? 5), ids, log, out, values.only?.split(','));
    if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 2) + '\n');
    model.destroy();
    gpu.destroy();
    return;
  }

  if (only.has('logits')) {
    for (const B of [4, 16, 128]) {
      const h = gpu.upload(Array.from({ length: B * H }, () => r() * 2 - 1), [B, H], 'bf16', 'h');
      const logits = gpu.empty([B, V], 'f32', 'logits');
      model.logits(h, logits); // warm-up (pipeline compile)
      await gpu.sync();
      const ms: number[] = [];
      for (let i = 0; i < 3; i++) ms.push(await gpu.timeGpu(() => model.logits(h, logits)));
      const best = Math.min(...ms);
      log(`logits B=${B}: ${best.toFixed(2)} ms (min of 3), ${((2 * B * H * V) / best / 1e6).toFixed(2)} GFLOP/s, weights ${((V * H * 2) / best / 1e6).toFixed(2)} GB/s`);
      out[`logits_B${B}_ms`] = best;
      h.destroy();
      logits.destroy();
    }
  }

  if (only.has('decode')) {
    for (const B of [4, 16]) {
      const gen = new Generator(model, { slots: B, maxTokens: 128, seed: 3 });
      const reqs = (n: number) => Array.from({ length: B }, (_, i) => ({ prompt: ids(64), maxNewTokens: n, seed: i }));
      await gen.generate(reqs(2)); // warm-up
      let t0 = performance.now();
      await gen.generate(reqs(1));
      const t1 = performance.now() - t0;
      t0 = performance.now();
      await gen.generate(reqs(9));
      const t9 = performance.now() - t0;
      const step = (t9 - t1) / 8;
      log(`decode step B=${B}: ${step.toFixed(1)} ms (wall; prefill of ${B}x64 + first token ${t1.toFixed(0)} ms)`);
      out[`decode_B${B}_ms`] = step;
      const p = await profiled(gpu, () => gen.generate(reqs(9)));
      report(`decode B=${B}, prefill ${B}x64 + 8 steps`, p.rows, log);
      gen.destroy();
    }
  }

  if (only.has('prefill')) {
    const gen = new Generator(model, { slots: 4, maxTokens: 1801, seed: 3 });
    const reqs = () => Array.from({ length: 4 }, (_, i) => ({ prompt: ids(1800), maxNewTokens: 1, seed: i }));
    await gen.generate(reqs());
    const t0 = performance.now();
    await gen.generate(reqs());
    const ms = performance.now() - t0;
    log(`prefill 4x1800: ${ms.toFixed(0)} ms (wall)`);
    out.prefill_ms = ms;
    const p = await profiled(gpu, () => gen.generate(reqs()));
    report('prefill 4x1800', p.rows, log);
    gen.destroy();
  }

  if (only.has('train')) {
    const { T, batch, dlogprob } = trainBatch(ids);
    const pass = async (): Promise<[number, number]> => {
      let t0 = performance.now();
      await model.forward(batch);
      const f = performance.now() - t0;
      t0 = performance.now();
      model.backward(batch, dlogprob);
      await gpu.sync();
      return [f, performance.now() - t0];
    };
    await pass(); // warm-up
    const [f, b] = await pass();
    log(`training pass ${T} tokens (128 scored): forward ${f.toFixed(0)} ms, backward ${b.toFixed(0)} ms (wall)`);
    out.train_forward_ms = f;
    out.train_backward_ms = b;
    const pf = await profiled(gpu, () => model.forward(batch));
    report('training forward', pf.rows, log);
    const pb = await profiled(gpu, async () => {
      model.backward(batch, dlogprob);
      await gpu.sync();
    });
    report('training backward', pb.rows, log);
    const opt = new AdamW(gpu, model.weights.byName, { lr: 1e-3, weightDecay: 0.01 });
    await opt.update(model.grads); // warm-up
    await gpu.sync();
    const t0 = performance.now();
    await opt.update(model.grads);
    await gpu.sync();
    const o = performance.now() - t0;
    log(`optimizer update (AdamW, grad norm): ${o.toFixed(0)} ms (wall)`);
    out.optimizer_ms = o;
    const po = await profiled(gpu, async () => {
      await opt.update(model.grads);
      await gpu.sync();
    });
    report('optimizer update', po.rows, log);
    opt.destroy();
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(out, null, 2) + '\n');
  model.destroy();
  gpu.destroy();
}

/** --compare FAMILY=A,B: the same work timed with each variant in turn, alternating. */
async function compare(
  gpu: Gpu,
  model: Qwen3Model,
  spec: string,
  rounds: number,
  ids: (n: number) => number[],
  log: (s: string) => void,
  out: Record<string, unknown>,
  only?: string[],
): Promise<void> {
  const m = /^(\w+)=([\w-]+),([\w-]+)$/.exec(spec);
  if (!m || !(VARIANT_FAMILIES as string[]).includes(m[1]!)) throw new Error(`--compare FAMILY=A,B with FAMILY one of ${VARIANT_FAMILIES.join(', ')}, got '${spec}'`);
  const family = m[1] as VariantFamily;
  const variants = [m[2]!, m[3]!].map((v) => DeviceVariants.shape[family].parse(v));
  const { batch, dlogprob } = trainBatch(ids);
  const prompts4 = Array.from({ length: 4 }, () => ids(1800));
  const prompts16 = Array.from({ length: 16 }, () => ids(64));
  const prefill = new Generator(model, { slots: 4, maxTokens: 1801, seed: 3 });
  const decode4 = new Generator(model, { slots: 4, maxTokens: 128, seed: 3 });
  const decode = new Generator(model, { slots: 16, maxTokens: 128, seed: 3 });
  const wall = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    await gpu.sync();
    return performance.now() - t0;
  };
  const all: Record<string, () => Promise<unknown>> = {
    'train pass (fwd+bwd)': async () => {
      await model.forward(batch);
      model.backward(batch, dlogprob);
    },
    'prefill 4x1800': () => prefill.generate(prompts4.map((prompt, i) => ({ prompt, maxNewTokens: 1, seed: i }))),
    'decode 4 x 9 tokens': () => decode4.generate(prompts16.slice(0, 4).map((prompt, i) => ({ prompt, maxNewTokens: 9, seed: i }))),
    'decode 16 x 9 tokens': () => decode.generate(prompts16.map((prompt, i) => ({ prompt, maxNewTokens: 9, seed: i }))),
  };
  const work = Object.fromEntries(Object.entries(all).filter(([name]) => !only || only.some((w) => name.includes(w))));
  const times = new Map<string, number[]>();
  for (const v of variants) {
    setVariants(gpu, { [family]: v });
    for (const fn of Object.values(work)) await fn(); // warm-up: pipelines of both variants
  }
  log(`compare ${family}: ${variants.join(' vs ')}, ${rounds} rounds alternating (wall ms, best / median)`);
  for (let round = 0; round < rounds; round++) {
    for (const v of round % 2 ? [...variants].reverse() : variants) {
      setVariants(gpu, { [family]: v });
      for (const [name, fn] of Object.entries(work)) {
        const k = `${name}|${v}`;
        times.set(k, [...(times.get(k) ?? []), await wall(fn)]);
      }
    }
  }
  const stat = (xs: number[]): { best: number; median: number } => ({ best: Math.min(...xs), median: [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]! });
  const rows: Record<string, unknown> = {};
  for (const name of Object.keys(work)) {
    const [a, b] = variants.map((v) => stat(times.get(`${name}|${v}`)!)) as [{ best: number; median: number }, { best: number; median: number }];
    log(
      `  ${name.padEnd(22)} ${variants[0]} ${a.best.toFixed(0)} / ${a.median.toFixed(0)}   ${variants[1]} ${b.best.toFixed(0)} / ${b.median.toFixed(0)}   ` +
        `${variants[0]}/${variants[1]}: best ${(a.best / b.best).toFixed(3)}, median ${(a.median / b.median).toFixed(3)}`,
    );
    rows[name] = { [variants[0]!]: a, [variants[1]!]: b };
  }
  out.compare = { family, variants, rounds, results: rows };
  prefill.destroy();
  decode4.destroy();
  decode.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
