// Judging a batch of rollouts with an explicit failure policy (resume-task.md section 4: a judge
// failure must never become a silent 0). The policy is chosen by the caller, never defaulted:
//   'fail'  - any failed item throws a JudgeBatchError (the whole batch is lost);
//   'drop'  - failed items come back as { ok: false, error }, for the caller to leave out of the
//             batch (and count); no verdict or score is invented for them;
//   'retry' - failed items are judged once more after a pause (on top of the judge's own
//             per-request retries); any still failing throws a JudgeBatchError.
import type { Judge, JudgeInput, Verdict } from './verdict.js';

export type JudgeFailurePolicy = 'retry' | 'drop' | 'fail';

export type JudgeOutcome =
  | { ok: true; index: number; verdict: Verdict }
  | { ok: false; index: number; error: Error };

export class JudgeBatchError extends Error {
  override name = 'JudgeBatchError';
  constructor(
    readonly policy: JudgeFailurePolicy,
    readonly failures: { index: number; error: Error }[],
    readonly total: number,
  ) {
    const first = failures[0]!;
    super(
      `judge batch (policy '${policy}'): ${failures.length} of ${total} item(s) failed ` +
        `[${failures.map((f) => f.index).join(', ')}]; first (item ${first.index}): ${first.error.message}`,
      { cause: first.error },
    );
  }
}

export interface JudgeBatchOptions {
  /** Pause before the second pass of the 'retry' policy, in ms (default 30 000). */
  retryPauseMs?: number;
}

const asError = (e: unknown): Error => (e instanceof Error ? e : new Error(String(e)));

async function judgeAll(judge: Judge, inputs: readonly JudgeInput[], indices: number[]): Promise<JudgeOutcome[]> {
  // All at once: an LLM judge bounds its own concurrency.
  return Promise.all(
    indices.map(async (index): Promise<JudgeOutcome> => {
      try {
        return { ok: true, index, verdict: await judge.judge(inputs[index]!) };
      } catch (e) {
        return { ok: false, index, error: asError(e) };
      }
    }),
  );
}

/** Judges every input; outcomes come back in input order. See the header for the policies. */
export async function judgeBatch(
  judge: Judge,
  inputs: readonly JudgeInput[],
  policy: JudgeFailurePolicy,
  opts: JudgeBatchOptions = {},
): Promise<JudgeOutcome[]> {
  if (policy !== 'retry' && policy !== 'drop' && policy !== 'fail') {
    throw new Error(`judgeBatch: unknown failure policy '${String(policy)}' (expected retry, drop or fail)`);
  }
  const outcomes = await judgeAll(judge, inputs, inputs.map((_, i) => i));
  let failed = outcomes.filter((o) => !o.ok);
  if (failed.length === 0 || policy === 'drop') return outcomes;
  if (policy === 'retry') {
    await new Promise((r) => setTimeout(r, opts.retryPauseMs ?? 30_000));
    for (const o of await judgeAll(judge, inputs, failed.map((f) => f.index))) outcomes[o.index] = o;
    failed = outcomes.filter((o) => !o.ok);
    if (failed.length === 0) return outcomes;
  }
  throw new JudgeBatchError(
    policy,
    failed.map((f) => ({ index: f.index, error: (f as { error: Error }).error })),
    inputs.length,
  );
}
