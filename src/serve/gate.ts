// Keeps weight reloads and generations apart: a reload waits until every generation in flight has
// finished, and generations that arrive meanwhile wait until the reload is done (a batch must never
// see half-swapped weights, and the old model may be destroyed by the reload).
export class ReloadGate {
  private inFlight = 0;
  /** Settles when the running reload is done (null: none running). */
  private reloading: Promise<void> | null = null;
  private idle: (() => void)[] = [];

  /** Runs one generation, after any reload that is running or waiting. */
  async generation<T>(run: () => Promise<T>): Promise<T> {
    while (this.reloading) await this.reloading.catch(() => undefined);
    this.inFlight++;
    try {
      return await run();
    } finally {
      this.inFlight--;
      if (this.inFlight === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  /** Runs `reload` once no generation is in flight; reloads run one at a time. */
  async reload(reload: () => Promise<void>): Promise<void> {
    while (this.reloading) await this.reloading.catch(() => undefined);
    const done = (async () => {
      if (this.inFlight > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
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
