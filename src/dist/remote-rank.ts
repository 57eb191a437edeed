// A rank in its own process, seen from the coordinator through the same RankApi as an in-process
// Rank. A rank process that dies fails every pending and later call with its exit code or signal.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PassStats, LossConfig } from '../train/passes.js';
import type { TrainPass } from '../train/batch.js';
import type { StepInfo } from '../train/optimizer.js';
import type { Reply, Request } from './protocol.js';
import type { RankApi, RankInit } from './rank.js';

/** The worker script: RLVR_RANK_WORKER (a bundle's worker, tools/device/pack.sh), else the file
 *  next to this one (worker.ts from source, worker.js once compiled). */
function workerPath(): string {
  if (process.env.RLVR_RANK_WORKER) return process.env.RLVR_RANK_WORKER;
  const here = fileURLToPath(import.meta.url);
  const w = here.replace(/remote-rank(\.[cm]?[jt]s)$/, 'worker$1');
  if (w === here) throw new Error(`cannot locate the rank worker next to ${here} (bundled? set RLVR_RANK_WORKER to the bundled src/dist/worker)`);
  return w;
}

/** Node flags that let a source-tree (.ts) worker run: tsx's loader, resolved from this package. */
function execArgv(worker: string): string[] {
  if (extname(worker) !== '.ts') return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

export class RemoteRank implements RankApi {
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private dead: string | null = null;

  private constructor(
    readonly rank: number,
    private readonly child: ChildProcess,
    /** A call not answered within this long fails and the process is killed (a hung device or
     *  process must not hang the run). */
    private readonly timeoutMs: number,
  ) {
    child.on('message', (r: Reply) => {
      const p = this.pending.get(r.id);
      if (!p) return;
      this.pending.delete(r.id);
      if (r.ok) p.resolve(r.value);
      else p.reject(new Error(`rank ${this.rank}: ${p.method}: ${r.error}`));
    });
    child.on('exit', (code, signal) => {
      this.dead = `rank ${this.rank} process exited (${signal ? `signal ${signal}` : `code ${code}`})`;
      for (const p of this.pending.values()) p.reject(new Error(`${this.dead} during ${p.method}`));
      this.pending.clear();
    });
    child.on('error', (e) => {
      this.dead = `rank ${this.rank} process failed: ${e.message}`;
    });
  }

  /** Forks the rank's process with `env` added to this one's and initialises it. */
  static async spawn(init: RankInit, env: Record<string, string>, timeoutMs = 30 * 60_000): Promise<{ rank: RemoteRank; description: string }> {
    const worker = workerPath();
    const child = fork(worker, [], {
      execArgv: execArgv(worker),
      serialization: 'advanced',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const r = new RemoteRank(init.rank, child, timeoutMs);
    try {
      const description = (await r.call('init', [init])) as string;
      return { rank: r, description };
    } catch (e) {
      child.kill('SIGKILL');
      throw e;
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private call(method: Request['method'], args: unknown[]): Promise<unknown> {
    if (this.dead) return Promise.reject(new Error(`${this.dead}; cannot run ${method}`));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(new Error(`rank ${this.rank}: ${method} did not answer within ${(this.timeoutMs / 1000).toFixed(0)} s; its process is killed`));
        this.child.kill('SIGKILL');
      }, this.timeoutMs);
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), method });
      this.child.send({ id, method, args } as Request, (err) => {
        if (!err) return;
        // Usually the process just died: give its exit a moment to be reported (the exit handler
        // then fails this call with the exit code or signal), else report the send error.
        const fail = (): void => {
          const p = this.pending.get(id);
          if (!p) return;
          this.pending.delete(id);
          p.reject(new Error(`rank ${this.rank}: cannot send ${method}: ${err.message}`));
        };
        setTimeout(fail, 1000);
      });
    });
  }

  describe(): Promise<string> {
    return this.call('describe', []) as Promise<string>;
  }
  backward(passes: TrainPass[], N: number, loss: LossConfig): Promise<PassStats> {
    return this.call('backward', [passes, N, loss]) as Promise<PassStats>;
  }
  reduce(): Promise<number> {
    return this.call('reduce', []) as Promise<number>;
  }
  apply(norm: number, lr?: number): Promise<StepInfo> {
    return this.call('apply', [norm, lr]) as Promise<StepInfo>;
  }
  gather(): Promise<void> {
    return this.call('gather', []) as Promise<void>;
  }

  resetOptimizer(): Promise<void> {
    return this.call('resetOptimizer', []) as Promise<void>;
  }
  save(optimizerDir: string, modelDir: string | null, copyFrom: string): Promise<void> {
    return this.call('save', [optimizerDir, modelDir, copyFrom]) as Promise<void>;
  }
  async close(): Promise<void> {
    if (this.dead) return;
    await this.call('close', []).catch(() => undefined);
    if (this.child.exitCode === null) this.child.kill();
  }

  /** Kills the process (tests of a lost rank). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}
