// Throughputs for the step-time plan from a bench results directory (bench/results/<date>-<card>/,
// written by `npm run bench -- --json` and the torch peer): bench-*.json (BenchReport of
// bench/run.ts: per case ms, TFLOP/s or GB/s, the run's copy ceiling), torch-*.json (the same cases
// in PyTorch on the same card), gpu-info.json (adapter, limits), check.json (device checks), and
// summary-*.md (prose; listed, not read). Every rate says where it came from (facts.ts Basis):
// 'measured' at this shape in this directory, 'nearest' measured shape in this directory, 'notes'
// (README / architecture.md figures of the same card), 'derived' or 'assumed'.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { type Basis, HOST, HOST_MEMCPY, README_NOTES_2026_11_26 } from './facts.js';
import type { Layout, MemKernel } from './ops.js';

export interface Rate {
  /** TFLOP/s for GEMMs and attention, GB/s for memory-bound kernels and host transfers. */
  value: number;
  basis: Basis;
  /** File (and case) or document the number comes from. */
  source: string;
}

export interface GemmPoint {
  name: string;
  M: number;
  N: number;
  K: number;
  layout: Layout;
  path: string;
  tflops: number;
  file: string;
}

export interface AttentionPoint {
  name: string;
  pass: 'fwd' | 'bwd';
  nSeq: number;
  seqLen: number;
  tflops: number;
  source: string;
  basis: Basis;
}

export interface Bench {
  dir: string;
  /** Files read, and files present but not read. */
  files: string[];
  date: string;
  /** Short card name ('H200'), as facts.ts keys it; `device` the full description. */
  card: string;
  device: string;
  torchVersion?: string;
  /** GEMMs on the default path (tensor-core v1 where measured, else portable). */
  gemms: GemmPoint[];
  torchGemms: GemmPoint[];
  attention: AttentionPoint[];
  copy: Rate;
  /** Per-kernel GB/s measured in this directory (bench case families). */
  memory: Partial<Record<MemKernel, Rate>>;
  host: {
    /** Device -> mapped staging memory (gpu.readMapped: what deviceBytes streams to the files). */
    deviceToHost: Rate;
    /** The same plus the copy into JS memory (gpu.readBytes; what the exchanges did before 2026-12-03). */
    deviceToHostCopy: Rate;
    /** gpu.writeBytes: reused MAP_WRITE staging buffers. */
    hostToDevice: Rate;
    /** queue.writeBuffer (what gpu.writeBytes did before 2026-12-03). */
    hostToDeviceWriteBuffer: Rate;
    memcpy: Rate;
  };
  maxStorageBindingBytes: number;
  checks?: { passed: number; failed: number; file: string };
}

const Result = z.looseObject({
  name: z.string(),
  group: z.string(),
  shape: z.string(),
  ms: z.number().nullable(),
  tflops: z.number().optional(),
  gbs: z.number().optional(),
  error: z.string().optional(),
  skipped: z.string().optional(),
  host: z.boolean().optional(),
  torch: z.looseObject({ op: z.string(), args: z.record(z.string(), z.union([z.number(), z.string()])) }).optional(),
});
const BenchReport = z.looseObject({
  device: z.looseObject({ adapter: z.string(), software: z.boolean() }),
  date: z.string(),
  scale: z.string(),
  ceilings: z.looseObject({ copyGBs: z.number().optional(), bestGemmTFLOPs: z.number().optional(), hostGBs: z.number().optional() }),
  results: z.array(Result),
});
const TorchReport = z.looseObject({
  device: z.string(),
  torch: z.string().optional(),
  date: z.string().optional(),
  results: z.record(z.string(), z.looseObject({ ms: z.number(), op: z.string(), args: z.record(z.string(), z.union([z.number(), z.string()])) })),
});
const GpuInfo = z.looseObject({
  adapter: z.looseObject({ vendor: z.string().optional(), device: z.string().optional(), description: z.string().optional(), software: z.boolean().optional() }),
  limits: z.looseObject({ maxStorageBufferBindingSize: z.number() }).optional(),
});
const CheckReport = z.looseObject({ checks: z.array(z.looseObject({ name: z.string(), ok: z.boolean() })) });

