// Kernels that tune themselves (src/gpu/variants.ts says where the choice is used). On a device's
// first use, every op family with more than one variant that can run there (families.ts) is
// checked against its portable variant on seeded inputs at representative shapes of the model (a
// variant that fails its check is never chosen) and timed there (GPU timestamps, the best of a few
// repeats); the fastest correct variant is used and the choice cached per adapter, driver, kernel
// sources and shape class (cache.ts), so a later run on the same device only reads it. `retune`
// ignores the cache. Families the run overrides (the config's kernels.variants) are not timed.
// The entry points (train, eval, serve, bench) call prepareKernels, which honours the config's
// kernels.autotune and RLVR_AUTOTUNE=0 (set by the test suite: tests never depend on timings).
import type { Gpu } from '../../gpu/gpu.js';
import { DeviceVariants, describeVariants, overridesOf, setTunedVariants, variantsOf, type VariantFamily } from '../../gpu/variants.js';
import { cacheKey, deviceIdentity, kernelCacheFile, kernelSourcesHash, readKernelCache, writeKernelCache, type CacheEntry, type DeviceIdentity, type FamilyResult, type FamilyResults } from './cache.js';
import { TUNE_FAMILIES, type TuneDims, type TuneFamily } from './families.js';

export type { TuneDims, TuneFamily, TuneTrial, TuneShape, TuneCandidate } from './families.js';
export { kernelCacheFile } from './cache.js';

/** A model's dimensions as its config.json spells them (a Qwen3Config fits). */
export interface ModelDims {
  hidden_size: number;
  intermediate_size: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  head_dim: number;
  vocab_size: number;
}

/** Shapes when no model is named: on a CPU adapter the tiny model of configs/tiny-cpu.json, else
 *  Qwen3-14B (src/model/config.ts QWEN3_14B). */
const DEFAULT_CPU: ModelDims = { hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, vocab_size: 151936 };
const DEFAULT_GPU: ModelDims = { hidden_size: 5120, intermediate_size: 17408, num_attention_heads: 40, num_key_value_heads: 8, head_dim: 128, vocab_size: 151936 };

/** Tokens per tuned pass at most (GEMM rows, attention's two sequences): the speed order of the
 *  variants is settled well below a full micro-batch, and tuning stays a few seconds. */
const MAX_TOKENS = { cpu: 2048, gpu: 4096 };

/** The shapes tuned for `model` (default above) with `tokens` per pass (default and cap: MAX_TOKENS). */
export function tuneDims(gpu: Pick<Gpu, 'isCpu'>, model?: ModelDims | null, tokens?: number): TuneDims {
  const m = model ?? (gpu.isCpu ? DEFAULT_CPU : DEFAULT_GPU);
  const cap = gpu.isCpu ? MAX_TOKENS.cpu : MAX_TOKENS.gpu;
  const T = Math.max(16, 2 * Math.floor(Math.min(tokens ?? cap, cap) / 2));
  return { hidden: m.hidden_size, intermediate: m.intermediate_size, heads: m.num_attention_heads, kvHeads: m.num_key_value_heads, headDim: m.head_dim, vocab: m.vocab_size, tokens: T };
}

/** The cache's shape class: everything the tuned shapes are derived from. */
export function shapeClass(d: TuneDims): string {
  return `hidden ${d.hidden} inter ${d.intermediate} heads ${d.heads}/${d.kvHeads}x${d.headDim} vocab ${d.vocab} tokens ${d.tokens}`;
}

/** Times one variant at one shape: `run` records one iteration; returns ms. */
export type TuneTimer = (what: { family: VariantFamily; variant: string; shape: string }, run: () => void) => Promise<number>;

/** GPU time (timestamp queries; wall time where the device has none) of one iteration: a warm-up
 *  (pipeline compiles, first touch), one timed run, then two rounds of as many runs as fit in
 *  `budgetMs` (1 to 16); the best per-run time of the three (a busy CPU, lavapipe's case, slows
 *  single runs by 2x and more). */
