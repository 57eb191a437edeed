// An evaluation's progress lines, its partial results and resuming them (src/eval/evaluate.ts,
// out-dir.ts, progress.ts), with a scripted sampler whose replies depend only on each request's seed
// (as the embedded sampler's draws do): an evaluation stopped after its first chunk and resumed
// equals one run straight through, a resume with other settings is refused, and the thinking
// setting is recorded. No model, no device.
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResumeEnvironment, type EpisodeResult, type EpisodeRow } from '../../src/env/resume/episode.js';
import { checkEvalOut, evaluate, evaluateWith, type EvalOptions, type EvalRunOptions } from '../../src/eval/evaluate.js';
import { CHUNKS_FILE } from '../../src/eval/out-dir.js';
import { EvalProgress } from '../../src/eval/progress.js';
import { compareReports } from '../../src/eval/compare.js';
import { readSavedEval } from '../../src/eval/saved.js';
import { hashString } from '../../src/io/rng.js';
import { bundledQwen3TokenizerDir, QWEN3_SPECIAL_IDS, type HfTokenizer } from '../../src/io/tokenizer.js';
import { formatToolCall } from '../../src/io/toolcall.js';
import type { GenerateRequest, GenerateResult } from '../../src/model/generate.js';
import { describeJudge, JudgeConfig } from '../../src/reward/judge-config.js';
import { RulesJudge } from '../../src/reward/rules-judge.js';
import type { RolloutContext } from '../../src/rl/rollout.js';
import { loadChatFormat } from '../../src/rl/setup.js';
import type { TurnSampler } from '../../src/rollout/sampler.js';