export class BenchError extends Error {
  override readonly name = 'BenchError';
}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new BenchError(`${file}: cannot read JSON: ${(e as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) throw new BenchError(`${file}: not a bench file of the expected shape:\n${z.prettifyError(r.error)}`);
  return r.data;
}

/** Results directories under `root` holding a bench-*.json, newest first (names start with the date). */
function benchDirs(root: string): string[] {
  if (!existsSync(root)) throw new BenchError(`bench results directory ${root} does not exist`);
  const dirs = readdirSync(root)
    .filter((d) => statSync(join(root, d)).isDirectory() && readdirSync(join(root, d)).some((f) => /^bench-.*\.json$/.test(f)))
    .sort()
    .reverse();
  if (dirs.length === 0) throw new BenchError(`no bench results under ${root} (a directory holding bench-*.json)`);
  return dirs.map((d) => join(root, d));
}

/** The newest results directory under `root`. */
export function newestBenchDir(root: string): string {
  return benchDirs(root)[0]!;
}

/** The newest results directory under `root` that the plan can read: a newer partial one (a CPU
 *  adapter's run of a few groups, say) is passed over and named in `skipped` with its reason. */
export function newestUsableBench(root: string): { bench: Bench; skipped: string[] } {
  const skipped: string[] = [];
  for (const dir of benchDirs(root)) {
    try {
      return { bench: readBench(dir), skipped };
    } catch (e) {
      if (!(e instanceof BenchError)) throw e;
      skipped.push(e.message);
    }
  }
  throw new BenchError(`no bench results under ${root} the plan can use:\n  ${skipped.join('\n  ')}`);
}

const LAYOUTS: readonly Layout[] = ['xwT', 'dyW', 'dyTx'];

function gemmShape(r: z.infer<typeof Result>): { M: number; N: number; K: number; layout: Layout } | null {
  const a = r.torch?.args;
  const layout = (a?.['layout'] ?? /^matmul\.(\w+)\./.exec(r.name)?.[1]) as Layout | undefined;
  const m = /M=(\d+) N=(\d+) K=(\d+)/.exec(r.shape);
  const M = Number(a?.['M'] ?? m?.[1]), N = Number(a?.['N'] ?? m?.[2]), K = Number(a?.['K'] ?? m?.[3]);
  if (!layout || !LAYOUTS.includes(layout) || !(M > 0 && N > 0 && K > 0)) return null;
  return { M, N, K, layout };
}

/** Bench case families -> the plan's memory-bound kernels. */
const MEMORY_CASES: [RegExp, MemKernel[]][] = [
  [/^rmsnorm\.fwd$/, ['rmsnorm.fwd']],
  [/^rmsnorm\.bwd$/, ['rmsnorm.bwd']],
  [/^rope\.q\.(fwd|bwd)$/, ['rope']],
  [/^swiglu\.fwd$/, ['swiglu.fwd']],
  [/^swiglu\.bwd$/, ['swiglu.bwd']],
  [/^residual\.add$/, ['add']],
  [/^cast\.f32-to-bf16$/, ['cast']],
  [/^embedding\.fwd$/, ['embedding.fwd']],
  [/^embedding\.bwd$/, ['embedding.bwd']],
  [/^adamw\.bf16-grad$/, ['adamw']],
  [/^grad-norm\.f32$/, ['sumsq']],
];

/** The card's short name ('H200'), as facts.ts keys it, from any of the device descriptions. */
function cardOf(...names: (string | undefined)[]): string {
  const text = names.filter(Boolean).join(' ').replace(/-/g, ' ');
  const m = /\b(GH200|H200|H100|B200|B100|A100|L40S|L40|L4)\b/i.exec(text);
  return m ? m[1]!.toUpperCase() : (names.find((n) => n) ?? 'unknown');
}

/** Reads a bench results directory; throws BenchError naming the directory or file at fault. */
export function readBench(dir: string): Bench {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new BenchError(`bench directory ${dir} does not exist`);
  const all = readdirSync(dir).sort();
  const benchFiles = all.filter((f) => /^bench-.*\.json$/.test(f));
  if (benchFiles.length === 0) throw new BenchError(`${dir}: no bench-*.json (npm run bench -- --json FILE writes one)`);
  const reports = benchFiles.map((f) => ({ f, r: readJson(join(dir, f), BenchReport) }));
  const torchFiles = all.filter((f) => /^torch-.*\.json$/.test(f));
  const torch = torchFiles.map((f) => ({ f, r: readJson(join(dir, f), TorchReport) }));
  const info = all.includes('gpu-info.json') ? readJson(join(dir, 'gpu-info.json'), GpuInfo) : null;
  const check = all.includes('check.json') ? readJson(join(dir, 'check.json'), CheckReport) : null;

  const first = reports[0]!.r;
  const device = torch[0]?.r.device ?? info?.adapter.description ?? first.device.adapter;
  const card = cardOf(torch[0]?.r.device, info?.adapter.device, first.device.adapter);
  const ok = (r: z.infer<typeof Result>): boolean => !r.error && !r.skipped && typeof r.ms === 'number' && Number.isFinite(r.ms);

  // GEMMs: the default path. 'auto' runs the tensor-core v1 kernel where checkMatmulPaths passed
  // (its cases end in .sgmat), else the portable one; v2 variants are not the default.
  const gemmAll: GemmPoint[] = [];
  for (const { f, r } of reports) {
    for (const x of r.results) {
      if (x.group !== 'gemm' || !ok(x) || !x.tflops) continue;
      const s = gemmShape(x);
      if (s) gemmAll.push({ name: x.name, ...s, path: x.name.split('.').pop()!, tflops: x.tflops, file: f });
    }
  }
  const gemms = gemmAll.some((g) => g.path === 'sgmat') ? gemmAll.filter((g) => g.path === 'sgmat') : gemmAll.filter((g) => g.path === 'portable');

  const torchGemms: GemmPoint[] = [];
  for (const { f, r } of torch) {
    for (const [name, x] of Object.entries(r.results)) {
      if (x.op !== 'mm') continue;
      const M = Number(x.args['M']), N = Number(x.args['N']), K = Number(x.args['K']);
      const layout = x.args['layout'] as Layout;
      if (!LAYOUTS.includes(layout) || torchGemms.some((g) => g.M === M && g.N === N && g.K === K && g.layout === layout)) continue;
      torchGemms.push({ name, M, N, K, layout, path: 'torch', tflops: (2 * M * N * K) / (x.ms * 1e-3) / 1e12, file: f });
    }
  }

  // Attention: the default (v1) cases; else the README figures of the same card.
  const attention: AttentionPoint[] = [];
  for (const { f, r } of reports) {
    for (const x of r.results) {
      if (x.group !== 'attention' || !ok(x) || !x.tflops || /\.(v2|sgmat)$/.test(x.name)) continue;
      const a = x.torch?.args;
      const m = /\((\d+)x(\d+)\)/.exec(x.shape);
      const nSeq = Number(a?.['seqs'] ?? m?.[1]), seqLen = Number(a?.['seqlen'] ?? m?.[2]);
      const pass = x.name.includes('.bwd') ? 'bwd' : 'fwd';
      if (nSeq > 0 && seqLen > 0) attention.push({ name: x.name, pass, nSeq, seqLen, tflops: x.tflops, source: `${f} ${x.name}`, basis: 'measured' });
    }
  }
  if (!attention.some((a) => a.pass === 'fwd') || !attention.some((a) => a.pass === 'bwd')) {
    if (card !== README_NOTES_2026_11_26.card) {
      throw new BenchError(`${dir}: no attention results (bench group 'attention'), and the README figures are of an ${README_NOTES_2026_11_26.card}, not this ${card}`);
    }
    for (const a of README_NOTES_2026_11_26.attention) {
      if (!attention.some((x) => x.pass === a.pass)) attention.push({ name: `attention.${a.pass}.${a.nSeq}seq`, ...a, source: README_NOTES_2026_11_26.source, basis: 'notes' });
    }
  }

  const copyReport = reports.find(({ r }) => r.ceilings.copyGBs);
  if (!copyReport) throw new BenchError(`${dir}: no copy ceiling (ceilings.copyGBs) in ${benchFiles.join(', ')}`);
  const copy: Rate = { value: copyReport.r.ceilings.copyGBs!, basis: 'measured', source: `${copyReport.f} ceilings.copyGBs (copy.ceiling)` };

  const memory: Partial<Record<MemKernel, Rate>> = {};
  const hostRates: Record<string, Rate> = {};
  for (const { f, r } of reports) {
    for (const x of r.results) {
      if (!ok(x) || !x.gbs) continue;
      for (const [re, kernels] of MEMORY_CASES) if (re.test(x.name)) for (const k of kernels) memory[k] ??= { value: x.gbs, basis: 'measured', source: `${f} ${x.name}` };
      if (x.host) hostRates[x.name] = { value: x.gbs, basis: 'measured', source: `${f} ${x.name}` };
    }
  }
  const host = {
    // exchange.readback times gpu.readMapped and exchange.upload gpu.writeBytes (both without a copy
    // in JS memory since 2026-12-03; no bench directory before that date has them on a GPU).
    deviceToHost: hostRates['exchange.readback'] ?? { ...HOST.deviceToHostNoJsCopy, source: `${HOST.deviceToHostNoJsCopy.source} (copy + mapAsync, no copy into JS memory: gpu.readMapped)` },
    deviceToHostCopy: hostRates['exchange.readback.copy'] ?? { ...HOST.deviceToHost, source: `${HOST.deviceToHost.source} (with the copy into JS memory: gpu.readBytes)` },
    hostToDevice: hostRates['exchange.upload'] ?? { ...HOST.hostToDeviceStaging, source: `${HOST.hostToDeviceStaging.source} (reused MAP_WRITE staging: gpu.writeBytes)` },
    hostToDeviceWriteBuffer: hostRates['exchange.upload.writeBuffer'] ?? { ...HOST.hostToDeviceWriteBuffer, source: `${HOST.hostToDeviceWriteBuffer.source} (queue.writeBuffer)` },
    // host.ceiling: a file written and read back, bytes counted twice: its GB/s is one direction's.
    memcpy: hostRates['host.ceiling'] ?? { ...HOST_MEMCPY },
  };

  const checks = check ? { passed: check.checks.filter((c) => c.ok).length, failed: check.checks.filter((c) => !c.ok).length, file: 'check.json' } : undefined;
  return {
    dir,
    files: all,
    date: first.date,
    card,
    device,
    torchVersion: torch[0]?.r.torch,
    gemms,
    torchGemms,
    attention,
    copy,
    memory,
    host,
    maxStorageBindingBytes: info?.limits?.maxStorageBufferBindingSize ?? 2 ** 31 - 4,
    checks,
  };
}

const dist = (a: { M: number; N: number; K: number }, b: { M: number; N: number; K: number }): number =>
  Math.abs(Math.log(a.M / b.M)) + Math.abs(Math.log(a.N / b.N)) + Math.abs(Math.log(a.K / b.K));

/** The nearest measured GEMM: same layout where that layout was measured, then the closest shape
 *  (sum of |log| ratios of M, N, K). */
export function nearestGemm(points: readonly GemmPoint[], s: { M: number; N: number; K: number; layout: Layout }): GemmPoint | null {
  const same = points.filter((p) => p.layout === s.layout);
  const pool = same.length ? same : points;
  let best: GemmPoint | null = null;
  for (const p of pool) if (!best || dist(p, s) < dist(best, s)) best = p;
  return best;
}

function gemmRateFrom(points: readonly GemmPoint[], dir: string, s: { M: number; N: number; K: number; layout: Layout }): Rate | null {
  const p = nearestGemm(points, s);
  if (!p) return null;
  const exact = p.M === s.M && p.N === s.N && p.K === s.K && p.layout === s.layout;
  const tag = `${basename(dir)}/${p.file} ${p.name} (M=${p.M} N=${p.N} K=${p.K} ${p.layout})`;
  return { value: p.tflops, basis: exact ? 'measured' : 'nearest', source: exact ? tag : `${tag}${p.layout === s.layout ? '' : ', other layout'}` };
}

export function gemmRate(b: Bench, s: { M: number; N: number; K: number; layout: Layout }): Rate {
  const r = gemmRateFrom(b.gemms, b.dir, s);
  if (!r) throw new BenchError(`${b.dir}: no GEMM results (bench group 'gemm')`);
  return r;
}

export function torchGemmRate(b: Bench, s: { M: number; N: number; K: number; layout: Layout }): Rate | null {
  return gemmRateFrom(b.torchGemms, b.dir, s);
}

/** Attention rate for sequences of `seqLen` (the measured case of the nearest sequence length). */
export function attentionRate(b: Bench, pass: 'fwd' | 'bwd', seqLen: number): Rate {
  let best: AttentionPoint | null = null;
  for (const a of b.attention) if (a.pass === pass && (!best || Math.abs(Math.log(a.seqLen / seqLen)) < Math.abs(Math.log(best.seqLen / seqLen)))) best = a;
  if (!best) throw new BenchError(`${b.dir}: no attention ${pass} rate`);
  const basis: Basis = best.basis === 'notes' ? 'notes' : best.seqLen === seqLen ? 'measured' : 'nearest';
  return { value: best.tflops, basis, source: `${best.source} (${best.nSeq}x${best.seqLen})` };
}

/** GB/s of a memory-bound kernel: its bench case where this directory has one, else (`notes`)
 *  the README figure of the same card (`stale` ones only when asked: sensitivity), else the
 *  copy ceiling measured in the same run. */
export function memoryRate(b: Bench, k: MemKernel, o: { staleNotes?: boolean } = {}): Rate {
  const m = b.memory[k];
  if (m) return m;
  const n = README_NOTES_2026_11_26.memory[k];
  if (n && b.card === README_NOTES_2026_11_26.card && (!n.stale || o.staleNotes)) {
    return { value: n.gbs, basis: 'notes', source: `${README_NOTES_2026_11_26.source}${n.stale ? ' (kernel rewritten since)' : ''}` };
  }
  return { ...b.copy, basis: 'assumed', source: `at the copy ceiling, ${b.copy.source}` };
}