export function gpuTimer(gpu: Gpu, budgetMs = 40): TuneTimer {
  return async (_what, run) => {
    run();
    await gpu.sync();
    let best = await gpu.timeGpu(run);
    const reps = Math.max(1, Math.min(16, Math.floor(budgetMs / Math.max(best, 0.01))));
    for (let round = 0; round < 2; round++) {
      const ms = await gpu.timeGpu(() => {
        for (let i = 0; i < reps; i++) run();
      });
      best = Math.min(best, ms / reps);
    }
    return best;
  };
}

export interface TuneRequest {
  /** The shapes (tuneDims). */
  dims: TuneDims;
  /** Ignore the cache: check and time every family again (the result replaces the entry). */
  retune?: boolean;
  /** Default: kernelCacheFile(). */
  cacheFile?: string;
  log?: (line: string) => void;
  /** Default: gpuTimer(gpu). Tests inject a fake one. */
  timer?: TuneTimer;
  /** Default: TUNE_FAMILIES. Tests inject fakes (a broken variant). */
  families?: readonly TuneFamily[];
  /** Default: deviceIdentity(gpu). Tests pretend to be another adapter. */
  identity?: DeviceIdentity;
  /** Default: kernelSourcesHash(). */
  kernels?: string;
}

export interface TuneOutcome {
  /** 'cache': every family's choice came from the file; 'tuned': at least one was timed now;
   *  'none': no family left to tune (all overridden). */
  source: 'cache' | 'tuned' | 'none';
  /** This device's variants now (overrides included). */
  variants: DeviceVariants;
  /** The tuned families' results (from the cache or new). */
  families: FamilyResults;
  file: string;
  key: string;
  /** Timer calls made (0 on a cache hit). */
  timed: number;
  ms: number;
}

const fmt = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** One log line per family: the choice, each variant's total and per-shape times, and what was
 *  not timed and why. */
export function describeFamily(family: string, r: FamilyResult, how: string): string {
  const byTime = Object.entries(r.ms).sort(([, a], [, b]) => a - b);
  const totals = byTime.length ? byTime.map(([v, ms]) => `${v} ${fmt(ms)} ms`).join(', ') : 'nothing to compare';
  const shapes = Object.entries(r.shapes).map(([label, t]) => `${label}: ${Object.entries(t).map(([v, ms]) => `${v} ${fmt(ms)}`).join(' / ')}`);
  const notes = Object.entries(r.notes).map(([v, why]) => `${v} ${why}`);
  return `  ${family}: ${r.choice} (${how}; ${totals}${shapes.length > 1 ? `; ${shapes.join('; ')}` : ''})${notes.length ? `; ${notes.join('; ')}` : ''}`;
}

function message(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);
}

/** Checks and times one family's variants; null when its reference cannot run (the fixed rule
 *  stays in use). */
