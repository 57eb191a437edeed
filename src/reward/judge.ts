// The LLM content judge (resume-task.md section 4): one chat.completions request per rollout to
// any OpenAI-compatible endpoint (Gemini's OpenAI-compatible API, vLLM, OpenAI...), with structured
// output (`response_format: json_schema`, strict) derived from the shared zod Verdict.
//
// Configuration: an OpenAIJudgeConfig object; a run builds it from its config's `judge` section
// (src/reward/judge-config.ts: settings and their defaults) and the API key from the environment
// (src/rl/setup.ts makeJudge).
//
// Reliability: the openai client's own retries are disabled (maxRetries: 0) so that the retry
// policy below is the only one and attempts are counted exactly. Each attempt has its own
// AbortSignal timeout. Retried: HTTP 408/409/429/5xx, timeouts, connection errors, and replies that
// do not parse as a Verdict; the wait is exponential backoff with jitter, or the server's
// Retry-After when it sends one (capped by maxRetryAfterMs). Other HTTP errors (400, 401, 403,
// 404, 422) fail at once. When no attempt succeeds a JudgeError names endpoint, model, attempts
// and the last cause. A semaphore shared by the instance bounds requests in flight (a slot is held
// only during a request, not while backing off). Identical inputs judged at the same time share
// one request.
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { JudgeCache, judgeCacheKey } from './judge-cache.js';
import { JUDGE_DEFAULTS } from './judge-config.js';
import { JudgeError } from './judge-error.js';
import { JUDGE_PROMPT_VERSION, judgeMessages } from './judge-prompt.js';
import { backoffMs, retryAfterMs, Semaphore, sleep } from './judge-retry.js';
import { MalformedReplyError, parseVerdictReply, verdictResponseFormat } from './judge-schema.js';
import type { Judge, JudgeInput, Verdict } from './verdict.js';

export { JudgeError } from './judge-error.js';
export { judgeBatch, JudgeBatchError, type JudgeFailurePolicy, type JudgeOutcome } from './judge-batch.js';

export interface OpenAIJudgeConfig {
  baseURL: string;
  model: string;
  apiKey: string;
  /** Per-request timeout in ms (default 60 000). */
  timeoutMs?: number;
  /** Attempts per verdict, the first included (default 5). */
  maxAttempts?: number;
  /** First backoff delay in ms, doubled per retry (default 1000). */
  baseDelayMs?: number;
  /** Cap of the exponential backoff in ms (default 30 000). */
  maxDelayMs?: number;
  /** Longest Retry-After honoured in ms (default 120 000); longer requests wait this long. */
  maxRetryAfterMs?: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  /** Sampling temperature; unset by default, so the endpoint's default applies (Google advises
   * keeping Gemini 3 at its default of 1.0; verdicts are cached, so reruns stay repeatable). */
  temperature?: number;
  /** `max_tokens` of the request; unset by default (thinking models need room). */
  maxTokens?: number;
  /** Extra request-body fields for the endpoint, e.g. vLLM's
   * `{ chat_template_kwargs: { enable_thinking: false } }` or Gemini's `{ reasoning_effort: 'low' }`. */
  extraBody?: Record<string, unknown>;
  /** JSONL verdict cache path (appended, reloaded); omit for an in-memory cache only. */
  cachePath?: string;
  /** Name reported by the judge (default `openai:<model>`). */
  name?: string;
}

// The key's variable name is the caller's business (src/rl/setup.ts), not the judge's.
const { apiKeyEnv: _keyVariable, ...DEFAULTS } = JUDGE_DEFAULTS;

/** Documentation of the LLM judge's configuration, ready to paste into a README. */
export const OPENAI_JUDGE_DOC = `**LLM judge.** \`OpenAIJudge\` (src/reward/judge.ts) asks any OpenAI-compatible chat.completions endpoint (Gemini's OpenAI-compatible API, vLLM, OpenAI) for one categorical verdict per field, with structured output (\`response_format: json_schema\`, strict, generated from the zod Verdict). A run configures it in its config's \`judge\` section (src/reward/judge-config.ts):
- \`kind: "openai"\`, \`baseURL\` (e.g. \`https://generativelanguage.googleapis.com/v1beta/openai/\`, or \`http://127.0.0.1:8000/v1\` for vLLM), \`model\` (required);
- \`timeoutMs\` (60000), \`maxAttempts\` (5), \`baseDelayMs\` (1000), \`maxDelayMs\` (30000), \`maxRetryAfterMs\` (120000), \`concurrency\` (8), \`cachePath\` (JSONL, appended and reloaded), \`temperature\`, \`maxTokens\`, \`extraBody\` (JSON object merged into each request);
- the API key only from the environment: the variable named by \`apiKeyEnv\` (default \`JUDGE_API_KEY\`; any non-empty value for a vLLM server without \`--api-key\`).
The openai client's own retries are off (\`maxRetries: 0\`): the judge retries 408/409/429/5xx, timeouts, connection errors and malformed replies itself, with exponential backoff and jitter or the server's Retry-After, and then throws a \`JudgeError\` naming endpoint, model, attempts and last cause. \`judgeBatch(judge, inputs, policy)\` applies an explicit failure policy: \`fail\` throws, \`drop\` marks failed items \`{ok: false, error}\`, \`retry\` judges them once more after a pause, then throws.`;

/** One failed attempt, classified. */
interface AttemptFailure {
  cause: string;
  error: unknown;
  retryable: boolean;
  retryAfterMs?: number;
}

class AttemptTimeout extends Error {
  override name = 'AttemptTimeout';
}

