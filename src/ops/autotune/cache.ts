// The kernel tuner's cache: one JSON file (zod-validated), entries keyed by the adapter (vendor,
// architecture, device, description), the driver, a hash of the kernel sources and the shape
// class, each with the choice per family and the times it was made from. Written atomically (a
// temporary file renamed over it); a file that does not parse or validate is ignored with a
// warning and rewritten by the next tuning.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { z } from 'zod';
import type { Gpu } from '../../gpu/gpu.js';
import { DeviceVariants } from '../../gpu/variants.js';
import { KERNELS_DIR } from '../../gpu/wgsl.js';
import { writeFileAtomic } from '../../io/atomic.js';

/** Where the choices are cached: RLVR_KERNEL_CACHE, else $XDG_CACHE_HOME (or ~/.cache)
 *  /rlvr-ts/kernel-choices.json. */
export function kernelCacheFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.RLVR_KERNEL_CACHE) return env.RLVR_KERNEL_CACHE;
  const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
  return join(base, 'rlvr-ts', 'kernel-choices.json');
}

/** What a choice holds for: the adapter and its driver. */
export interface DeviceIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** The driver and the WebGPU implementation: NVIDIA's kernel module version where there is one
   *  (lavapipe's Mesa version is in its description), and the webgpu package's version (Dawn). */
  driver: string;
}

let webgpuVersion: string | undefined;
function dawnVersion(): string {
  if (webgpuVersion === undefined) {
    try {
      webgpuVersion = (createRequire(import.meta.url)('webgpu/package.json') as { version: string }).version;
    } catch {
      webgpuVersion = 'unknown';
    }
  }
  return webgpuVersion;
}

function nvidiaDriver(): string | null {
  try {
    const m = /Kernel Module\s+(?:for\s+\S+\s+)?([\d.]+)/.exec(readFileSync('/proc/driver/nvidia/version', 'utf8'));
    return m ? `nvidia ${m[1]}` : null;
  } catch {
    return null;
  }
}

export function deviceIdentity(gpu: Gpu): DeviceIdentity {
  const i = gpu.adapterInfo;
  const nv = /nvidia/i.test(`${i.vendor} ${i.description}`) ? nvidiaDriver() : null;
  return {
    vendor: i.vendor,
    architecture: i.architecture,
    device: i.device,
    description: i.description,
    driver: [nv, `webgpu ${dawnVersion()}`].filter(Boolean).join(', '),
  };
}

let kernelsHash: string | undefined;
/** A hash of the kernel sources the tuned families can run (kernels/, experimental ones aside):
 *  a changed kernel makes the cached choices stale. */
export function kernelSourcesHash(dir = KERNELS_DIR): string {
  if (kernelsHash !== undefined && dir === KERNELS_DIR) return kernelsHash;
  const h = createHash('sha256');
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) {
        if (name !== 'experimental') walk(p);
      } else if (name.endsWith('.wgsl')) {
        h.update(relative(dir, p)).update('\0').update(readFileSync(p)).update('\0');
      }
    }
  };
  walk(dir);
  const out = h.digest('hex').slice(0, 12);
  if (dir === KERNELS_DIR) kernelsHash = out;
  return out;
}

/** Milliseconds per variant. */
const Times = z.record(z.string(), z.number().nonnegative());

const familyResult = <E extends z.ZodType<string>>(choice: E) =>
  z.strictObject({
    /** The variant in use. */
    choice,
    /** Each timed variant's total over the family's shapes (ms). */
    ms: Times,
    /** Per shape (its label), each timed variant's time (ms). */
    shapes: z.record(z.string(), Times),
    /** Variants not timed, and why: failed their check, could not run here. */
    notes: z.record(z.string(), z.string()),
  });

export const FamilyResults = z.strictObject({
  gemm: familyResult(DeviceVariants.shape.gemm).optional(),
  attention: familyResult(DeviceVariants.shape.attention).optional(),
  lmHead: familyResult(DeviceVariants.shape.lmHead).optional(),
  optimizer: familyResult(DeviceVariants.shape.optimizer).optional(),
  memory: familyResult(DeviceVariants.shape.memory).optional(),
  sample: familyResult(DeviceVariants.shape.sample).optional(),
});
export type FamilyResults = z.infer<typeof FamilyResults>;
export type FamilyResult = NonNullable<FamilyResults[keyof FamilyResults]>;

export const CacheEntry = z.strictObject({
  adapter: z.strictObject({ vendor: z.string(), architecture: z.string(), device: z.string(), description: z.string() }),
  driver: z.string(),
  kernels: z.string(),
  shapeClass: z.string(),
  tunedAt: z.string(),
  families: FamilyResults,
});
export type CacheEntry = z.infer<typeof CacheEntry>;

export const KernelCache = z.strictObject({
  version: z.literal(1),
  entries: z.record(z.string(), CacheEntry),
});
export type KernelCache = z.infer<typeof KernelCache>;

/** The entry key: every field a choice depends on, readable in the file. */
export function cacheKey(id: DeviceIdentity, kernels: string, shapeClass: string): string {
  return [id.vendor, id.architecture, id.device, id.description, id.driver, `kernels ${kernels}`, shapeClass].join(' | ');
}

/** The cache, or an empty one: `problem` says why a file that exists was not used. */
export async function readKernelCache(file: string): Promise<{ cache: KernelCache; problem?: string }> {
  const empty: KernelCache = { version: 1, entries: {} };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { cache: empty };
    return { cache: empty, problem: `cannot read it: ${(e as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { cache: empty, problem: `not JSON: ${(e as Error).message}` };
  }
  const r = KernelCache.safeParse(raw);
  if (!r.success) return { cache: empty, problem: `not a kernel-choice cache: ${z.prettifyError(r.error).split('\n').slice(0, 4).join('; ')}` };
  return { cache: r.data };
}

/** Most entries kept (the newest by tunedAt): adapters, drivers, kernel versions and models come
 *  and go. */
const MAX_ENTRIES = 64;

/** Writes the cache atomically (creating its directory). */
export async function writeKernelCache(file: string, cache: KernelCache): Promise<void> {
  const entries = Object.entries(cache.entries).sort(([, a], [, b]) => b.tunedAt.localeCompare(a.tunedAt)).slice(0, MAX_ENTRIES);
  const out: KernelCache = { version: 1, entries: Object.fromEntries(entries) };
  KernelCache.parse(out);
  await mkdir(dirname(file), { recursive: true });
  await writeFileAtomic(file, JSON.stringify(out, null, 1) + '\n');
}
