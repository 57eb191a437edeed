// The rules judge: a deterministic, offline stand-in for the LLM judge (NOT an LLM). It returns
// the same Verdict from lexical heuristics so that tests, smoke runs and machines without a judge
// endpoint can compute the content reward. Its verdicts are cruder than an LLM's: use it to check
// plumbing and trends, not to report results against the publication.
//
// Heuristics (thresholds are the named constants below; word lists in rules-lexicon.ts, text
// features in rules-features.ts):
// - hallucination: "fabricated" when the revision holds a number (digits, with %, $, x, k/M
//   suffixes) whose value is in neither the original nor the JD, or an entity word (capitalized
//   word, acronym, word with digits: Acme, AWS, EC2) found in neither in any case. Sentence-initial
//   ordinary words (action verbs, stop words, -ed/-ing) and months/section names are not entities.
// - action_verbs: score = bullets opening with a strong action verb - weak phrases ("responsible
//   for", "helped", "worked on", "assisted"...) - passive "was/were + participle"; better/worse
//   when the score moves by ACTION_VERBS_MIN_DELTA or more.
// - clarity: issues = vague phrases ("various", "many", "a lot of", "things", "stuff", "etc"...)
//   + formatting inconsistencies (extra date styles, bullet markers, section-heading levels)
//   + bullets over LONG_BULLET_WORDS words; better/worse when issues fall/rise by CLARITY_MIN_DELTA.
// - quantification: bullets holding a digit, % or $; better/worse on a change of
//   QUANTIFICATION_MIN_DELTA.
// - jd_alignment: JD keywords (JD words minus stop words and generic job-ad words) present in the
//   resume, +PROMINENCE_BONUS each when first seen in the top third; better/worse on a change of
//   JD_ALIGNMENT_MIN_DELTA.
// - overall_preference: "worse" whenever fabricated (hallucination dominates); otherwise the sum
//   of the four fields (better +1, worse -1), the field targeted by the planted weakness weighted
//   TARGET_WEIGHT, compared with +-OVERALL_MIN_SCORE.
import {
  docFeatures,
  jdAlignment,
  jdKeywords,
  newEntities,
  newNumbers,
  type DocFeatures,
} from './rules-features.js';
import type { Judge, JudgeInput, Verdict } from './verdict.js';
import { weaknessMetric, type ContentMetric } from './weakness-metric.js';

export const ACTION_VERBS_MIN_DELTA = 1;
export const CLARITY_MIN_DELTA = 1;
export const QUANTIFICATION_MIN_DELTA = 1;
export const JD_ALIGNMENT_MIN_DELTA = 1;
/** Weight in overall_preference of the field the planted weakness targets (others weigh 1). */
export const TARGET_WEIGHT = 2;
export const OVERALL_MIN_SCORE = 1;

type Trinary = Verdict['clarity'];
type TrinaryField = ContentMetric;

/** Documentation of the rules judge, ready to paste into a README. */
export const RULES_JUDGE_DOC = `**Rules judge (offline stand-in, not an LLM).** \`RulesJudge\` (src/reward/rules-judge.ts) returns the same verdict fields as the LLM judge from deterministic lexical heuristics, with no network access, for tests, smoke runs and machines without a judge endpoint. Its verdicts are much cruder than an LLM's; do not report them as judge results.
- hallucination: *fabricated* when the revision holds a number whose value appears in neither the original resume nor the JD, or a capitalized word / acronym / word with digits (a name, product, tool) found in neither; otherwise *faithful*.
- action_verbs: strong action verbs opening bullets minus weak phrases ("responsible for", "helped", "worked on", "assisted", ...) and passive "was/were + participle"; better/worse when this moves by ${ACTION_VERBS_MIN_DELTA}.
- clarity: vague phrases ("various", "many", "a lot of", "things", "stuff", "etc", ...) + formatting inconsistencies (mixed date styles, bullet markers, section-heading levels) + bullets over 30 words; better/worse when this moves by ${CLARITY_MIN_DELTA}.
- quantification: number of bullets holding a digit, % or $; better/worse when this moves by ${QUANTIFICATION_MIN_DELTA}.
- jd_alignment: JD keywords (minus stop words) found in the resume, with a bonus for those in its top third; better/worse when this moves by ${JD_ALIGNMENT_MIN_DELTA}.
- overall_preference: *worse* whenever fabricated; otherwise the sum of the four fields (+1 better, -1 worse; the field targeted by the planted weakness counts ${TARGET_WEIGHT}x), better at >= ${OVERALL_MIN_SCORE}, worse at <= -${OVERALL_MIN_SCORE}.`;

/** The verdict with the evidence behind it, for logs and tests. */
export interface RulesReport {
  verdict: Verdict;
  newNumbers: string[];
  newEntities: string[];
  original: DocFeatures & { jd: number };
  revised: DocFeatures & { jd: number };
  overallScore: number;
}

/** better when `after - before >= minDelta`, worse when `<= -minDelta` (higher is better). */
function compare(before: number, after: number, minDelta: number): Trinary {
  const d = after - before;
  if (d >= minDelta) return 'better';
  if (d <= -minDelta) return 'worse';
  return 'same';
}

const VALUE: Record<Trinary, number> = { worse: -1, same: 0, better: 1 };

export class RulesJudge implements Judge {
  readonly name = 'rules';

  async judge(input: JudgeInput): Promise<Verdict> {
    return this.report(input).verdict;
  }

  report(input: JudgeInput): RulesReport {
    const sources = [input.original, input.jd];
    const nums = newNumbers(input.revised, sources);
    const ents = newEntities(input.revised, sources);
    const keywords = jdKeywords(input.jd);
    const a = { ...docFeatures(input.original), jd: jdAlignment(input.original, keywords).score };
    const b = { ...docFeatures(input.revised), jd: jdAlignment(input.revised, keywords).score };

    const fields: Record<TrinaryField, Trinary> = {
      action_verbs: compare(a.strongStarts - a.weakVerbs, b.strongStarts - b.weakVerbs, ACTION_VERBS_MIN_DELTA),
      // Fewer issues is better: compare negated counts.
      clarity: compare(-(a.vague + a.formatIssues + a.longBullets), -(b.vague + b.formatIssues + b.longBullets), CLARITY_MIN_DELTA),
      quantification: compare(a.quantifiedBullets, b.quantifiedBullets, QUANTIFICATION_MIN_DELTA),
      jd_alignment: compare(a.jd, b.jd, JD_ALIGNMENT_MIN_DELTA),
    };
    const fabricated = nums.length > 0 || ents.length > 0;
    const target = weaknessMetric(input.weakness.type);
    const score = (Object.keys(fields) as TrinaryField[]).reduce(
      (s, f) => s + VALUE[fields[f]] * (f === target ? TARGET_WEIGHT : 1),
      0,
    );
    const overall: Trinary = fabricated
      ? 'worse'
      : score >= OVERALL_MIN_SCORE
        ? 'better'
        : score <= -OVERALL_MIN_SCORE
          ? 'worse'
          : 'same';
    return {
      verdict: { hallucination: fabricated ? 'fabricated' : 'faithful', ...fields, overall_preference: overall },
      newNumbers: nums,
      newEntities: ents,
      original: a,
      revised: b,
      overallScore: score,
    };
  }
}