async function tuneFamily(gpu: Gpu, fam: TuneFamily, dims: TuneDims, timer: TuneTimer, log: (l: string) => void, count: () => void): Promise<FamilyResult | null> {
  const notes: Record<string, string> = {};
  const cands = await fam.candidates(gpu, dims);
  for (const c of cands) if (c.unavailable) notes[c.variant] = `not run: ${c.unavailable}`;
  let live = cands.filter((c) => !c.unavailable).map((c) => c.variant);
  if (!live.includes(fam.reference)) live = [fam.reference, ...live];
  const ms: Record<string, number> = {};
  const shapes: Record<string, Record<string, number>> = {};
  if (live.length > 1) {
    for (const shape of fam.shapes(gpu, dims)) {
      let trial;
      try {
        trial = shape.setup();
      } catch (e) {
        log(`  warning: ${fam.family}: ${shape.label}: ${message(e)}; the family keeps its default`);
        return null;
      }
      try {
        let ref: Float32Array[];
        try {
          ref = await trial.outputs(fam.reference);
        } catch (e) {
          log(`  warning: ${fam.family}: the reference ${fam.reference} failed at ${shape.label}: ${message(e)}; the family keeps its default`);
          return null;
        }
        const times: Record<string, number> = {};
        for (const v of [...live]) {
          try {
            if (v !== fam.reference) {
              const cmp = trial.compare(ref, await trial.outputs(v));
              if (!cmp.ok) {
                notes[v] = `failed its check against ${fam.reference} at ${shape.label}: ${cmp.detail}`;
                live = live.filter((x) => x !== v);
                continue;
              }
            }
            count();
            times[v] = await timer({ family: fam.family, variant: v, shape: shape.label }, () => trial.run(v));
          } catch (e) {
            if (v === fam.reference) {
              log(`  warning: ${fam.family}: the reference ${fam.reference} failed at ${shape.label}: ${message(e)}; the family keeps its default`);
              return null;
            }
            notes[v] = `failed at ${shape.label}: ${message(e)}`;
            live = live.filter((x) => x !== v);
          }
        }
        shapes[shape.label] = times;
      } finally {
        await gpu.sync().catch(() => undefined);
        trial.dispose();
      }
    }
    for (const v of live) ms[v] = Object.values(shapes).reduce((a, t) => a + (t[v] ?? 0), 0);
  }
  const choice = live.reduce((best, v) => ((ms[v] ?? Infinity) < (ms[best] ?? Infinity) ? v : best), fam.reference);
  return { choice, ms, shapes, notes } as FamilyResult;
}

/** The tuner: cached choices where the cache has them (unless `retune`), else checks and times;
 *  applies the result to the device (setTunedVariants) and writes the cache. */
export async function tuneKernels(gpu: Gpu, req: TuneRequest): Promise<TuneOutcome> {
  const t0 = performance.now();
  const log = req.log ?? ((l: string) => console.log(l));
  const file = req.cacheFile ?? kernelCacheFile();
  const id = req.identity ?? deviceIdentity(gpu);
  const cls = shapeClass(req.dims);
  const key = cacheKey(id, req.kernels ?? kernelSourcesHash(), cls);
  const overridden = overridesOf(gpu);
  const families = (req.families ?? TUNE_FAMILIES).filter((f) => !(f.family in overridden));
  const outcome = (source: TuneOutcome['source'], results: FamilyResults, timed: number): TuneOutcome => ({
    source, variants: { ...variantsOf(gpu) }, families: results, file, key, timed, ms: performance.now() - t0,
  });
  if (families.length === 0) {
    log(`kernel variants: ${describeVariants(gpu)} (every family overridden: nothing to tune)`);
    return outcome('none', {}, 0);
  }

  const read = await readKernelCache(file);
  if (read.problem) log(`warning: ignoring the kernel-choice cache ${file}: ${read.problem} (rewritten after tuning)`);
  const prev = read.cache.entries[key];
  const results: FamilyResults = {};
  const todo: TuneFamily[] = [];
  for (const f of families) {
    const r = !req.retune ? prev?.families[f.family] : undefined;
    if (r) (results as Record<string, FamilyResult>)[f.family] = r;
    else todo.push(f);
  }
  const apply = (): void => {
    const choices = Object.fromEntries(Object.entries(results).map(([f, r]) => [f, (r as FamilyResult).choice]));
    setTunedVariants(gpu, DeviceVariants.partial().parse(choices));
  };

  if (todo.length === 0) {
    apply();
    log(`kernel variants from ${file} (tuned ${prev!.tunedAt} on ${gpu.describe()}, ${cls}):`);
    for (const f of families) log(describeFamily(f.family, results[f.family]!, 'cached'));
    log(`kernel variants: ${describeVariants(gpu)}`);
    return outcome('cache', results, 0);
  }

  log(`kernel tuner on ${gpu.describe()} (${id.driver}), ${cls}${req.retune ? ', --retune' : ''}: ${todo.map((f) => f.family).join(', ')}`);
  const timer = req.timer ?? gpuTimer(gpu);
  let timed = 0;
  for (const f of families) if (!todo.includes(f)) log(describeFamily(f.family, results[f.family]!, 'cached'));
  for (const f of todo) {
    const tf = performance.now();
    const r = await tuneFamily(gpu, f, req.dims, timer, log, () => timed++);
    if (!r) continue;
    (results as Record<string, FamilyResult>)[f.family] = r;
    apply(); // later families (the lm_head's GEMMs) run on this choice
    const how = Object.keys(r.ms).length > 1 ? `fastest correct, ${((performance.now() - tf) / 1000).toFixed(1)} s to tune` : 'the only one that runs here';
    log(describeFamily(f.family, r, how));
  }
  // Tuning buffers out of the arena, so its peak and bytes are the run's own.
  gpu.scratch.trim();
  gpu.scratch.resetPeak();

  const entry: CacheEntry = {
    adapter: { vendor: id.vendor, architecture: id.architecture, device: id.device, description: id.description },
    driver: id.driver,
    kernels: req.kernels ?? kernelSourcesHash(),
    shapeClass: cls,
    tunedAt: new Date().toISOString(),
    families: { ...(req.retune ? {} : prev?.families), ...results },
  };
  let saved = `saved to ${file}`;
  try {
    // Read again just before writing: another process (a rank on another device) may have added
    // its entry meanwhile.
    const now = await readKernelCache(file);
    await writeKernelCache(file, { version: 1, entries: { ...now.cache.entries, [key]: entry } });
  } catch (e) {
    saved = `not saved (${message(e)})`;
    log(`warning: kernel-choice cache ${file}: ${message(e)}`);
  }
  const out = outcome('tuned', results, timed);
  log(`kernel variants: ${describeVariants(gpu)} (tuned in ${(out.ms / 1000).toFixed(1)} s, ${saved})`);
  return out;
}

