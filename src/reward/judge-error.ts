// The one error a judge throws when it cannot give a verdict. It names where the judge was asked
// (endpoint, model), how many attempts were made and the last cause, so a failed rollout can be
// traced; it must never be swallowed into a score of 0 (resume-task.md section 4).

export class JudgeError extends Error {
  override name = 'JudgeError';
  readonly endpoint: string;
  readonly model: string;
  readonly attempts: number;
  /** The last failure, in words (HTTP status, timeout, malformed reply...). */
  readonly lastCause: string;

  constructor(opts: { endpoint: string; model: string; attempts: number; lastCause: string; cause?: unknown }) {
    super(
      `judge ${opts.model} at ${opts.endpoint} failed after ${opts.attempts} attempt(s): ${opts.lastCause}`,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.endpoint = opts.endpoint;
    this.model = opts.model;
    this.attempts = opts.attempts;
    this.lastCause = opts.lastCause;
  }
}
