// The three rubrics of resume-task.md section 4: tool syntax, layout, content.
// R = tool_syntax + layout + content lies in [-7, +8] (see score.ts).
import type { Weakness } from '../data/schema.js';
import type { Verdict } from './verdict.js';
import type { CallOutcome } from './outcome.js';
import { layoutStats } from '../data/layout.js';
import { WEAKNESS_METRIC } from './weakness-metric.js';

// Re-exported: callers of the rubrics read the mapping from here too.
export { WEAKNESS_METRIC, type ContentMetric } from './weakness-metric.js';

// ---- tool syntax ----

export const TOOL_POINTS = {
  strReplaceOk: 0.25,
  strReplaceFailed: -0.25,
  /** Only the first review scores; later ones score 0. */
  firstReview: 1,
  submit: 1,
  noSubmit: -1,
  /** (choice, spec section 1) unknown tool, unparseable call, several calls in one message. */
  failedCall: -0.25,
} as const;

export interface ToolSyntaxBreakdown {
  strReplaceOk: number;
  strReplaceFailed: number;
  reviews: number;
  submitted: boolean;
  /** Turns whose call could not run at all (kind 'failed'). */
  failedCalls: number;
  /** Messages without a tool call (at most 1: it ends the episode). */
  noCall: number;
  points: { strReplace: number; review: number; submit: number; failedCalls: number; noSubmit: number };
  /** Points of each outcome, in order (a later review or a message without a call scores 0);
   * total = sum(perCall) + points.noSubmit. */
  perCall: number[];
  total: number;
}

/** n * points without a negative zero (0 * -0.25 is -0, which prints and compares oddly). */
const times = (n: number, p: number) => (n === 0 ? 0 : n * p);

export function toolSyntaxScore(outcomes: readonly CallOutcome[]): ToolSyntaxBreakdown {
  let strReplaceOk = 0;
  let strReplaceFailed = 0;
  let reviews = 0;
  let submitted = false;
  let failedCalls = 0;
  let noCall = 0;
  const perCall: number[] = [];
  for (const o of outcomes) {
    let p = 0;
    switch (o.kind) {
      case 'str_replace':
        if (o.ok) strReplaceOk++;
        else strReplaceFailed++;
        p = o.ok ? TOOL_POINTS.strReplaceOk : TOOL_POINTS.strReplaceFailed;
        break;
      case 'review':
        p = reviews === 0 ? TOOL_POINTS.firstReview : 0;
        reviews++;
        break;
      case 'submit':
        p = submitted ? 0 : TOOL_POINTS.submit;
        submitted = true;
        break;
      case 'failed':
        failedCalls++;
        p = TOOL_POINTS.failedCall;
        break;
      case 'none':
        noCall++;
        break;
    }
    perCall.push(p);
  }
  const points = {
    strReplace: times(strReplaceOk, TOOL_POINTS.strReplaceOk) + times(strReplaceFailed, TOOL_POINTS.strReplaceFailed),
    review: reviews > 0 ? TOOL_POINTS.firstReview : 0,
    submit: submitted ? TOOL_POINTS.submit : 0,
    failedCalls: times(failedCalls, TOOL_POINTS.failedCall),
    noSubmit: submitted ? 0 : TOOL_POINTS.noSubmit,
  };
  const total = points.strReplace + points.review + points.submit + points.failedCalls + points.noSubmit;
  return { strReplaceOk, strReplaceFailed, reviews, submitted, failedCalls, noCall, points, perCall, total };
}

// ---- layout ----

export interface LayoutBreakdown {
  lines: number;
  limit: number;
  pass: boolean;
  /** +1 within the limit, -1 over it; binary. */
  total: number;
}

export function layoutScore(finalDoc: string): LayoutBreakdown {
  const s = layoutStats(finalDoc);
  return { lines: s.lines, limit: s.limit, pass: s.pass, total: s.pass ? 1 : -1 };
}

// ---- content ----

const TRINARY_POINTS = { worse: -0.25, same: 0, better: 0.25 } as const;
const OVERALL_POINTS = { worse: -1, same: 0, better: 1 } as const;
const HALLUCINATION_POINTS = { fabricated: -1, faithful: 1 } as const;

export interface ContentBreakdown {
  /** 'judge': from a verdict; 'no_edit': the document is unchanged, no judge call. */
  source: 'judge' | 'no_edit';
  verdict?: Verdict;
  hallucination: number;
  clarity: number;
  quantification: number;
  jd_alignment: number;
  action_verbs: number;
  overall_preference: number;
  total: number;
}

function sumContent(c: Omit<ContentBreakdown, 'source' | 'verdict' | 'total'>): number {
  return c.hallucination + c.clarity + c.quantification + c.jd_alignment + c.action_verbs + c.overall_preference;
}

export function contentFromVerdict(v: Verdict): ContentBreakdown {
  const fields = {
    hallucination: HALLUCINATION_POINTS[v.hallucination],
    clarity: TRINARY_POINTS[v.clarity],
    quantification: TRINARY_POINTS[v.quantification],
    jd_alignment: TRINARY_POINTS[v.jd_alignment],
    action_verbs: TRINARY_POINTS[v.action_verbs],
    overall_preference: OVERALL_POINTS[v.overall_preference],
  };
  return { source: 'judge', verdict: v, ...fields, total: sumContent(fields) };
}

/** No edit: hallucination -1, the weakness' metric -0.25, the rest 0 (content = -1.25). */
export function contentNoEdit(weakness: Weakness): ContentBreakdown {
  const fields = {
    hallucination: -1,
    clarity: 0,
    quantification: 0,
    jd_alignment: 0,
    action_verbs: 0,
    overall_preference: 0,
  };
  fields[WEAKNESS_METRIC[weakness]] = -0.25;
  return { source: 'no_edit', ...fields, total: sumContent(fields) };
}
