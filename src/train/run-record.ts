// run-config.json, written into the run directory at each start: what it takes to redo the run.
// The full parsed config (every default filled in, paths absolute, the judge's model and endpoint;
// never an API key: the judge's comes from the environment, and a sampler server's `apiKey`, the
// one secret a config may hold, is left out), and under `run` what the config does not say: the
// devices, rank 0's adapter and kernel variants, and the code's git commit. The file loads as a
// config again (`--config runs/X/run-config.json`; the `run` section is ignored there).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../io/atomic.js';
import type { DeviceVariants } from '../gpu/variants.js';
import type { TrainConfig } from './config.js';

export interface RunFacts {
  /** Device indices, one rank each. */
  devices: number[];
  /** Rank 0's adapter. */
  adapter: string;
  /** The kernel variants rank 0 runs (the config's kernels.variants over the device's defaults). */
  variants: DeviceVariants;
}

/** The commit of the code that runs (null outside a git checkout or without git), and whether
 *  tracked files differ from it. */
export function gitState(dir = dirname(fileURLToPath(import.meta.url))): { commit: string | null; dirty: boolean | null } {
  const git = (...args: string[]): string => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', 'HEAD');
    let dirty: boolean | null = null;
    try {
      dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    } catch {
      // the commit alone still says which code ran
    }
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** The record of a run: its config without secrets, plus `run`. */
export function runRecord(cfg: TrainConfig, facts: RunFacts): Record<string, unknown> {
  const sampler = cfg.sampler.kind === 'openai' ? (({ apiKey: _secret, ...rest }) => rest)(cfg.sampler) : cfg.sampler;
  return { ...cfg, sampler, run: { ...facts, git: gitState() } };
}

/** Dotted paths (two levels deep) whose values differ between two records. */
export function changedFields(before: Record<string, unknown>, now: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(now)])]) {
    const a = before[k], b = now[k];
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
    if (isObj(a) && isObj(b)) {
      for (const s of [...new Set([...Object.keys(a), ...Object.keys(b)])]) if (JSON.stringify(a[s]) !== JSON.stringify(b[s])) out.push(`${k}.${s}`);
    } else {
      out.push(k);
    }
  }
  return out;
}

/** Writes run-config.json; a resumed run whose record differs logs which fields changed (changing
 *  steps, the judge or the devices on resume is legitimate, so it is not an error). */
export async function recordRunConfig(path: string, cfg: TrainConfig, facts: RunFacts, log: (s: string) => void): Promise<void> {
  const now = runRecord(cfg, facts);
  if (existsSync(path)) {
    let before: Record<string, unknown> = {};
    try {
      before = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch {
      log(`${path}: unreadable, rewritten`);
    }
    const changed = changedFields(before, now);
    if (changed.length === 0) return;
    log(`config changed since this run started: ${changed.join(', ')}`);
  }
  await writeFileAtomic(path, JSON.stringify(now, null, 1) + '\n');
}
