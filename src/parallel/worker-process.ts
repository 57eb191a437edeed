// A worker in its own process, driven by method calls over Node IPC (the 'advanced' serialization:
// typed arrays travel as they are), one request at a time. Knows nothing of what the worker runs:
// src/train/remote-rank.ts and src/train/rank-worker.ts put a training rank on both ends.
// A worker that dies fails every pending and later call with its exit code or signal.
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';

export type Request = { id: number; method: string; args: unknown[] };
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Node flags that let a source-tree (.ts) worker run: tsx's loader, resolved from this package. */
function execArgv(script: string): string[] {
  if (extname(script) !== '.ts') return [];
  return ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

/** The coordinator's end. `label` starts every error message ('rank 1'). */
export class WorkerProcess {
  private next = 1;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; method: string }>();
  private dead: string | null = null;

  private constructor(
    readonly label: string,
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
      else p.reject(new Error(`${this.label}: ${p.method}: ${r.error}`));
    });
    child.on('exit', (code, signal) => {
      this.dead = `${this.label} process exited (${signal ? `signal ${signal}` : `code ${code}`})`;
      for (const p of this.pending.values()) p.reject(new Error(`${this.dead} during ${p.method}`));
      this.pending.clear();
    });
    child.on('error', (e) => {
      this.dead = `${this.label} process failed: ${e.message}`;
    });
  }

  /** Forks `script` with `env` added to this process's environment. */
  static fork(script: string, label: string, env: Record<string, string>, timeoutMs: number): WorkerProcess {
    const child = fork(script, [], {
      execArgv: execArgv(script),
      serialization: 'advanced',
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new WorkerProcess(label, child, timeoutMs);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  call(method: string, args: unknown[]): Promise<unknown> {
    if (this.dead) return Promise.reject(new Error(`${this.dead}; cannot run ${method}`));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(new Error(`${this.label}: ${method} did not answer within ${(this.timeoutMs / 1000).toFixed(0)} s; its process is killed`));
        this.child.kill('SIGKILL');
      }, this.timeoutMs);
      const done = <T>(f: (v: T) => void) => (v: T) => {
        clearTimeout(timer);
        f(v);
      };
      this.pending.set(id, { resolve: done(resolve), reject: done(reject), method });
      this.child.send({ id, method, args } satisfies Request, (err) => {
        if (!err) return;
        // Usually the process just died: give its exit a moment to be reported (the exit handler
        // then fails this call with the exit code or signal), else report the send error.
        const fail = (): void => {
          const p = this.pending.get(id);
          if (!p) return;
          this.pending.delete(id);
          p.reject(new Error(`${this.label}: cannot send ${method}: ${err.message}`));
        };
        setTimeout(fail, 1000);
      });
    });
  }

  /** Asks the worker to close (its 'close' method; its process then exits), then makes sure. */
  async close(): Promise<void> {
    if (this.dead) return;
    await this.call('close', []).catch(() => undefined);
    if (this.child.exitCode === null) this.child.kill();
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}

/** The worker's end, run by the forked script (`script` names it in the error when it is run on
 *  its own): 'init' builds the object that answers every later request with its method of that
 *  name, and the value sent back for 'init'. After answering 'close' the process exits; it exits
 *  too when the coordinator goes away. */
export function serveWorker<A extends unknown[]>(script: string, init: (...args: A) => Promise<{ target: object; value: unknown }>): void {
  if (!process.send) {
    console.error(`${script} runs as a forked worker process, not on its own`);
    process.exit(2);
  }
  let target: object | null = null;
  let chain: Promise<void> = Promise.resolve();
  const send = (r: Reply): Promise<void> => new Promise((resolve) => process.send!(r, undefined, undefined, () => resolve()));
  const handle = async (req: Request): Promise<void> => {
    try {
      let value: unknown;
      if (req.method === 'init') {
        if (target) throw new Error('init sent twice');
        const made = await init(...(req.args as A));
        target = made.target;
        value = made.value;
      } else {
        if (!target) throw new Error(`${req.method} before init`);
        const fn = (target as Record<string, unknown>)[req.method];
        if (typeof fn !== 'function') throw new Error(`no method ${req.method}`);
        value = await (fn as (...a: unknown[]) => Promise<unknown>).apply(target, req.args);
      }
      await send({ id: req.id, ok: true, value });
      if (req.method === 'close') process.exit(0);
    } catch (e) {
      // The coordinator reports the message; the stack goes to this process's stderr (the run's).
      if (e instanceof Error && e.stack) console.error(e.stack);
      await send({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e) });
    }
  };
  process.on('message', (req: Request) => {
    chain = chain.then(() => handle(req));
  });
  process.on('disconnect', () => process.exit(1));
}
