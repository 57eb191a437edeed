// The structured-output schema sent to the judge endpoint, and the parser for its reply.
// The JSON schema is derived from the shared zod Verdict (src/reward/verdict.ts) so the two cannot
// drift; the reply is validated against the same zod schema.
import { z } from 'zod';
import { Verdict } from './verdict.js';

/** Name of the schema in `response_format.json_schema.name` (letters, digits, _ and - only). */
export const VERDICT_SCHEMA_NAME = 'resume_revision_verdict';

type JsonSchema = { [key: string]: unknown };

/**
 * Turns a JSON schema into the strict form OpenAI's `strict: true` requires and Gemini's
 * OpenAI-compatible endpoint and vLLM's guided decoding accept: every object lists all of its
 * properties as required and sets additionalProperties false; the `$schema` key is dropped
 * (some OpenAI-compatible gateways reject unknown top-level keys).
 */
export function toStrictJsonSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === '$schema') continue;
    out[key] = strictValue(value);
  }
  if (out.type === 'object') {
    const props = (out.properties ?? {}) as JsonSchema;
    out.properties = props;
    out.required = Object.keys(props);
    out.additionalProperties = false;
  }
  return out;
}

function strictValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strictValue);
  if (value !== null && typeof value === 'object') return toStrictJsonSchema(value as JsonSchema);
  return value;
}

/** The Verdict as a plain, strict JSON schema object (computed once). */
export const VERDICT_JSON_SCHEMA: JsonSchema = toStrictJsonSchema(
  z.toJSONSchema(Verdict) as JsonSchema,
);

/** The `response_format` field of the chat.completions request. */
export function verdictResponseFormat() {
  return {
    type: 'json_schema' as const,
    json_schema: { name: VERDICT_SCHEMA_NAME, schema: VERDICT_JSON_SCHEMA, strict: true },
  };
}

/** A reply that is not a valid verdict: counted as a failed attempt (and retried). */
export class MalformedReplyError extends Error {
  override name = 'MalformedReplyError';
}

/**
 * Parses the judge's reply text. Tolerates a ```json ... ``` fence around the object (some
 * endpoints add one even under structured output); anything else must be exactly one JSON object
 * matching the Verdict schema, or a MalformedReplyError names what is wrong.
 */
export function parseVerdictReply(text: string | null | undefined): Verdict {
  if (text == null || text.trim() === '') throw new MalformedReplyError('empty reply content');
  let body = text.trim();
  const fence = /^```[a-zA-Z]*\s*\n?([\s\S]*?)\n?```$/.exec(body);
  if (fence) body = fence[1]!.trim();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new MalformedReplyError(`reply is not JSON (${(e as Error).message}): ${clip(body)}`);
  }
  const parsed = Verdict.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new MalformedReplyError(`reply does not match the Verdict schema: ${issues}`);
  }
  return parsed.data;
}

function clip(s: string, n = 120): string {
  return s.length > n ? `${s.slice(0, n)}...` : s;
}