/** Whether tuning runs: the config's kernels.autotune (default true), unless RLVR_AUTOTUNE is 0 /
 *  false / off (the test suite sets it: no test depends on timings). */
export function autotuneEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): { on: boolean; why: string } {
  const e = env.RLVR_AUTOTUNE?.trim().toLowerCase();
  if (e === '0' || e === 'false' || e === 'off') return { on: false, why: `RLVR_AUTOTUNE=${env.RLVR_AUTOTUNE}` };
  if (flag === false) return { on: false, why: 'kernels.autotune false' };
  return { on: true, why: '' };
}

export interface PrepareOptions {
  /** The config's kernels.autotune (default true). */
  autotune?: boolean;
  /** --retune. */
  retune?: boolean;
  /** The model's dimensions (default: tuneDims's), or how to read them (only called when tuning). */
  model?: ModelDims | null | (() => Promise<ModelDims>);
  /** Tokens per training pass or prefill (default and cap: tuneDims's). */
  tokens?: number;
  log?: (line: string) => void;
  cacheFile?: string;
  /** Tests: a fake timer, families, adapter. */
  inject?: Pick<TuneRequest, 'timer' | 'families' | 'identity'>;
}

const prepared = new WeakMap<Gpu, Map<string, Promise<TuneOutcome | null>>>();

/** The entry points' call, once per device and shape class (later calls wait for the first):
 *  tuneKernels where autotune is on, else a log line naming the variants in use (the fixed rule
 *  and any override). Call it after the config's kernels.variants are applied (setVariants). */
export async function prepareKernels(gpu: Gpu, o: PrepareOptions = {}): Promise<TuneOutcome | null> {
  const log = o.log ?? ((l: string) => console.log(l));
  const on = autotuneEnabled(o.autotune);
  if (!on.on) {
    log(`kernel variants: ${describeVariants(gpu)} (autotune off: ${on.why})`);
    return null;
  }
  const dims = tuneDims(gpu, typeof o.model === 'function' ? await o.model() : o.model, o.tokens);
  const k = `${shapeClass(dims)} | ${o.cacheFile ?? kernelCacheFile()}`;
  let byKey = prepared.get(gpu);
  if (!byKey) prepared.set(gpu, (byKey = new Map()));
  let p = byKey.get(k);
  if (!p) byKey.set(k, (p = tuneKernels(gpu, { ...o.inject, dims, retune: o.retune, cacheFile: o.cacheFile, log })));
  return await p;
}
