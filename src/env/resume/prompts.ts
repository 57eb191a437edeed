// Everything the agent is told, in one place (resume-task.md section 2, "(choice)" items): the
// system prompt, the user message presenting the JD and the resume, the tool schemas for the chat
// template's tools list, and the turn / token budgets.
import { LINE_LIMIT, WRAP_WIDTH } from '../../data/layout.js';
import { renderResume } from './view.js';
import type { ChatMessage, ToolSchema } from '../chat.js';

export type { ChatMessage, ToolSchema } from '../chat.js';

/** Turns per episode; a turn is one assistant message (spec section 1, published). */
export const MAX_TURNS = 10;

/**
 * (choice) Generated tokens per assistant message, thinking included. Qwen3 thinks at length; 2048
 * leaves room for a short plan plus one str_replace carrying a rewritten bullet (~100 tokens), and
 * keeps a 10-turn rollout's generation under ~20k tokens. A message cut at the limit usually holds an
 * unterminated <tool_call> or <think>, which the parser reports (failed call / no call).
 */
export const MAX_TOKENS_PER_TURN = 2048;

/**
 * (choice) Whole-episode context in tokens (prompt + all turns + tool replies). Prompt ~2.5k
 * (system + tools + JD + a ~50-line resume), each review() reply repeats the resume (~1.5k): 16384
 * fits 10 turns with a couple of reviews and long thinking. Each turn's generation is capped at what
 * is left, and the episode stops ('token_budget') once nothing is. Qwen3-14B's window (40960) is far above this: the limit is about
 * training memory, not the model.
 */
export const MAX_EPISODE_TOKENS = 16384;

/**
 * (choice) System prompt. Covers what the spec lists: the revision priorities (clarity,
 * quantification, JD alignment, action verbs), never inventing facts, one tool call per turn, the
 * page limit, plus the tool rules the environment enforces (exact match, count), so that a failed
 * call is the model's mistake and not a surprise. It does not name the planted weakness (the spec
 * keeps it from the agent) and says nothing about the reward's point values.
 */
export const SYSTEM_PROMPT = `You are an expert resume editor. You revise a candidate's resume (the file resume.md, in Markdown) so that it is as strong as possible for one specific job description.

Revision priorities:
1. Clarity: specific, concrete bullets instead of generic phrasing.
2. Quantification: show scale and results with numbers, but only numbers the resume already supports.
3. Alignment with the job description: bring forward and strengthen the experience the job asks for.
4. Action verbs: start bullets with strong verbs in the active voice.
Also keep the formatting consistent (dates, bullets, headings).

Rules:
- Never invent facts: no new employers, titles, dates, degrees, skills, tools or numbers that the resume does not state. Rephrase, reorder, condense and emphasize what is there.
- The resume must fit on one page: at most ${LINE_LIMIT} lines, where a line longer than ${WRAP_WIDTH} characters wraps and counts as several.
- Make exactly one tool call per message. You have ${MAX_TURNS} messages in total; every message counts, whatever it holds.
- str_replace replaces text exactly: "old" must be copied character for character from the current resume (spaces and punctuation included) and must occur exactly "count" times (default 1). Include enough surrounding text to make it unique.
- review shows the current resume with its line count. submit ends the task; call it when you are done. A message without a tool call also ends the task, without submitting.`;

/**
 * (choice) The first user message: the JD, then the resume as the agent would see it after opening
 * the file (the same <resume> framing and status line as the review() reply, so the two read alike).
 * The weakness label is not shown.
 */
export function userMessage(jd: string, resumeView: string): string {
  return `Revise my resume for this job. Here is the job description:

<job_description>
${jd.trimEnd()}
</job_description>

I opened resume.md for you:

${resumeView}

Improve it for this job with str_replace edits, staying within the page limit, then submit.`;
}

/** The episode's opening: system prompt, then the JD and the freshly opened resume. */
export function initialMessages(jd: string, resume: string): ChatMessage[] {
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: userMessage(jd, renderResume(resume)) },
  ];
}

export const TOOL_SCHEMAS: readonly ToolSchema[] = [
  {
    type: 'function',
    function: {
      name: 'str_replace',
      description:
        'Replace text in resume.md. "old" must match the current resume exactly (no fuzzy matching) and occur exactly "count" times; every occurrence is replaced. Replies with a unified diff and the layout status.',
      parameters: {
        type: 'object',
        properties: {
          old: { type: 'string', description: 'The exact text to replace (non-empty).' },
          new: { type: 'string', description: 'The replacement text (may be empty to delete).' },
          count: {
            type: 'integer',
            description: 'How many occurrences of "old" you expect to replace (default 1).',
            minimum: 1,
          },
        },
        required: ['old', 'new'],
      },
    },
  },
  {
    type: 'function',
    function: {
      name: 'review',
      description: 'Show the full current resume.md with its line count against the page limit.',
      parameters: { type: 'object', properties: {}, required: [] },
    },
  },
  {
    type: 'function',
    function: {
      name: 'submit',
      description: 'Submit the current resume.md as final. Ends the task.',
      parameters: { type: 'object', properties: {}, required: [] },
    },
  },
];

export const TOOL_NAMES = ['str_replace', 'review', 'submit'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];
