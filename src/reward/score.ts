// R = tool_syntax + layout + content (resume-task.md section 4), kept component by component.
import type { DataRow } from '../data/schema.js';
import type { CallOutcome } from './outcome.js';
import { Verdict, type Judge, type JudgeInput } from './verdict.js';
import {
  contentFromVerdict,
  contentNoEdit,
  layoutScore,
  toolSyntaxScore,
  type ContentBreakdown,
  type LayoutBreakdown,
  type ToolSyntaxBreakdown,
} from './rubrics.js';

export const REWARD_MIN = -7;
export const REWARD_MAX = 8;

/** The tracking score: 100 * (R + 7) / 15, so -7 -> 0 and +8 -> 100. */
export function normalizeReward(r: number): number {
  return (100 * (r - REWARD_MIN)) / (REWARD_MAX - REWARD_MIN);
}

export interface RewardBreakdown {
  tool: ToolSyntaxBreakdown;
  layout: LayoutBreakdown;
  /** Undefined only when the judge failed: see judgeError. */
  content?: ContentBreakdown;
  /** The judge's failure, when it threw. The reward is then unknown, never a silent 0. */
  judgeError?: string;
  /** Undefined when content is. */
  total?: number;
  normalized?: number;
}

export function combineReward(
  tool: ToolSyntaxBreakdown,
  layout: LayoutBreakdown,
  content: ContentBreakdown | undefined,
  judgeError?: string,
): RewardBreakdown {
  const r: RewardBreakdown = { tool, layout };
  if (judgeError !== undefined) r.judgeError = judgeError;
  if (content !== undefined) {
    r.content = content;
    r.total = tool.total + layout.total + content.total;
    r.normalized = normalizeReward(r.total);
  }
  return r;
}

export interface ScoreInput {
  row: Pick<DataRow, 'jd' | 'resume' | 'weakness'>;
  outcomes: readonly CallOutcome[];
  finalDoc: string;
  judge: Judge;
}

/**
 * What the judge is asked about a finished episode, or undefined when the no-edit shortcut applies
 * (no judge call). (choice) The spec's no-edit case reads "no successful edit (document unchanged)";
 * a successful str_replace always changes the document, so the two differ only when later edits
 * restore the original exactly: that episode takes the shortcut too, so undoing edits cannot buy a
 * judge verdict. Exported so batch code (judge-batch.ts) can judge many episodes at once.
 */
export function judgeInputFor(row: ScoreInput['row'], finalDoc: string): JudgeInput | undefined {
  if (finalDoc === row.resume) return undefined;
  return { jd: row.jd, original: row.resume, revised: finalDoc, weakness: row.weakness };
}

/** Scores a finished episode, calling the judge only when judgeInputFor says so. */
export async function scoreEpisode({ row, outcomes, finalDoc, judge }: ScoreInput): Promise<RewardBreakdown> {
  const tool = toolSyntaxScore(outcomes);
  const layout = layoutScore(finalDoc);
  const input = judgeInputFor(row, finalDoc);
  if (input === undefined) return combineReward(tool, layout, contentNoEdit(row.weakness.type));
  try {
    const raw = await judge.judge(input);
    // A judge returning a malformed verdict is a judge failure too, not a reward.
    const verdict = Verdict.safeParse(raw);
    if (!verdict.success) {
      const issues = verdict.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      return combineReward(tool, layout, undefined, `judge ${judge.name} returned an invalid verdict: ${issues}`);
    }
    return combineReward(tool, layout, contentFromVerdict(verdict.data));
  } catch (e) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return combineReward(tool, layout, undefined, `judge ${judge.name} failed: ${msg}`);
  }
}
