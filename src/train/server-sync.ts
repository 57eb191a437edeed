// What the two sampler-server syncs share (src/train/weight-sync.ts chooses one): every live
// server of the pool in turn, and the greedy probe against the trainer's own forward (probe.ts).
// A server that cannot be reached is taken out of the pool; one that answers with an error, or
// whose probe is off, stops the run.
import type { Qwen3Model } from '../model/qwen3.js';
import { type PoolMember, type SamplerPool, isUnreachable } from '../rollout/pool.js';
import { describeProbe, probe, probeFits, probeMismatch } from './probe.js';

export interface WeightSync {
  /** Gives the sampler the trainer's current weights; `label` names them (e.g. step-000003). */
  push(label: string): Promise<void>;
  /** Checks that the sampler serves the trainer's current weights (a fresh run's first rollouts
   *  come from a server that was never sent any: it must hold the base model). */
  verify(): Promise<void>;
}

export interface ServerSyncOptions {
  pool: SamplerPool;
  /** Rank 0's model: the weights to send and the forward the probe is scored with. */
  model: Qwen3Model;
  /** The base model's directory (its tokenizer and other files go along). */
  copyFrom: string;
  dir: string;
  probe: { tokens: number; tolerance: number };
  log: (line: string) => void;
}

/** What both server syncs share: every live server in turn, the probe. */
export abstract class ServerSync implements WeightSync {
  constructor(protected readonly o: ServerSyncOptions) {}

  abstract push(label: string): Promise<void>;

  verify(): Promise<void> {
    return this.probeAll('before the first rollouts');
  }

  /** Runs `fn` on every live server at once; one that cannot be reached is taken out (the pool
   *  throws when none is left). */
  protected async eachLive(fn: (m: PoolMember) => Promise<void>): Promise<void> {
    await Promise.all(
      this.o.pool.live().map(async (m) => {
        try {
          await fn(m);
        } catch (e) {
          if (!isUnreachable(e)) throw e;
          this.o.pool.takeOut(m, e.message);
        }
      }),
    );
    this.o.pool.ensureLive();
  }

  /** Each live server's greedy probe against the trainer's forward, one at a time (the forward is
   *  rank 0's device's). */
  protected async probeAll(what: string): Promise<void> {
    const { tokens, tolerance } = this.o.probe;
    if (tokens === 0) return;
    if (!probeFits(this.o.model)) {
      this.o.log(`sampler probe skipped: its Qwen3 prompt ids are outside this model's vocabulary (${this.o.model.config.vocab_size})`);
      return;
    }
    for (const m of this.o.pool.live()) {
      let r;
      try {
        r = await probe(m.sampler, this.o.model, tokens);
      } catch (e) {
        if (!isUnreachable(e)) throw e;
        this.o.pool.takeOut(m, e.message);
        continue;
      }
      if (!(r.maxDiff <= tolerance)) throw probeMismatch(m.url, what, r, tolerance);
      this.o.log(`sampler ${m.url}: ${describeProbe(r, tolerance)}`);
    }
  }
}

/** Sync 'reload': one directory, overwritten each push, and a POST to each server's reload route. */
export class ServerReload extends ServerSync {
  async push(_label: string): Promise<void> {
    const { model, copyFrom, dir, log } = this.o;
    const t = performance.now();
    await model.save(dir, { copyFrom, overwrite: true });
    await this.eachLive(async (m) => {
      await m.sampler.reloadWeights(dir);
      log(`sampler ${m.url} reloaded ${dir} (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    });
    await this.probeAll(`after reloading ${dir}`);
  }
}

