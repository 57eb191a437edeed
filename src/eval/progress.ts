// Progress lines of an evaluation (issue 11): a tiny model on lavapipe can sample for many minutes
// before the first chunk of rows finishes, so a line comes every `everyMs` while sampling and one at
// each finished chunk: rollouts done of all, tokens sampled and their rate, the time so far, and
// the time left with how it was estimated: at the pace of the rows finished in this run, or, before
// any, an upper bound from the token limits (every unfinished rollout sampling its whole budget at
// the current rate).
import { formatDuration, plural } from '../io/progress.js';

export interface EvalProgressOptions {
  log: (line: string) => void;
  rows: number;
  rolloutsPerRow: number;
  /** Rows already done before this run (a resumed evaluation): counted done, not timed. */
  rowsDone: number;
  /** The most tokens one rollout can sample: min(maxTurns x maxTokensPerTurn, maxEpisodeTokens). */
  tokensPerRollout: number;
  /** Tokens sampled so far (only differences from the value at start() count). */
  tokens: () => number;
  /** Between lines while sampling (default 15 s). */
  everyMs?: number;
  /** Milliseconds (tests give their own clock). */
  now?: () => number;
}

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

export class EvalProgress {
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | null = null;
  private t0 = 0;
  private tokens0 = 0;
  private rowsDone: number;
  /** Rollouts finished in this run, and those of them in the chunk under way. */
  private rollouts = 0;
  private chunkRollouts = 0;
  private chunkStart = 0;
  private chunkTokens0 = 0;
  /** Rows finished in this run and the seconds their chunks took. */
  private rowsTimed = 0;
  private secondsTimed = 0;

  constructor(private readonly o: EvalProgressOptions) {
    this.now = o.now ?? (() => performance.now());
    this.rowsDone = o.rowsDone;
  }

  start(): void {
    this.t0 = this.chunkStart = this.now();
    this.tokens0 = this.chunkTokens0 = this.o.tokens();
    this.timer = setInterval(() => this.o.log(this.line()), this.o.everyMs ?? 15_000);
    this.timer.unref(); // never what keeps the process alive
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One rollout finished. */
  rollout(): void {
    this.rollouts++;
    this.chunkRollouts++;
  }

  /** A chunk of `rows` rows finished: logs a line. */
  chunk(rows: number): void {
    const t = this.now();
    this.rowsDone += rows;
    this.rowsTimed += rows;
    this.secondsTimed += (t - this.chunkStart) / 1000;
    this.chunkStart = t;
    this.chunkRollouts = 0;
    this.chunkTokens0 = this.o.tokens();
    this.o.log(this.line());
  }

  line(): string {
    const { rows, rolloutsPerRow, tokensPerRollout } = this.o;
    const t = this.now();
    const seconds = (t - this.t0) / 1000;
    const tokens = this.o.tokens() - this.tokens0;
    const rate = seconds > 0 ? tokens / seconds : 0;
    const total = rows * rolloutsPerRow;
    const done = this.o.rowsDone * rolloutsPerRow + this.rollouts;
    const head = `eval: ${done}/${total} rollouts done (${this.rowsDone}/${rows} rows), ${count(tokens)} tokens sampled (${rate.toFixed(1)} tokens/s), ${formatDuration(seconds)} so far`;
    const rowsLeft = rows - this.rowsDone;
    if (rowsLeft === 0) return `${head}; all done`;
    if (this.rowsTimed > 0) {
      const perRow = this.secondsTimed / this.rowsTimed;
      const left = Math.max(0, perRow * rowsLeft - (t - this.chunkStart) / 1000);
      return `${head}; about ${formatDuration(left)} left (at the pace of the ${plural(this.rowsTimed, 'row')} finished in this run: ${formatDuration(perRow)} per row)`;
    }
    if (rate > 0) {
      // The unfinished rollouts have spent at least what the chunk sampled beyond its finished ones' budgets.
      const spent = Math.max(0, this.o.tokens() - this.chunkTokens0 - this.chunkRollouts * tokensPerRollout);
      const bound = Math.max(0, (total - done) * tokensPerRollout - spent) / rate;
      return `${head}; at most about ${formatDuration(bound)} left (no row finished yet: ${plural(total - done, 'unfinished rollout')} at up to ${count(tokensPerRollout)} tokens each, ${rate.toFixed(1)} tokens/s)`;
    }
    return `${head}; no estimate yet`;
  }
}
