// A rank in its own process (src/train/rank-worker.ts), seen from the coordinator through the same
// RankApi as an in-process Rank; the process plumbing is src/parallel/worker-process.ts.
import { fileURLToPath } from 'node:url';
import { WorkerProcess } from '../parallel/worker-process.js';
import type { PassStats, LossConfig } from './passes.js';
import type { TrainPass } from './batch.js';
import type { StepInfo } from './optimizer.js';
import type { RankApi, RankInit } from './rank.js';

/** The worker script: RLVR_RANK_WORKER (a bundle's worker, tools/device/pack.sh), else the file
 *  next to this one (rank-worker.ts from source, rank-worker.js once compiled). */
function workerPath(): string {
  if (process.env.RLVR_RANK_WORKER) return process.env.RLVR_RANK_WORKER;
  const here = fileURLToPath(import.meta.url);
  const w = here.replace(/remote-rank(\.[cm]?[jt]s)$/, 'rank-worker$1');
  if (w === here) throw new Error(`cannot locate the rank worker next to ${here} (bundled? set RLVR_RANK_WORKER to the bundled src/train/rank-worker)`);
  return w;
}

export class RemoteRank implements RankApi {
  private constructor(
    readonly rank: number,
    private readonly proc: WorkerProcess,
  ) {}

  /** Forks the rank's process with `env` added to this one's and initialises it. */
  static async spawn(init: RankInit, env: Record<string, string>, timeoutMs = 30 * 60_000): Promise<{ rank: RemoteRank; description: string }> {
    const proc = WorkerProcess.fork(workerPath(), `rank ${init.rank}`, env, timeoutMs);
    try {
      const description = (await proc.call('init', [init])) as string;
      return { rank: new RemoteRank(init.rank, proc), description };
    } catch (e) {
      proc.kill('SIGKILL');
      throw e;
    }
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  describe(): Promise<string> {
    return this.proc.call('describe', []) as Promise<string>;
  }
  backward(passes: TrainPass[], N: number, loss: LossConfig): Promise<PassStats> {
    return this.proc.call('backward', [passes, N, loss]) as Promise<PassStats>;
  }
  reduce(): Promise<number> {
    return this.proc.call('reduce', []) as Promise<number>;
  }
  apply(norm: number, lr?: number): Promise<StepInfo> {
    return this.proc.call('apply', [norm, lr]) as Promise<StepInfo>;
  }
  gather(): Promise<void> {
    return this.proc.call('gather', []) as Promise<void>;
  }
  resetOptimizer(): Promise<void> {
    return this.proc.call('resetOptimizer', []) as Promise<void>;
  }
  save(optimizerDir: string, modelDir: string | null, copyFrom: string): Promise<void> {
    return this.proc.call('save', [optimizerDir, modelDir, copyFrom]) as Promise<void>;
  }
  close(): Promise<void> {
    return this.proc.close();
  }

  /** Kills the process (tests of a lost rank). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.proc.kill(signal);
  }
}
