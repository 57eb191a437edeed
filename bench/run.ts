// `npm run bench -- [names...] [--json FILE] [--scale full|small] [--reps N] [--skip NAME]` (`--help`)
// Times every case in bench/cases/*.ts with GPU timestamps and reports time, TFLOP/s or GB/s, and
// the fraction of two ceilings measured in the same run on the same device: the copy bandwidth
// (copy.ceiling) and the best GEMM throughput among the gemm cases. On a software adapter the
// default scale is 'small' (reduced shapes); names filter cases by substring of name or group.
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getGpu, type Gpu } from '../src/gpu/gpu.js';
import { intOption, KERNEL_OPTIONS, parseCli, usage, type CliSpec } from '../src/cli/args.js';
import { variantSources, variantsOf, type DeviceVariants, type VariantSource } from '../src/gpu/variants.js';
import type { FamilyResults } from '../src/ops/autotune/cache.js';
import { prepareKernels } from '../src/ops/autotune/tuner.js';
import { BenchUnavailable, type BenchCase, type BenchScale } from './types.js';

export interface BenchResult {
  name: string;
  group: string;
  shape: string;
  ms: number;
  tflops?: number;
  gbs?: number;
  fracOfCopy?: number;
  fracOfBestGemm?: number;
  /** Host cases: fraction of host.ceiling's GB/s (file write + read in the exchange directory). */
  fracOfHost?: number;
  error?: string;
  skipped?: string;
  /** Timed by the wall clock (host-side work), not GPU timestamps. */
  host?: boolean;
  torch?: { op: string; args: Record<string, number | string> };
}

export interface BenchReport {
  device: { adapter: string; software: boolean; features: Record<string, boolean> };
  date: string;
  scale: BenchScale;
  reps: number;
  ceilings: { copyGBs?: number; bestGemmTFLOPs?: number; hostGBs?: number };
  /** The kernel variants 'auto' ran (the tuner's choice, src/ops/autotune, or the fixed rule with
   *  autotune off), where each came from, and the tuner's times per variant. */
  kernels: { variants: DeviceVariants; sources: Record<string, VariantSource>; tuned: FamilyResults | null; cache: string | null };
  results: BenchResult[];
}

interface Args {
  names: string[];
  /** Cases whose name contains any of these are left out (--skip, repeatable). */
  skip?: string[];
  json?: string;
  scale?: BenchScale;
  reps?: number;
  /** Time the kernel variants again (--retune). */
  retune?: boolean;
}

const SPEC = {
  command: 'npm run bench --',
  positionals: '[names...]',
  summary:
    'Times every case in bench/cases/*.ts (GPU timestamps; host cases by the wall clock) and reports time,\n' +
    'TFLOP/s or GB/s and the fraction of two ceilings measured in the same run: the copy bandwidth and the best\n' +
    'GEMM. Names keep the cases whose name contains one of them or whose group is one; the ceilings always run.',
  options: {
    json: { type: 'string', value: 'FILE', help: 'also write the results as JSON (rewritten after every case)' },
    scale: { type: 'string', value: 'full|small', help: 'problem sizes (default: small on a software adapter, full otherwise)' },
    reps: { type: 'string', value: 'N', help: 'timed repetitions per case (default: 2 at small scale, 10 at full)' },
    skip: { type: 'string', value: 'NAME', multiple: true, help: 'leave out the cases whose name contains NAME (repeatable)' },
    ...KERNEL_OPTIONS,
  },
} satisfies CliSpec;

function parseBenchArgs(argv: string[]): Args | null {
  const parsed = parseCli(SPEC, argv);
  if (parsed.help) return null;
  const v = parsed.values;
  if (v.scale !== undefined && v.scale !== 'full' && v.scale !== 'small') throw new Error(`--scale must be full or small, got '${v.scale}'`);
  return { names: parsed.positionals, skip: v.skip, json: v.json, scale: v.scale as BenchScale | undefined, reps: intOption('reps', v.reps, 1), retune: v.retune };
}

export async function loadCases(): Promise<BenchCase[]> {
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'cases');
  const files = readdirSync(dir).filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const all: BenchCase[] = [];
  for (const f of files) {
    const mod = (await import(pathToFileURL(join(dir, f)).href)) as { cases?: BenchCase[] };
    if (!Array.isArray(mod.cases)) throw new Error(`bench/cases/${f} exports no 'cases' array`);
    all.push(...mod.cases);
  }
  return all;
}

async function timeCase(gpu: Gpu, c: BenchCase, scale: BenchScale, reps: number): Promise<BenchResult> {
  const inst = await c.setup(gpu, scale);
  try {
    let ms: number;
    if (inst.host) {
      await inst.host(); // warm-up
      const t0 = performance.now();
      for (let r = 0; r < reps; r++) await inst.host();
      ms = (performance.now() - t0) / reps;
    } else {
      const run = inst.run;
      if (!run) throw new Error(`bench case ${c.name} has neither run nor host`);
      run(); // warm-up: pipeline compilation, first-touch
      await gpu.sync();
      ms = (await gpu.timeGpu(() => {
        for (let r = 0; r < reps; r++) run();
      })) / reps;
    }
    const r: BenchResult = { name: c.name, group: c.group, shape: inst.shape, ms, torch: inst.torch, ...(inst.host ? { host: true } : {}) };
    if (inst.flops) r.tflops = inst.flops / (ms * 1e-3) / 1e12;
    if (inst.bytes) r.gbs = inst.bytes / (ms * 1e-3) / 1e9;
    return r;
  } finally {
    inst.dispose();
    await gpu.sync().catch(() => undefined);
  }
}

