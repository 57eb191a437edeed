// Sync 'vllm': new weights into stock vLLM (>= 0.16, VLLM_SERVER_DEV_MODE=1) through its own
// routes, no Python of ours (README "vLLM as the sampler"). Per push:
//   1. the weights are saved as a HF directory under a fresh name, w-<ms>-<label>, built under a
//      temporary name and renamed into place: never an existing path, since vLLM's reload_weights
//      can return cached weights for a path it read before (vLLM issue #32718);
//   2. on every live server at once: POST /pause?mode=wait, POST /collective_rpc reload_weights
//      {weights_path, is_checkpoint_format: true}, POST /reset_prefix_cache (cached prefixes hold the
//      old weights' keys and values), POST /resume;
//   3. each server's greedy probe against the trainer's forward (probe.ts);
//   4. the pushed directories but the newest `keep` are deleted (only names this file makes).
// A server that cannot be reached is taken out of the pool (src/rollout/pool.ts); one that answers
// an error stops the run, naming the route, and stays paused (a failed reload may have left it
// half-loaded; the next run's preflight resumes it).
import { readdir, rm } from 'node:fs/promises';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { isUnreachable, type PoolMember } from '../rollout/pool.js';
import { DEV_MODE_FIX, ServerControl } from '../rollout/server-control.js';
import { ServerSync, type ServerSyncOptions } from './server-sync.js';

/** A pushed directory's name: its time stamp orders them. */
const PUSHED = /^w-(\d{13,})-[\w.-]+$/;
/** Temporary directories of an interrupted save of one (src/io/atomic.ts names them). */
const PARTIAL = /^\.w-\d{13,}-[\w.-]+\.tmp-/;

export class VllmSync extends ServerSync {
  private readonly controls = new Map<PoolMember, ServerControl>();

  constructor(
    o: ServerSyncOptions,
    private readonly v: { keep: number; apiKey?: string; timeoutMs: number },
  ) {
    super(o);
    for (const m of o.pool.members) this.controls.set(m, new ServerControl(m.url, v.apiKey, v.timeoutMs));
  }

  /** A name no push has used: the time in ms, bumped past any directory already there. */
  private freshDir(label: string): string {
    if (!/^[\w.-]+$/.test(label)) throw new Error(`weight push label ${JSON.stringify(label)}: only letters, digits, '.', '_' and '-'`);
    for (let ms = Date.now(); ; ms++) {
      const dir = join(this.o.dir, `w-${ms}-${label}`);
      if (!existsSync(dir)) return dir;
    }
  }

  async push(label: string): Promise<void> {
    const { model, copyFrom, log } = this.o;
    const t0 = performance.now();
    mkdirSync(this.o.dir, { recursive: true });
    const dir = this.freshDir(label);
    await model.save(dir, { copyFrom }); // no overwrite: a path vLLM never read
    const t1 = performance.now();
    await this.eachLive(async (m) => {
      const c = this.controls.get(m)!;
      await step(m, 'POST /pause?mode=wait', () => c.pause());
      await step(m, 'POST /collective_rpc reload_weights', () => c.reloadWeights(dir));
      await step(m, 'POST /reset_prefix_cache', () => c.resetPrefixCache());
      await step(m, 'POST /resume', () => c.resume());
    });
    const t2 = performance.now();
    log(`sampler weights ${dir}: written in ${((t1 - t0) / 1000).toFixed(1)} s, reloaded by ${this.o.pool.live().map((m) => m.url).join(', ')} in ${((t2 - t1) / 1000).toFixed(1)} s`);
    await this.probeAll(`after reload_weights ${dir}`);
    await this.prune();
  }

  /** Deletes the pushed directories but the newest `keep`, and leftovers of interrupted saves. */
  private async prune(): Promise<void> {
    const names = await readdir(this.o.dir);
    const pushed = names.filter((n) => PUSHED.test(n)).sort((a, b) => Number(PUSHED.exec(b)![1]) - Number(PUSHED.exec(a)![1]));
    const gone = [...pushed.slice(this.v.keep), ...names.filter((n) => PARTIAL.test(n))];
    for (const n of gone) await rm(join(this.o.dir, n), { recursive: true, force: true });
  }
}

/** One route of the sequence; an error answer names the route and what to do. A server that
 *  cannot be reached is rethrown as it is: eachLive takes it out. */
async function step(m: PoolMember, route: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (isUnreachable(e)) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    const status = (e as { status?: number }).status;
    const hint =
      status === 404 || status === 405
        ? `: ${DEV_MODE_FIX}`
        : route.includes('reload_weights')
          ? ' (reload_weights(weights_path=...) needs vLLM >= 0.16; the server stays paused: restart it, or POST /resume once it holds whole weights)'
          : '';
    throw new Error(`sampler ${m.url}: weight sync failed at ${route}: ${msg}${hint}`);
  }
}