export class OpenAIJudge implements Judge {
  readonly name: string;
  readonly cache: JudgeCache;
  private readonly client: OpenAI;
  private readonly semaphore: Semaphore;
  private readonly inflight = new Map<string, Promise<Verdict>>();
  private readonly cfg: Required<Omit<OpenAIJudgeConfig, 'temperature' | 'maxTokens' | 'extraBody' | 'cachePath' | 'name'>> &
    Pick<OpenAIJudgeConfig, 'temperature' | 'maxTokens' | 'extraBody'>;
  /** Requests sent to the endpoint so far (cache hits excluded). */
  requestCount = 0;

  constructor(config: OpenAIJudgeConfig) {
    for (const k of ['baseURL', 'model', 'apiKey'] as const) {
      if (!config[k]) throw new Error(`OpenAIJudge: config.${k} is required`);
    }
    this.cfg = {
      ...DEFAULTS,
      ...Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)),
    } as OpenAIJudge['cfg'];
    if (!(this.cfg.maxAttempts >= 1)) throw new Error(`OpenAIJudge: maxAttempts must be >= 1, got ${this.cfg.maxAttempts}`);
    this.name = config.name ?? `openai:${config.model}`;
    this.semaphore = new Semaphore(this.cfg.concurrency);
    this.cache = new JudgeCache(config.cachePath);
    this.client = new OpenAI({
      baseURL: config.baseURL,
      apiKey: config.apiKey,
      maxRetries: 0, // our retry loop is the only one (see header)
      timeout: this.cfg.timeoutMs,
    });
  }

  get endpoint(): string {
    return this.cfg.baseURL;
  }

  get model(): string {
    return this.cfg.model;
  }

  async judge(input: JudgeInput): Promise<Verdict> {
    const key = judgeCacheKey(this.cfg.model, JUDGE_PROMPT_VERSION, input);
    const cached = this.cache.get(key);
    if (cached) return cached;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = (async () => {
      const verdict = await this.judgeWithRetries(input);
      await this.cache.set(key, verdict, { model: this.cfg.model, promptVersion: JUDGE_PROMPT_VERSION });
      return verdict;
    })().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async judgeWithRetries(input: JudgeInput): Promise<Verdict> {
    const messages = judgeMessages(input);
    let last: AttemptFailure | undefined;
    let attempt = 0;
    while (attempt < this.cfg.maxAttempts) {
      attempt++;
      try {
        return await this.semaphore.run(() => this.requestOnce(messages));
      } catch (error) {
        last = this.classify(error);
        if (!last.retryable || attempt >= this.cfg.maxAttempts) break;
        const wait =
          last.retryAfterMs !== undefined
            ? Math.min(last.retryAfterMs, this.cfg.maxRetryAfterMs)
            : backoffMs(attempt, this.cfg.baseDelayMs, this.cfg.maxDelayMs);
        await sleep(wait);
      }
    }
    throw new JudgeError({
      endpoint: this.cfg.baseURL,
      model: this.cfg.model,
      attempts: attempt,
      lastCause: last?.cause ?? 'unknown',
      cause: last?.error,
    });
  }

  private async requestOnce(messages: ReturnType<typeof judgeMessages>): Promise<Verdict> {
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(new AttemptTimeout(`timed out after ${this.cfg.timeoutMs} ms`)),
      this.cfg.timeoutMs,
    );
    this.requestCount++;
    try {
      const body = {
        ...(this.cfg.extraBody ?? {}),
        model: this.cfg.model,
        messages,
        ...(this.cfg.temperature !== undefined ? { temperature: this.cfg.temperature } : {}),
        ...(this.cfg.maxTokens !== undefined ? { max_tokens: this.cfg.maxTokens } : {}),
        response_format: verdictResponseFormat(),
      } as OpenAI.Chat.ChatCompletionCreateParamsNonStreaming;
      const res = await this.client.chat.completions.create(body, { signal: controller.signal });
      const choice = res.choices?.[0];
      if (!choice) throw new MalformedReplyError('reply has no choices');
      const content = choice.message?.content;
      if (content == null || content.trim() === '') {
        const refusal = choice.message?.refusal;
        throw new MalformedReplyError(
          refusal ? `model refused: ${refusal}` : `empty reply content (finish_reason=${choice.finish_reason})`,
        );
      }
      return parseVerdictReply(content);
    } catch (error) {
      // The abort surfaces as APIUserAbortError: report it as the timeout it was.
      if (controller.signal.aborted && controller.signal.reason instanceof AttemptTimeout) {
        throw controller.signal.reason;
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private classify(error: unknown): AttemptFailure {
    if (error instanceof AttemptTimeout || error instanceof APIConnectionTimeoutError) {
      return { cause: `timeout: ${error.message}`, error, retryable: true };
    }
    if (error instanceof MalformedReplyError) {
      return { cause: `malformed reply: ${error.message}`, error, retryable: true };
    }
    if (error instanceof APIUserAbortError) {
      return { cause: `aborted: ${error.message}`, error, retryable: false };
    }
    if (error instanceof APIConnectionError) {
      const inner = error.cause instanceof Error ? ` (${error.cause.message})` : '';
      return { cause: `connection error: ${error.message}${inner}`, error, retryable: true };
    }
    if (error instanceof APIError) {
      const status = error.status ?? 0;
      const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
      return {
        cause: `HTTP ${status}: ${error.message}`,
        error,
        retryable,
        retryAfterMs: retryable ? retryAfterMs(error.headers) : undefined,
      };
    }
    const msg = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { cause: msg, error, retryable: false };
  }
}