export async function runBench(args: Args, log: (s: string) => void = console.log, onResult?: (partial: BenchReport) => void): Promise<BenchReport> {
  const gpu = await getGpu();
  const scale: BenchScale = args.scale ?? (gpu.isSoftware ? 'small' : 'full');
  const reps = args.reps ?? (scale === 'small' ? 2 : 10);
  const all = await loadCases();
  const wanted = all.filter((c) => (args.names.length === 0 || args.names.some((n) => c.name.includes(n) || c.group === n)) && !(args.skip ?? []).some((s) => c.name.includes(s)));
  if (wanted.length === 0) throw new Error(`no bench case matches ${args.names.join(' ')}; cases: ${all.map((c) => c.name).join(', ')}`);
  // The ceilings run first, always: every fraction below is against this run's own numbers.
  const ceilingCases = all.filter((c) => c.group === 'ceiling' && !wanted.includes(c));
  log(`bench on ${gpu.describe()} (${scale} shapes, ${reps} reps, ${gpu.features.timestamps ? 'GPU timestamps' : 'wall clock'})`);
  // The variants 'auto' runs: the tuner's at its default shapes (cached after the first run), whose
  // lines (times per variant) and final `kernel variants:` line are part of the output.
  const tuned = await prepareKernels(gpu, { retune: args.retune, log });
  const kernels: BenchReport['kernels'] = { variants: { ...variantsOf(gpu) }, sources: variantSources(gpu), tuned: tuned?.families ?? null, cache: tuned?.file ?? null };
  const results: BenchResult[] = [];
  const ordered = [...wanted.filter((c) => !c.experimental), ...wanted.filter((c) => c.experimental)];
  for (const c of [...ceilingCases, ...ordered]) {
    let r: BenchResult;
    try {
      r = await timeCase(gpu, c, scale, reps);
    } catch (e) {
      const msg = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      r = e instanceof BenchUnavailable ? { name: c.name, group: c.group, shape: '', ms: NaN, skipped: msg } : { name: c.name, group: c.group, shape: '', ms: NaN, error: msg };
    }
    results.push(r);
    log(formatRow(r));
    onResult?.(summarize()); // a run cut short still leaves every finished case on disk
  }
  const report = summarize();
  const c = report.ceilings;
  log(`ceilings: copy ${c.copyGBs?.toFixed(1) ?? '-'} GB/s, best GEMM ${c.bestGemmTFLOPs?.toFixed(2) ?? '-'} TFLOP/s, host files ${c.hostGBs?.toFixed(1) ?? '-'} GB/s`);
  return report;

  function summarize(): BenchReport {
    const copyGBs = results.find((r) => r.name === 'copy.ceiling')?.gbs;
    const hostGBs = results.find((r) => r.name === 'host.ceiling')?.gbs;
    const gemm = results.filter((r) => r.group === 'gemm' && r.tflops);
    const bestGemmTFLOPs = gemm.length ? Math.max(...gemm.map((r) => r.tflops!)) : undefined;
    for (const r of results) {
      if (r.host) {
        if (r.gbs && hostGBs) r.fracOfHost = r.gbs / hostGBs;
        continue;
      }
      if (r.gbs && copyGBs) r.fracOfCopy = r.gbs / copyGBs;
      if (r.tflops && bestGemmTFLOPs) r.fracOfBestGemm = r.tflops / bestGemmTFLOPs;
    }
    return {
      device: { adapter: gpu.describe(), software: gpu.isSoftware, features: { ...gpu.features } },
      date: new Date().toISOString(),
      scale,
      reps,
      ceilings: { copyGBs, bestGemmTFLOPs, hostGBs },
      kernels,
      results: [...results],
    };
  }
}

function formatRow(r: BenchResult): string {
  if (r.error) return `${r.name.padEnd(40)} ERROR ${r.error}`;
  if (r.skipped) return `${r.name.padEnd(40)} skipped: ${r.skipped}`;
  const rate = [r.tflops ? `${r.tflops.toPrecision(3)} TFLOP/s` : '', r.gbs ? `${r.gbs.toPrecision(3)} GB/s` : ''].filter(Boolean).join('  ');
  return `${r.name.padEnd(40)} ${r.ms.toFixed(3).padStart(10)} ms  ${rate.padEnd(28)} ${r.shape}`;
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  if (!args) {
    console.log(usage(SPEC));
    return;
  }
  const write = (report: BenchReport): void => {
    if (!args.json) return;
    mkdirSync(dirname(args.json), { recursive: true });
    writeFileSync(args.json, JSON.stringify(report, null, 2) + '\n');
  };
  const report = await runBench(args, console.log, write);
  write(report);
  if (args.json) console.log(`wrote ${args.json}`);
  const failed = report.results.filter((r) => r.error);
  if (failed.length) {
    console.error(`${failed.length} case(s) failed: ${failed.map((r) => r.name).join(', ')}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
