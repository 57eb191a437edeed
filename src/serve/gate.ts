// Keeps weight reloads and generations apart: a reload waits until every generation in flight has
// finished, and generations that arrive meanwhile wait until the reload is done (a batch must never
// see half-swapped weights, and the old model may be destroyed by the reload). A pause (vLLM's
// POST /pause?mode=wait) likewise lets the generations in flight finish and holds new ones until
// resume(); a reload may run while paused.
export class ReloadGate {
  private inFlight = 0;
  /** Settles when the running reload is done (null: none running). */
  private reloading: Promise<void> | null = null;
  /** Settles at resume() (null: not paused). */
  private pausedUntil: { done: Promise<void>; resume: () => void } | null = null;
  private idle: (() => void)[] = [];

  get paused(): boolean {
    return this.pausedUntil !== null;
  }

  /** Runs one generation, after any reload that is running or waiting and any pause. */
  async generation<T>(run: () => Promise<T>): Promise<T> {
    while (this.reloading || this.pausedUntil) {
      if (this.reloading) await this.reloading.catch(() => undefined);
      if (this.pausedUntil) await this.pausedUntil.done;
    }
    this.inFlight++;
    try {
      return await run();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  private drained(): Promise<void> {
    return this.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Holds new generations and returns once those in flight have finished (pausing twice is
   *  pausing once). */
  async pause(): Promise<void> {
    if (!this.pausedUntil) {
      let resume!: () => void;
      const done = new Promise<void>((r) => (resume = r));
      this.pausedUntil = { done, resume };
    }
    await this.drained();
  }

  /** Lets held generations run (resuming when not paused does nothing). */
  resume(): void {
    const p = this.pausedUntil;
    this.pausedUntil = null;
    p?.resume();
  }

  /** Runs `reload` once no generation is in flight; reloads run one at a time. */
  async reload(reload: () => Promise<void>): Promise<void> {
    while (this.reloading) await this.reloading.catch(() => undefined);
    const done = (async () => {
      await this.drained();
      await reload();
    })();
    this.reloading = done;
    try {
      await done;
    } finally {
      this.reloading = null;
    }
  }
}
