// The judge's settings: the run config's `judge` section (src/train/config.ts), which `npm run eval
// -- --config FILE` reads too. Everything but the API key lives here; the key only ever comes from
// the environment variable named by `apiKeyEnv`, so run-config.json (written into every run
// directory) never holds it. These defaults are the only ones: OpenAIJudge applies JUDGE_DEFAULTS.
import { z } from 'zod';

export const JUDGE_DEFAULTS = {
  timeoutMs: 60_000,
  maxAttempts: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  concurrency: 8,
  apiKeyEnv: 'JUDGE_API_KEY',
} as const;

const posInt = z.number().int().positive();

export const JudgeConfig = z
  .strictObject(
    {
      /** 'rules': the offline stand-in (src/reward/rules-judge.ts); 'openai': the LLM judge on any
       *  OpenAI-compatible chat.completions endpoint (Gemini's, vLLM's, OpenAI's). */
      kind: z.enum(['rules', 'openai']).default('rules'),
      /** A failed judge call never becomes a reward: 'fail' stops the step, 'drop' leaves the rollout out. */
      onFailure: z.enum(['fail', 'drop']).default('fail'),
      /** e.g. https://generativelanguage.googleapis.com/v1beta/openai/ or http://127.0.0.1:8000/v1 (vLLM). Required for 'openai'. */
      baseURL: z.url().optional(),
      /** e.g. gemini-3-flash-preview. Required for 'openai'. */
      model: z.string().min(1).optional(),
      /** The environment variable holding the API key (any non-empty value for a vLLM server without --api-key). */
      apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name').default(JUDGE_DEFAULTS.apiKeyEnv),
      /** Per-request timeout. */
      timeoutMs: posInt.default(JUDGE_DEFAULTS.timeoutMs),
      /** Attempts per verdict, the first included. */
      maxAttempts: posInt.default(JUDGE_DEFAULTS.maxAttempts),
      /** First backoff delay, doubled per retry up to maxDelayMs; a server's Retry-After is honoured up to maxRetryAfterMs. */
      baseDelayMs: posInt.default(JUDGE_DEFAULTS.baseDelayMs),
      maxDelayMs: posInt.default(JUDGE_DEFAULTS.maxDelayMs),
      maxRetryAfterMs: posInt.default(JUDGE_DEFAULTS.maxRetryAfterMs),
      /** Requests in flight at once. */
      concurrency: posInt.default(JUDGE_DEFAULTS.concurrency),
      /** JSONL verdict cache, appended and reloaded (relative to the config file); unset: memory only. */
      cachePath: z.string().min(1).optional(),
      /** Sampling temperature; unset: the endpoint's own default. */
      temperature: z.number().min(0).optional(),
      /** max_tokens of each request; unset by default (thinking models need room). */
      maxTokens: posInt.optional(),
      /** Merged into each request body, e.g. {"reasoning_effort": "low"} (Gemini) or
       *  {"chat_template_kwargs": {"enable_thinking": false}} (vLLM). */
      extraBody: z.record(z.string(), z.unknown()).optional(),
    },
    {
      error: (iss) =>
        iss.code === 'unrecognized_keys' && iss.keys.includes('apiKey')
          ? `unrecognized key(s) ${iss.keys.join(', ')}: the API key never goes into the config; set it in the environment variable named by judge.apiKeyEnv (default ${JUDGE_DEFAULTS.apiKeyEnv})`
          : undefined,
    },
  )
  .superRefine((j, ctx) => {
    if (j.kind !== 'openai') return;
    if (j.baseURL === undefined) ctx.addIssue({ code: 'custom', path: ['baseURL'], message: "required when kind is 'openai' (the judge endpoint's base URL)" });
    if (j.model === undefined) ctx.addIssue({ code: 'custom', path: ['model'], message: "required when kind is 'openai' (the judge's model name)" });
  });
export type JudgeConfig = z.infer<typeof JudgeConfig>;

/** The environment variables that configured the judge before the run config did, and the config
 *  field each became. A stale export of one would silently not apply, so the LLM judge refuses it. */
export const RETIRED_JUDGE_ENV: Record<string, string> = {
  JUDGE_BASE_URL: 'baseURL',
  JUDGE_MODEL: 'model',
  JUDGE_TIMEOUT_MS: 'timeoutMs',
  JUDGE_MAX_ATTEMPTS: 'maxAttempts',
  JUDGE_CONCURRENCY: 'concurrency',
  JUDGE_CACHE_PATH: 'cachePath',
  JUDGE_TEMPERATURE: 'temperature',
  JUDGE_MAX_TOKENS: 'maxTokens',
  JUDGE_EXTRA_BODY: 'extraBody',
};

/** The API key of an 'openai' judge from the environment; throws naming what is missing or stale. */
export function judgeApiKey(cfg: JudgeConfig, env: NodeJS.ProcessEnv = process.env): string {
  const stale = Object.keys(RETIRED_JUDGE_ENV).filter((k) => env[k] !== undefined && env[k] !== '');
  if (stale.length > 0) {
    throw new Error(
      `${stale.join(', ')} ${stale.length === 1 ? 'is' : 'are'} set, but the judge's settings come from the run config only: ` +
        `${stale.map((k) => `judge.${RETIRED_JUDGE_ENV[k]}`).join(', ')} (configs/README.md); move ${stale.length === 1 ? 'it' : 'them'} there and unset ${stale.length === 1 ? 'it' : 'them'}`,
    );
  }
  const key = env[cfg.apiKeyEnv];
  if (!key) throw new Error(`judge: kind 'openai' needs its API key in the environment variable ${cfg.apiKeyEnv} (judge.apiKeyEnv; any non-empty value for a vLLM server without --api-key)`);
  return key;
}

/** One line naming the judge (logs, evaluation reports); never the key. */
export function describeJudge(cfg: JudgeConfig): string {
  return cfg.kind === 'rules' ? 'rules' : `openai:${cfg.model} at ${cfg.baseURL}`;
}
