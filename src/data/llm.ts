// LLM mode of the data generator (the published set was LLM-written): the same seeded plan and
// personas as the procedural mode, but an OpenAI-compatible model writes the resume and the JD.
// Its answer is JSON, parsed with zod; weak-line numbers are recomputed from the text (the model
// only quotes the lines), the stats are recomputed, and the layout rule is enforced. An invalid
// answer is sent back to the model with the problems, up to maxAttempts answers per row.
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { z } from 'zod';
import { checkRow, describeIssue } from './check.js';
import { planDataset, planPersona, type Dataset, type RowPlan, type SplitSizes } from './generate.js';
import { layoutLineCount, LINE_LIMIT, WRAP_WIDTH } from './layout.js';
import { personaRecord, SENIORITY, type PersonaContext } from './persona.js';
import { DataRow, type Weakness } from './schema.js';
import { outline } from './sections.js';

export interface LlmOptions {
  client: OpenAI;
  model: string;
  /** Answers requested per row before giving up (first try included). */
  maxAttempts: number;
  /** Rows written in parallel. */
  concurrency: number;
  temperature: number;
  /** Ask for response_format json_object (some servers reject it; the parser copes either way). */
  jsonMode: boolean;
  /** Weak bullets / bullets must fall in this range (the spec's "about 60%", with slack). */
  weakRatio: readonly [number, number];
  log?: (msg: string) => void;
}

export const DEFAULT_WEAK_RATIO = [0.4, 0.8] as const;

/** What the model must return. */
export const LlmAnswer = z.object({
  resume: z.string().min(1),
  jd: z.string().min(1),
  description: z.string().min(1),
  weak_lines: z.array(z.object({ text: z.string().min(1), reason: z.string().min(1) })).min(1),
});
export type LlmAnswer = z.infer<typeof LlmAnswer>;

const WEAKNESS_BRIEF: Record<Weakness, string> = {
  vague_bullets:
    'vague_bullets: the weak bullets use generic phrasing ("worked on", "helped with", "responsible for") with no concrete task, tool or result. Weak lines = those bullets.',
  no_metrics:
    'no_metrics: the weak bullets state real, specific accomplishments with zero quantification (no numbers, percentages, money or durations). Weak lines = those bullets.',
  too_long:
    'too_long: good content, but the resume is over the page limit: 58-70 layout lines. The weak bullets are routine, low-signal duties that could be cut; you may add low-value sections (Interests, Volunteering). Weak lines = those bullets and low-value section lines.',
  wrong_emphasis:
    'wrong_emphasis: the experience most relevant to the JD is buried and undersold (short, hedged bullets at the end of each role) while unrelated work leads each role and the summary stresses other areas. Weak lines = the undersold relevant bullets, the misplaced leading bullets and the summary line.',
  weak_verbs:
    'weak_verbs: the weak bullets use passive or hedged constructions ("was responsible for", "helped to", "X was built by the team") instead of action verbs. Weak lines = those bullets.',
  formatting_inconsistent:
    'formatting_inconsistent: strong content, inconsistent formatting: date formats differ between roles, the weak bullets deviate in marker (-, *, •), punctuation, capitalization or indentation, and at least one heading uses the wrong level. Weak lines = the deviating bullets, date lines and headings.',
};

export const SYSTEM_PROMPT = [
  'You write synthetic resume and job-description pairs used to train and evaluate a resume-revision agent.',
  'Reply with one JSON object only, no prose and no code fences, of the form:',
  '{"resume": "<Markdown resume>", "jd": "<Markdown job description>", "description": "<one or two sentences: what is wrong, for a judge>", "weak_lines": [{"text": "<a weak line copied exactly from the resume>", "reason": "<why it is weak>"}]}',
].join('\n');