const root = mkdtempSync(join(tmpdir(), 'eval-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const REPLIES = [formatToolCall('review'), formatToolCall('submit'), 'I would rather not.', formatToolCall('str_replace', { old: '- ', new: '* ' })];

/** Replies chosen by the request's seed; records the seeds it served; fails a request whose seed
 *  matches `failOn` (an evaluation stopped there). `delayMs`: each reply takes that long, and its
 *  tokens count as sampled from the start (as the embedded sampler's count grows while it decodes). */
class SeededSampler implements TurnSampler {
  readonly seeds: string[] = [];
  readonly prompts: number[][] = [];
  generatedTokens?: number;
  constructor(
    private readonly tok: HfTokenizer,
    private readonly o: { failOn?: RegExp; delayMs?: number } = {},
  ) {
    if (o.delayMs) this.generatedTokens = 0;
  }
  async sample(req: GenerateRequest): Promise<GenerateResult> {
    const seed = String(req.seed);
    if (this.o.failOn?.test(seed)) throw new Error(`stopped at ${seed}`);
    const tokens = [...this.tok.encode(REPLIES[hashString(seed) % REPLIES.length]!), QWEN3_SPECIAL_IDS.imEnd];
    if (this.o.delayMs) {
      this.generatedTokens! += tokens.length;
      await new Promise((r) => setTimeout(r, this.o.delayMs));
    }
    this.seeds.push(seed);
    this.prompts.push([...req.prompt]);
    return { tokens, logprobs: tokens.map(() => -1), modelLogprobs: tokens.map(() => -1), finishReason: 'stop' };
  }
}

let tok: HfTokenizer;
let base: Omit<RolloutContext<EpisodeResult>, 'sampler'>;
let rows: EpisodeRow[];
beforeAll(async () => {
  const { tokenizer, template } = await loadChatFormat(bundledQwen3TokenizerDir());
  tok = tokenizer;
  const env = new ResumeEnvironment(new RulesJudge(), { eval: 'data/eval.jsonl' });
  rows = env.rows('eval').slice(0, 3);
  base = { env, tokenizer, template, sampling: { temperature: 0.7 }, maxTurns: 3, maxTokensPerTurn: 64, maxEpisodeTokens: 8192, enableThinking: false };
});

const run = (out: string, more: Partial<EvalRunOptions> = {}): EvalRunOptions => ({
  rolloutsPerRow: 2,
  rowsAtOnce: 1,
  seed: 'eval',
  out,
  resume: true,
  log: () => undefined,
  meta: { model: 'scripted', judge: 'rules', data: 'data/eval.jsonl', limit: 3 },
  ...more,
});
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const withoutDate = (json: string) => ({ ...JSON.parse(json), date: undefined });

describe('evaluateWith: partial results and resume', () => {
  it('an evaluation stopped after its first chunk and resumed equals one run straight through', async () => {
    const full = join(root, 'full');
    const a = await evaluateWith({ ...base, sampler: new SeededSampler(tok) }, rows, run(full));
    expect(a.report.rollouts).toBe(6);
    expect(a.report.partial).toBeUndefined();
    expect(new Set(a.report.samples!.map((s) => s.reward)).size).toBeGreaterThan(1); // the replies differ, so the check means something

    const cut = join(root, 'cut');
    await expect(evaluateWith({ ...base, sampler: new SeededSampler(tok, { failOn: /\/rows1\// }) }, rows, run(cut))).rejects.toThrow(/stopped at eval\/rows1/);
    const partial = readSavedEval(cut);
    expect(partial.partial).toEqual({ rows: 1, of: 3 });
    expect(partial.rollouts).toBe(2);
    expect(read(cut, 'eval.md')).toContain('**partial: 1 of 3 rows**');
    expect(read(cut, 'rollouts.jsonl').trim().split('\n')).toHaveLength(2);

    const lines: string[] = [];
    const again = new SeededSampler(tok);
    const b = await evaluateWith({ ...base, sampler: again }, rows, run(cut, { log: (s) => lines.push(s) }));
    expect(lines).toContain(`eval: resuming the evaluation in ${cut}: 1 of 3 rows already done`);
    expect(again.seeds.some((s) => s.includes('/rows0/'))).toBe(false); // the finished chunk is not sampled again
    expect(b.rollouts).toHaveLength(4);
    expect({ ...b.report, date: '' }).toEqual({ ...a.report, date: '' });
    expect(read(cut, 'rollouts.jsonl')).toBe(read(full, 'rollouts.jsonl'));
    expect(withoutDate(read(cut, 'eval.json'))).toEqual(withoutDate(read(full, 'eval.json')));
    expect(read(cut, 'eval.md')).not.toContain('partial');
  });

  it('a finished evaluation resumed again only rebuilds its report: no device, no model, no sampler', async () => {
    const dir = join(root, 'finished');
    const modelDir = bundledQwen3TokenizerDir(); // only its tokenizer and chat template are read
    const meta = { model: resolve(modelDir), judge: describeJudge(JudgeConfig.parse({})), data: resolve('data/eval.jsonl'), limit: 3 };
    const a = await evaluateWith({ ...base, sampler: new SeededSampler(tok) }, rows, run(dir, { meta }));
    const o: EvalOptions = { modelDir, data: 'data/eval.jsonl', limit: 3, rolloutsPerRow: 2, rowsAtOnce: 1, seed: 'eval', out: dir, resume: true, maxTurns: 3, maxTokensPerTurn: 64, maxEpisodeTokens: 8192, log: () => undefined };
    expect(checkEvalOut(o)).toBe(true);
    expect(() => checkEvalOut({ ...o, limit: 2 })).toThrow(/other settings \(--limit: 3 there, 2 now/);
    expect(checkEvalOut({ ...o, out: join(root, 'not-yet') })).toBe(false);
    const b = await evaluate(null, o); // no GPU and no sampler server: fails unless nothing is sampled
    expect({ ...b.report, date: '' }).toEqual({ ...a.report, date: '' });
  });

  it('a cut-off last chunk line (killed while appending) is dropped and that chunk sampled again', async () => {
    const dir = join(root, 'torn');
    await expect(evaluateWith({ ...base, sampler: new SeededSampler(tok, { failOn: /\/rows2\// }) }, rows, run(dir))).rejects.toThrow();
    const text = read(dir, CHUNKS_FILE);
    const [first, second] = text.trim().split('\n');
    rmSync(join(dir, CHUNKS_FILE));
    appendFileSync(join(dir, CHUNKS_FILE), `${first}\n${second!.slice(0, 100)}`);
    const lines: string[] = [];
    const s = new SeededSampler(tok);
    const r = await evaluateWith({ ...base, sampler: s }, rows, run(dir, { log: (x) => lines.push(x) }));
    expect(lines.some((l) => /line 2 is cut off/.test(l))).toBe(true);
    expect(new Set(s.seeds.map((x) => x.split('/')[1]))).toEqual(new Set(['rows1', 'rows2']));
    expect(withoutDate(JSON.stringify(r.report))).toEqual(withoutDate(read(join(root, 'full'), 'eval.json')));
  });

  it('refuses to resume an evaluation with other settings, naming each difference', async () => {
    const full = join(root, 'full');
    const ctx = { ...base, sampler: new SeededSampler(tok) };
    await expect(evaluateWith(ctx, rows, run(full, { rolloutsPerRow: 3 }))).rejects.toThrow(`${full} holds an evaluation with other settings (--rollouts: 2 there, 3 now); give another --out, or delete ${full} to start over`);
    await expect(evaluateWith({ ...ctx, enableThinking: true, maxTurns: 4 }, rows, run(full))).rejects.toThrow(/--max-turns: 3 there, 4 now; thinking \(--enable-thinking \/ --no-enable-thinking\): false there, true now/);
    await expect(evaluateWith({ ...ctx, sampling: { temperature: 1 } }, rows.slice(0, 2), run(full, { meta: { model: 'other', judge: 'rules', data: 'data/eval.jsonl', limit: 2 } }))).rejects.toThrow(
      /--model: "scripted" there, "other" now; --limit: 3 there, 2 now; row ids of the data: 3 rows \(eval-000, eval-001, eval-002\) there, 2 rows \(eval-000, eval-001\) now; --temperature: 0.7 there, 1 now/,
    );
    // Without resume (the trainer's evaluations) the directory starts over.
    const fresh = await evaluateWith(ctx, rows.slice(0, 1), run(join(root, 'cut'), { resume: false }));
    expect(readSavedEval(join(root, 'cut')).rollouts).toBe(fresh.report.rollouts);
    expect(read(join(root, 'cut'), 'rollouts.jsonl').trim().split('\n')).toHaveLength(2);
  });

  it('records the thinking setting in the report, eval.md and comparisons; the prompts follow it', async () => {
    const on = new SeededSampler(tok);
    const dir = join(root, 'thinking');
    const r = await evaluateWith({ ...base, enableThinking: true, sampler: on }, rows.slice(0, 1), run(dir));
    expect(r.report.enableThinking).toBe(true);
    expect(readSavedEval(dir).enableThinking).toBe(true);
    expect(read(dir, 'eval.md')).toMatch(/judge rules; thinking on;/);
    const off = await evaluateWith({ ...base, sampler: new SeededSampler(tok) }, rows.slice(0, 1), run(join(root, 'thinking-off')));
    expect(tok.decode(on.prompts[0]!)).toMatch(/<\|im_start\|>assistant\n$/);
    const md = compareReports(off.report, r.report).markdown;
    expect(md).toMatch(/^base \(A\): scripted, A, 1 examples x 2 rollouts = 2, thinking off$/m);
    expect(md).toMatch(/^trained \(B\): scripted, B, 1 examples x 2 rollouts = 2, thinking on$/m);
    const { enableThinking: _e, ...old } = off.report; // saved before the setting was recorded
    expect(compareReports(old, { ...r.report, partial: { rows: 1, of: 3 } }).markdown).toMatch(/= 2\ntrained \(B\): .* = 2, thinking on, partial: 1 of 3 rows\n/);
  });
});

describe('progress lines', () => {
  it('come while sampling and at each chunk, with rollouts, tokens and the time left', async () => {
    const lines: string[] = [];
    await evaluateWith({ ...base, sampler: new SeededSampler(tok, { delayMs: 60 }) }, rows.slice(0, 2), run(join(root, 'progress'), { log: (s) => lines.push(s), progressEveryMs: 10 }));
    expect(lines[0]).toBe('eval: 2 rows x 2 rollouts = 4, 1 row at a time; up to 192 tokens per rollout (3 turns x 64, at most 8192 per episode); thinking off');
    expect(lines.some((l) => /^eval: 0\/4 rollouts done \(0\/2 rows\), \d+ tokens sampled \([\d.]+ tokens\/s\), \d+ s so far; at most about \d+ s left \(no row finished yet: 4 unfinished rollouts at up to 192 tokens each, [\d.]+ tokens\/s\)$/.test(l))).toBe(true);
    expect(lines.some((l) => /^eval: 2\/4 rollouts done \(1\/2 rows\), .* about \d+ s left \(at the pace of the 1 row finished in this run: \d+ s per row\)$/.test(l))).toBe(true);
    expect(lines[lines.length - 1]).toMatch(/^eval: 4\/4 rollouts done \(2\/2 rows\), \d+ tokens sampled .*; all done$/);
  });

  it('estimates from the finished rows, or bounds by the token limits before any', () => {
    let now = 0;
    let tokens = 0;
    const lines: string[] = [];
    const p = new EvalProgress({ log: (s) => lines.push(s), rows: 4, rolloutsPerRow: 2, rowsDone: 1, tokensPerRollout: 100, tokens: () => tokens, now: () => now });
    p.start();
    p.stop(); // lines are asked for by hand below
    expect(p.line()).toBe('eval: 2/8 rollouts done (1/4 rows), 0 tokens sampled (0.0 tokens/s), 0 s so far; no estimate yet');
    now = 10_000;
    tokens = 200;
    p.rollout(); // one rollout of the chunk finished: at most 100 of the 200 tokens are its own
    // 5 rollouts left x 100 tokens, less the 100 the unfinished ones have spent, at 20 tokens/s = 20 s.
    expect(p.line()).toBe('eval: 3/8 rollouts done (1/4 rows), 200 tokens sampled (20.0 tokens/s), 10 s so far; at most about 20 s left (no row finished yet: 5 unfinished rollouts at up to 100 tokens each, 20.0 tokens/s)');
    now = 20_000;
    tokens = 400;
    p.rollout();
    p.chunk(1); // 1 row in 20 s
    now = 25_000;
    expect(p.line()).toBe('eval: 4/8 rollouts done (2/4 rows), 400 tokens sampled (16.0 tokens/s), 25 s so far; about 35 s left (at the pace of the 1 row finished in this run: 20 s per row)');
    expect(lines).toHaveLength(1);
  });
});
