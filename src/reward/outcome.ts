// What one turn of the resume environment did, as the rubrics score it. Defined here, beneath the
// environment (src/env/resume/env.ts records outcomes, src/reward scores them), so the rewards
// need nothing from the environment that uses them.
import type { ToolCallErrorKind } from '../io/toolcall.js';

/** Why a str_replace call changed nothing. */
export type StrReplaceError = 'bad_arguments' | 'empty_old' | 'identical' | 'not_found' | 'count_mismatch';

export type CallOutcome =
  | { kind: 'str_replace'; ok: true; replaced: number }
  | { kind: 'str_replace'; ok: false; error: StrReplaceError }
  | { kind: 'review' }
  | { kind: 'submit' }
  /** A turn whose call could not be run at all (not a str_replace failure). */
  | { kind: 'failed'; error: 'multiple_calls' | 'unknown_tool' | ToolCallErrorKind }
  /** No tool call: ends the episode, scores nothing by itself. */
  | { kind: 'none' };