function personaBrief(plan: RowPlan, p: PersonaContext): string {
  const stack = p.role.stack.map(([cat], i) => `${cat}: ${(p.stack[i] ?? []).join(', ')}`).join('; ');
  const ym = (d: { year: number; month: number } | null): string => (d ? `${d.year}-${String(d.month).padStart(2, '0')}` : 'present');
  const jobs = p.jobs
    .map((j) => `- ${j.title} at ${j.company} (${j.vertical.name}), ${j.location}, ${ym(j.start)} to ${ym(j.end)}`)
    .join('\n');
  const edu = p.education.map((e) => `- ${e.degree}, ${e.school}, ${e.year}`).join('\n');
  const certs = p.certs.length ? p.certs.map((c) => `- ${c.name} (${c.year})`).join('\n') : '- none';
  return [
    `Row id: ${plan.id}`,
    `Name: ${p.first} ${p.last}; email ${p.handle}@example.com; phone ${p.phone}; location ${p.location}`,
    `Role: ${p.role.name}; seniority: ${SENIORITY[p.level]} (${p.years} years of experience); industry: ${p.vertical.name}`,
    `Stack: ${stack}`,
    'Jobs, most recent first (use these titles, companies and dates):',
    jobs,
    'Education:',
    edu,
    'Certifications:',
    certs,
    `The JD should centre on: ${p.focus.map((a) => a.label).join(' and ')}.`,
  ].join('\n');
}

export function buildMessages(plan: RowPlan, p: PersonaContext): ChatCompletionMessageParam[] {
  const long = plan.weakness === 'too_long';
  const user = [
    'Write a Markdown resume for this persona and a job description (JD) they would plausibly apply to: same role family, same or next seniority level, same industry, at a new fictional company.',
    '',
    personaBrief(plan, p),
    '',
    `Planted weakness: ${plan.weakness}`,
    WEAKNESS_BRIEF[plan.weakness],
    'The resume carries exactly this one weakness and no other.',
    '',
    'Resume rules:',
    '- First line "# Full Name", then a contact line, then sections with "## " headings named Summary, Experience, Skills, Education (optionally Projects, Certifications).',
    '- Each job: a "### " header with title, company and dates, then achievement bullets starting with "- ".',
    '- About 60% of the achievement bullets are weak (carrying the planted weakness) and 40% strong (action verb, specific work, a quantified result).',
    `- Layout: lines are counted after splitting on newlines; each line counts max(1, ceil(characters / ${WRAP_WIDTH})). ` +
      (long
        ? `This resume must be OVER ${LINE_LIMIT} layout lines (aim for 58-70).`
        : `This resume must be at most ${LINE_LIMIT} layout lines (aim for 44-50).`),
    '- Invent no real companies or people; use the persona\'s facts.',
    '',
    'weak_lines: list every weak line, each copied character for character from the resume (one entry per line), with a short reason.',
  ].join('\n');
  return [
    { role: 'system', content: SYSTEM_PROMPT },
    { role: 'user', content: user },
  ];
}

export type AnswerResult = { ok: true; row: DataRow } | { ok: false; problems: string[] };

/** Strips a ```json fence if the model added one. */
function unfence(s: string): string {
  const m = /^\s*```(?:json)?\s*\n([\s\S]*?)\n\s*```\s*$/.exec(s);
  return m ? (m[1] as string) : s.trim();
}

