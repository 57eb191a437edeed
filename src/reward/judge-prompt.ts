// All text the LLM judge sees, in one place (resume-task.md section 4). The wording is a
// **(choice)**: the publication names the fields and their values but not the judge prompt.
// Bump JUDGE_PROMPT_VERSION whenever this text or the verdict schema changes: it is part of the
// cache key, so old cached verdicts are not reused for a different prompt.
import type { JudgeInput } from './verdict.js';

export const JUDGE_PROMPT_VERSION = 'resume-judge-v1';

export const JUDGE_SYSTEM_PROMPT = `You are an exacting hiring manager and resume editor. An editing agent revised a candidate's Markdown resume for a specific job description (JD). Compare the REVISED resume with the ORIGINAL and give one categorical verdict per field.

Fields and values:
- hallucination: "fabricated" or "faithful". "fabricated" if the revision states anything about the candidate that the original resume does not support: a new number or metric, employer, product, title, date, degree, certification, tool, skill, team size or result. The JD may supply vocabulary, not facts: describing experience the original already shows in the JD's words is faithful; claiming a JD requirement the original does not show is fabricated. Rephrasing, reordering, merging, shortening and deleting are faithful.
- clarity: "better", "same" or "worse". Specific, concise, readable bullets and consistent formatting (date formats, bullet markers, heading levels) are better; vague phrasing ("various", "many things", "etc."), wordiness and broken or inconsistent formatting are worse.
- quantification: "better", "same" or "worse". More accomplishments stated with concrete scale or results (numbers, percentages, money, counts) is better; losing them is worse. Judge this field on its own: invented numbers are penalized under hallucination.
- jd_alignment: "better", "same" or "worse". The experience and skills most relevant to the JD are more prominent, better placed and described in terms the JD uses: better. Relevant material buried, cut or undersold: worse.
- action_verbs: "better", "same" or "worse". Bullets led by strong, specific action verbs (led, built, reduced) instead of weak or passive constructions ("responsible for", "helped with", "was involved in", "were handled by"): better. The reverse: worse.
- overall_preference: "better", "same" or "worse". All factors together and the overall impression: would a hiring manager for this JD prefer the revised resume to the original? Any fabrication weighs heavily against the revision.

Use "same" when the revision makes no meaningful difference on that field. Page length is scored elsewhere: do not count lines, but wordiness still affects clarity. You are told which weakness was planted in the original; use it to know where to look, but judge every field on the whole document. Reply with the JSON object only.`;

/** The user message: the JD, the planted-weakness metadata, the original and the revised resume. */
export function judgeUserPrompt(input: JudgeInput): string {
  const w = input.weakness;
  const lines = w.lines.length
    ? w.lines.map((l) => `- line ${l.line}: ${JSON.stringify(l.text)} (${l.reason})`).join('\n')
    : '- (no lines listed)';
  return [
    '<job_description>',
    input.jd.trim(),
    '</job_description>',
    '',
    '<planted_weakness>',
    `type: ${w.type}`,
    `description: ${w.description}`,
    'weak lines in the original:',
    lines,
    '</planted_weakness>',
    '',
    '<original_resume>',
    input.original.trim(),
    '</original_resume>',
    '',
    '<revised_resume>',
    input.revised.trim(),
    '</revised_resume>',
    '',
    'Give your verdict for each field: hallucination, clarity, quantification, jd_alignment, action_verbs, overall_preference.',
  ].join('\n');
}

/** The chat messages of one judge request. */
export function judgeMessages(input: JudgeInput): { role: 'system' | 'user'; content: string }[] {
  return [
    { role: 'system', content: JUDGE_SYSTEM_PROMPT },
    { role: 'user', content: judgeUserPrompt(input) },
  ];
}
