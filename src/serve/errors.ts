// OpenAI-style errors: every failure the server answers is {"error": {"message", "type", "code",
// "param"}} with an HTTP status, so the openai client (and vLLM-speaking code) reads them as usual.
import { z } from 'zod';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  get type(): string {
    if (this.status === 404) return 'not_found_error';
    return this.status >= 500 ? 'internal_server_error' : 'invalid_request_error';
  }

  body(): { error: { message: string; type: string; code: string; param: string | null } } {
    return { error: { message: this.message, type: this.type, code: this.code, param: this.param } };
  }
}

export const badRequest = (message: string, code = 'invalid_value', param: string | null = null): HttpError => new HttpError(400, message, code, param);

/** Anything thrown while serving a request, as the error to answer with (500 unless it is one of ours). */
export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new HttpError(500, `internal error: ${msg}`, 'internal_error');
}

/** A request body against its schema: the parsed value, or a 400 naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const param = first && first.path.length > 0 ? first.path.join('.') : null;
  throw badRequest(`invalid ${what}: ${z.prettifyError(r.error)}`, 'invalid_value', param);
}