/** Validates one model answer and turns it into a dataset row (or says what is wrong). */
export function rowFromAnswer(plan: RowPlan, p: PersonaContext, content: string, weakRatio: readonly [number, number] = DEFAULT_WEAK_RATIO): AnswerResult {
  let json: unknown;
  try {
    json = JSON.parse(unfence(content));
  } catch (e) {
    return { ok: false, problems: [`the answer is not valid JSON (${(e as Error).message})`] };
  }
  const parsed = LlmAnswer.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => `field ${i.path.map(String).join('.') || '(root)'}: ${i.message}`) };
  }
  const a = parsed.data;
  const norm = (s: string): string => {
    const t = s.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
    return `${t}\n`;
  };
  const resume = norm(a.resume);
  const jd = norm(a.jd);
  const problems: string[] = [];
  const o = outline(resume);

  // Line numbers come from the text: each quoted line must be a resume line (first unused match).
  const taken = new Set<number>();
  const weakLines: { line: number; text: string; reason: string }[] = [];
  a.weak_lines.forEach((w, k) => {
    const want = w.text.replace(/\s+$/, '');
    const idx = o.lines.findIndex((l, i) => !taken.has(i) && l.replace(/\s+$/, '') === want);
    if (idx < 0) {
      problems.push(`weak_lines[${k}].text is not a line of the resume: ${JSON.stringify(w.text)}`);
      return;
    }
    taken.add(idx);
    weakLines.push({ line: idx + 1, text: o.lines[idx] as string, reason: w.reason });
  });
  weakLines.sort((x, y) => x.line - y.line);

  const layout = layoutLineCount(resume);
  if (plan.weakness === 'too_long' && layout <= LINE_LIMIT) {
    problems.push(`a too_long resume must be over ${LINE_LIMIT} layout lines; this one has ${layout}`);
  }
  if (plan.weakness !== 'too_long' && layout > LINE_LIMIT) {
    problems.push(`the resume must be at most ${LINE_LIMIT} layout lines; this one has ${layout}`);
  }
  const bulletSet = new Set(o.bulletLines);
  const bullets = o.bulletLines.length;
  const weakBullets = weakLines.filter((w) => bulletSet.has(w.line)).length;
  if (bullets === 0) {
    problems.push('no achievement bullets found under an Experience or Projects section ("## Experience" then "- ..." lines)');
  } else {
    const ratio = weakBullets / bullets;
    if (ratio < weakRatio[0] || ratio > weakRatio[1]) {
      problems.push(`${weakBullets} of ${bullets} bullets are listed as weak (${Math.round(ratio * 100)}%); about 60% should be`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };

  const row = DataRow.safeParse({
    id: plan.id,
    split: plan.split,
    persona: personaRecord(p),
    jd,
    resume,
    weakness: { type: plan.weakness, description: a.description, lines: weakLines },
    stats: { lines: layout, bullets, weak_bullets: weakBullets },
    source: 'llm',
  });
  if (!row.success) return { ok: false, problems: row.error.issues.map(describeIssue) };
  const issues = checkRow(row.data);
  if (issues.length > 0) return { ok: false, problems: issues.map(describeIssue) };
  return { ok: true, row: row.data };
}

export class LlmRowError extends Error {
  constructor(
    readonly rowId: string,
    readonly attempts: number,
    readonly problems: string[],
  ) {
    super(`row ${rowId}: no valid answer after ${attempts} attempt(s); last problems: ${problems.join('; ')}`);
    this.name = 'LlmRowError';
  }
}

/** Writes one row with the model, feeding validation problems back until it passes. */
export async function writeRowWithLlm(seed: string, plan: RowPlan, opts: LlmOptions): Promise<DataRow> {
  const p = planPersona(seed, plan);
  const messages = buildMessages(plan, p);
  let problems: string[] = ['no answer'];
  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    let content = '';
    try {
      const res = await opts.client.chat.completions.create({
        model: opts.model,
        messages,
        temperature: opts.temperature,
        ...(opts.jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
      });
      content = res.choices[0]?.message?.content ?? '';
    } catch (e) {
      // Transport errors were already retried by the client (its maxRetries); count as an attempt.
      problems = [`request failed: ${(e as Error).message}`];
      opts.log?.(`${plan.id}: attempt ${attempt}: ${problems[0]}`);
      continue;
    }
    const result = rowFromAnswer(plan, p, content, opts.weakRatio);
    if (result.ok) return result.row;
    problems = result.problems;
    opts.log?.(`${plan.id}: attempt ${attempt} invalid: ${problems.join('; ')}`);
    messages.push({ role: 'assistant', content });
    messages.push({
      role: 'user',
      content: `That answer is invalid:\n${problems.map((s) => `- ${s}`).join('\n')}\nReply with the corrected JSON object only.`,
    });
  }
  throw new LlmRowError(plan.id, opts.maxAttempts, problems);
}

/** The whole dataset in LLM mode; rows keep the plan's order whatever the concurrency. */
export async function generateDatasetLlm(seed: string, sizes: SplitSizes, opts: LlmOptions): Promise<Dataset> {
  const plans = planDataset(seed, sizes);
  const rows: DataRow[] = new Array(plans.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (next < plans.length && !failed) {
      const i = next++;
      try {
        rows[i] = await writeRowWithLlm(seed, plans[i] as RowPlan, opts);
      } catch (e) {
        failed = true; // stop the other workers from starting new rows
        throw e;
      }
      opts.log?.(`${(plans[i] as RowPlan).id}: ok`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, plans.length)) }, worker));
  return { train: rows.filter((r) => r.split === 'train'), eval: rows.filter((r) => r.split === 'eval') };
}
