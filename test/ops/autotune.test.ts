// The kernel tuner (src/ops/autotune): real families checked on this device (lavapipe here, the
// GPU in the device check) with a fake timer, so no assertion depends on a timing; a variant that
// fails its check is never chosen however fast; the cache (a temporary file) is reused without
// timing, a corrupt one is ignored with a warning naming it and rewritten, --retune ignores it, and
// its key separates adapters. The cache tests run fake families on a stand-in device object.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getGpu, type Gpu } from '../../src/gpu/gpu.js';
import { resetVariants, setVariants, variantFor, variantSources, type VariantFamily } from '../../src/gpu/variants.js';
import { KernelCache, kernelCacheFile, type DeviceIdentity } from '../../src/ops/autotune/cache.js';
import { compareOutputs, seeded, TUNE_FAMILIES, type TuneFamily } from '../../src/ops/autotune/families.js';
import { autotuneEnabled, prepareKernels, shapeClass, tuneDims, tuneKernels, type TuneDims, type TuneTimer } from '../../src/ops/autotune/tuner.js';

const root = mkdtempSync(join(tmpdir(), 'autotune-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let files = 0;
const newCacheFile = (): string => join(root, `c${files++}`, 'kernel-choices.json');

/** The tiny model's dimensions at few tokens: every family's shapes stay small. */
const TINY: TuneDims = { hidden: 64, intermediate: 128, heads: 4, kvHeads: 2, headDim: 16, vocab: 4096, tokens: 128 };

/** A timer that runs the variant once and answers `ms[variant]` (default 10), recording calls. */
function fakeTimer(ms: Record<string, number>, calls: string[] = []): TuneTimer {
  return async (w, run) => {
    run();
    calls.push(`${w.family}/${w.variant}`);
    return ms[w.variant] ?? 10;
  };
}

/** A family of host-only trials: `broken` variants return a wrong output. */
function fakeFamily(family: VariantFamily, reference: string, others: string[], broken: string[] = []): TuneFamily {
  return {
    family,
    reference,
    candidates: async () => [reference, ...others].map((variant) => ({ variant })),
    shapes: () => [
      {
        label: 'fake 3',
        setup: () => ({
          run: () => undefined,
          outputs: async (v: string) => [Float32Array.from([1, 2, broken.includes(v) ? 4 : 3])],
          compare: (ref: Float32Array[], got: Float32Array[]) => compareOutputs([{ name: 'out', ofMax: 1e-3, rel: 0 }], ref, got),
          dispose: () => undefined,
        }),
      },
    ],
  };
}

/** A device stand-in for the cache tests: what tuneKernels asks of a Gpu besides the families. */
function fakeGpu(): Gpu {
  return { isCpu: true, describe: () => 'fake adapter', sync: async () => undefined, scratch: { trim: () => undefined, resetPeak: () => undefined } } as unknown as Gpu;
}

const ADAPTER_A: DeviceIdentity = { vendor: 'acme', architecture: 'x', device: 'a1', description: 'Acme A1', driver: 'acme 1.0' };
const ADAPTER_B: DeviceIdentity = { ...ADAPTER_A, device: 'b2', description: 'Acme B2' };
const FAKES = [fakeFamily('attention', 'v1', ['cpu']), fakeFamily('optimizer', 'portable', ['cpu'])];

describe('kernel tuner on this device (fake timer)', () => {
  it('every real variant passes its check against the portable one; the timer decides among them', async () => {
    const gpu = await getGpu();
    try {
      await realFamilies(gpu);
    } finally {
      resetVariants(gpu); // the device check runs every test file on this one device
    }
  });

  async function realFamilies(gpu: Gpu): Promise<void> {
    const calls: string[] = [];
    const lines: string[] = [];
    // The non-reference variants "fastest" (subgroup-matrix fastest of all where it runs).
    const r = await tuneKernels(gpu, { dims: TINY, cacheFile: newCacheFile(), timer: fakeTimer({ cpu: 2, 'subgroup-matrix': 1 }, calls), log: (l) => lines.push(l) });
    console.log(lines.join('\n'));
    expect(r.source).toBe('tuned');
    expect(lines.join('\n')).not.toContain('failed');
    expect(lines.join('\n')).not.toContain('warning');
    for (const fam of TUNE_FAMILIES) {
      const res = r.families[fam.family]!;
      const ran = Object.keys(res.ms);
      expect(ran).toContain(fam.reference);
      // Whatever ran besides the reference passed its check and, being "faster", was chosen.
      if (ran.length > 1) expect(res.choice).not.toBe(fam.reference);
      expect(variantFor(gpu, fam.family)).toBe(res.choice);
      expect(variantSources(gpu)[fam.family]).toBe('tuned');
    }
    if (gpu.isCpu) expect(r.variants).toEqual({ gemm: 'cpu', attention: 'cpu', lmHead: 'cpu', optimizer: 'cpu', memory: 'cpu', sample: 'cpu' });
    expect(calls.length).toBe(r.timed);
    expect(r.timed).toBeGreaterThan(0);
  }

  it('a variant that fails its check is never chosen, however fast', async () => {
    const gpu = await getGpu();
    try {
      await brokenVariants(gpu);
    } finally {
      resetVariants(gpu);
    }
  });

  async function brokenVariants(gpu: Gpu): Promise<void> {
    const real = TUNE_FAMILIES.find((f) => f.family === 'gemm')!;
    // The real GEMMs, with the CPU-shaped kernel's results corrupted after it runs.
    const broken: TuneFamily = {
      ...real,
      shapes: (g, d) =>
        real.shapes(g, d).slice(0, 1).map((s) => ({
          label: s.label,
          setup: () => {
            const t = s.setup();
            return {
              ...t,
              outputs: async (v: string) => {
                const o = await t.outputs(v);
                if (v === 'cpu') o[0]![5] += 1;
                return o;
              },
            };
          },
        })),
    };
    // And a variant whose run throws.
    const throwing = fakeFamily('optimizer', 'portable', ['cpu']);
    const throwingShapes = throwing.shapes;
    throwing.shapes = (g, d) => throwingShapes(g, d).map((s) => ({ ...s, setup: () => ({ ...s.setup(), outputs: async (v: string) => (v === 'cpu' ? Promise.reject(new Error('device said no')) : [Float32Array.from([1])]) }) }));
    const calls: string[] = [];
    const lines: string[] = [];
    const r = await tuneKernels(gpu, { dims: TINY, cacheFile: newCacheFile(), families: [broken, throwing], timer: fakeTimer({ cpu: 0.001, portable: 100 }, calls), log: (l) => lines.push(l) });
    expect(r.families.gemm!.choice).not.toBe('cpu');
    expect(r.families.gemm!.notes.cpu).toMatch(/^failed its check against portable at mlp up/);
    expect(r.families.optimizer!.choice).toBe('portable');
    expect(r.families.optimizer!.notes.cpu).toContain('device said no');
    expect(calls).not.toContain('gemm/cpu'); // never timed
    expect(variantFor(gpu, 'optimizer')).toBe('portable');
    expect(lines.join('\n')).toContain('cpu failed its check');
  }
});

describe('kernel tuner cache', () => {
  it('is reused: a second run times nothing and chooses the same', async () => {
    const file = newCacheFile();
    const calls: string[] = [];
    const first = await tuneKernels(fakeGpu(), { dims: TINY, cacheFile: file, families: FAKES, identity: ADAPTER_A, timer: fakeTimer({ cpu: 1 }, calls), log: () => undefined });
    expect(first.source).toBe('tuned');
    expect(calls).toEqual(['attention/v1', 'attention/cpu', 'optimizer/portable', 'optimizer/cpu']);
    const cache = KernelCache.parse(JSON.parse(readFileSync(file, 'utf8')));
    const entry = cache.entries[first.key]!;
    expect(entry.shapeClass).toBe(shapeClass(TINY));
    expect(entry.families.attention).toEqual({ choice: 'cpu', ms: { v1: 10, cpu: 1 }, shapes: { 'fake 3': { v1: 10, cpu: 1 } }, notes: {} });

    const gpu2 = fakeGpu();
    const again: string[] = [];
    const lines: string[] = [];
    const second = await tuneKernels(gpu2, { dims: TINY, cacheFile: file, families: FAKES, identity: ADAPTER_A, timer: fakeTimer({ v1: 1, portable: 1 }, again), log: (l) => lines.push(l) });
    expect(second.source).toBe('cache');
    expect(again).toEqual([]);
    expect(second.timed).toBe(0);
    expect(variantFor(gpu2, 'attention')).toBe('cpu');
    expect(variantFor(gpu2, 'optimizer')).toBe('cpu');
    expect(lines[0]).toContain(`kernel variants from ${file}`);
    expect(lines.join('\n')).toContain('attention: cpu (cached; cpu 1.00 ms, v1 10.0 ms)');
  });

  it('--retune ignores the cache and replaces the entry', async () => {
    const file = newCacheFile();
    await tuneKernels(fakeGpu(), { dims: TINY, cacheFile: file, families: FAKES, identity: ADAPTER_A, timer: fakeTimer({ cpu: 1 }), log: () => undefined });
    const calls: string[] = [];
    const lines: string[] = [];
    const gpu = fakeGpu();
    const r = await tuneKernels(gpu, { dims: TINY, cacheFile: file, families: FAKES, identity: ADAPTER_A, retune: true, timer: fakeTimer({ cpu: 50 }, calls), log: (l) => lines.push(l) });
    expect(r.source).toBe('tuned');
    expect(calls.length).toBe(4);
    expect(lines[0]).toContain('--retune');
    expect(variantFor(gpu, 'attention')).toBe('v1');
    const cache = KernelCache.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(Object.keys(cache.entries)).toHaveLength(1);
    expect(cache.entries[r.key]!.families.attention!.choice).toBe('v1');
  });

  it('a corrupt file is ignored with a warning naming it, then rewritten', async () => {
    for (const junk of ['{"version": 1, "entries": {', JSON.stringify({ version: 1, entries: { k: { adapter: 'x' } } }), JSON.stringify({ version: 7, entries: {} })]) {
      const file = newCacheFile();
      await tuneKernels(fakeGpu(), { dims: TINY, cacheFile: file, families: FAKES, identity: ADAPTER_A, timer: fakeTimer({}), log: () => undefined }); // makes the directory
      writeFileSync(file, junk);
      const calls: string[] = [];
      const lines: string[] = [];
      const r = await tuneKernels(fakeGpu(), { dims: TINY, cacheFile: file, families: FAKES, identity: ADAPTER_A, timer: fakeTimer({ cpu: 1 }, calls), log: (l) => lines.push(l) });
      expect(lines[0]).toMatch(/^warning: ignoring the kernel-choice cache /);
      expect(lines[0]).toContain(file);
      expect(r.source).toBe('tuned');
      expect(calls.length).toBe(4);
      const cache = KernelCache.parse(JSON.parse(readFileSync(file, 'utf8')));
      expect(cache.entries[r.key]!.families.optimizer!.choice).toBe('cpu');
    }
  });

  it('its key separates adapters (and shape classes)', async () => {
    const file = newCacheFile();
    const run = async (identity: DeviceIdentity, dims: TuneDims, ms: Record<string, number>) => {
      const calls: string[] = [];
      const gpu = fakeGpu();
      const r = await tuneKernels(gpu, { dims, cacheFile: file, families: FAKES, identity, timer: fakeTimer(ms, calls), log: () => undefined });
      return { r, calls, attention: variantFor(gpu, 'attention') };
    };
    const a = await run(ADAPTER_A, TINY, { cpu: 1 });
    const b = await run(ADAPTER_B, TINY, { cpu: 100 });
    expect(b.calls.length).toBe(4); // A's entry is not B's
    expect([a.attention, b.attention]).toEqual(['cpu', 'v1']);
    const driver = await run({ ...ADAPTER_A, driver: 'acme 2.0' }, TINY, {});
    expect(driver.calls.length).toBe(4);
    const shapes = await run(ADAPTER_A, { ...TINY, tokens: 256 }, {});
    expect(shapes.calls.length).toBe(4);
    const again = await run(ADAPTER_A, TINY, { cpu: 100 });
    expect(again.calls).toEqual([]);
    expect(again.attention).toBe('cpu');
    const cache = KernelCache.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(Object.keys(cache.entries)).toHaveLength(4);
    expect(a.r.key).toContain('Acme A1');
    expect(b.r.key).toContain('Acme B2');
  });

  it("leaves overridden families alone (the config's kernels.variants)", async () => {
    const gpu = fakeGpu();
    setVariants(gpu, { attention: 'v1' });
    const calls: string[] = [];
    const r = await tuneKernels(gpu, { dims: TINY, cacheFile: newCacheFile(), families: FAKES, identity: ADAPTER_A, timer: fakeTimer({ cpu: 1 }, calls), log: () => undefined });
    expect(calls).toEqual(['optimizer/portable', 'optimizer/cpu']);
    expect(r.families.attention).toBe(undefined);
    expect(variantFor(gpu, 'attention')).toBe('v1');
    expect(variantSources(gpu)).toEqual({ gemm: 'default', attention: 'override', lmHead: 'default', optimizer: 'tuned', memory: 'default', sample: 'default' });
  });
});

describe('kernel tuner settings', () => {
  it('is on unless the config or RLVR_AUTOTUNE turns it off', () => {
    expect(autotuneEnabled(undefined, {}).on).toBe(true);
    expect(autotuneEnabled(true, {}).on).toBe(true);
    expect(autotuneEnabled(false, {})).toEqual({ on: false, why: 'kernels.autotune false' });
    expect(autotuneEnabled(true, { RLVR_AUTOTUNE: '0' })).toEqual({ on: false, why: 'RLVR_AUTOTUNE=0' });
    expect(autotuneEnabled(true, { RLVR_AUTOTUNE: '1' }).on).toBe(true);
  });

  it('prepareKernels with autotune off names the variants in use and tunes nothing', async () => {
    const lines: string[] = [];
    const r = await prepareKernels(fakeGpu(), { autotune: false, log: (l) => lines.push(l) });
    expect(r).toBe(null);
    expect(lines).toHaveLength(1);
    // RLVR_AUTOTUNE=0 (the test suite's setting) is named first when set.
    expect(lines[0]).toMatch(/^kernel variants: gemm cpu \(default\), attention cpu \(default\), lmHead cpu \(default\), optimizer cpu \(default\), memory cpu \(default\), sample cpu \(default\) \(autotune off: (kernels\.autotune false|RLVR_AUTOTUNE=0)\)$/);
  });

  it('prepareKernels tunes once per device and shape class, reading the model only when tuning', async () => {
    const gpu = fakeGpu();
    const file = newCacheFile();
    let reads = 0;
    const model = async () => {
      reads++;
      return { hidden_size: 64, intermediate_size: 128, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 16, vocab_size: 4096 };
    };
    const off = await prepareKernels(gpu, { autotune: false, model, log: () => undefined });
    expect(off).toBe(null);
    expect(reads).toBe(0);
    const saved = process.env.RLVR_AUTOTUNE;
    process.env.RLVR_AUTOTUNE = '1';
    try {
      const calls: string[] = [];
      const o = { model, cacheFile: file, log: () => undefined, inject: { families: FAKES, identity: ADAPTER_A, timer: fakeTimer({ cpu: 1 }, calls) } };
      const [a, b] = await Promise.all([prepareKernels(gpu, o), prepareKernels(gpu, { ...o, retune: true })]);
      expect(a).toBe(b); // the second waited for the first
      expect(calls.length).toBe(4);
      expect(reads).toBe(2);
      expect(variantFor(gpu, 'attention')).toBe('cpu');
    } finally {
      if (saved === undefined) delete process.env.RLVR_AUTOTUNE;
      else process.env.RLVR_AUTOTUNE = saved;
    }
  });

  it('caches under $XDG_CACHE_HOME or ~/.cache', () => {
    expect(kernelCacheFile({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/rlvr-ts/kernel-choices.json');
    expect(kernelCacheFile({})).toBe(join(homedir(), '.cache', 'rlvr-ts', 'kernel-choices.json'));
    expect(kernelCacheFile({ XDG_CACHE_HOME: 'relative' })).toBe(join(homedir(), '.cache', 'rlvr-ts', 'kernel-choices.json'));
    expect(kernelCacheFile({ RLVR_KERNEL_CACHE: '/y/k.json', XDG_CACHE_HOME: '/x' })).toBe('/y/k.json');
  });

  it('derives its shapes from the model, capping the tokens', () => {
    const cpu = { isCpu: true }, gpu = { isCpu: false };
    const m = { hidden_size: 5120, intermediate_size: 17408, num_attention_heads: 40, num_key_value_heads: 8, head_dim: 128, vocab_size: 151936 };
    expect(tuneDims(gpu, m, 8192)).toEqual({ hidden: 5120, intermediate: 17408, heads: 40, kvHeads: 8, headDim: 128, vocab: 151936, tokens: 4096 });
    expect(tuneDims(gpu, m, 1001).tokens).toBe(1000);
    expect(tuneDims(cpu, null).hidden).toBe(64); // no model: the tiny one on a CPU adapter
    expect(tuneDims(cpu, null).tokens).toBe(2048);
  });

  it('fills seeded inputs by repeating a prime-length block', () => {
    const x = seeded(200_000, 3);
    expect(x[65521 + 17]).toBe(x[17]);
    expect(x[199_999]).toBe(x[199_999 % 65521]);
    expect(x[1]).not.toBe(x[0]);
  });
});
