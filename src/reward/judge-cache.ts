// Verdict cache of the LLM judge: in memory, plus an optional JSONL file that is only ever
// appended to (one record per line) and reloaded at start, so a rerun of an evaluation does not
// pay for the same judgement twice and an interrupted run loses at most the line being written.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { Verdict, type JudgeInput } from './verdict.js';

/**
 * sha256 over (model, prompt version, inputs), the inputs in a fixed field order so the key does
 * not depend on object key order. Sampling settings are not in the key: use another cache file
 * when changing temperature or extra request fields.
 */
export function judgeCacheKey(model: string, promptVersion: string, input: JudgeInput): string {
  const canonical = JSON.stringify([
    model,
    promptVersion,
    input.jd,
    input.original,
    input.revised,
    input.weakness.type,
    input.weakness.description,
    input.weakness.lines.map((l) => [l.line, l.text, l.reason]),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export const CacheRecord = z.object({
  key: z.string().regex(/^[0-9a-f]{64}$/),
  model: z.string(),
  prompt_version: z.string(),
  verdict: Verdict,
  created_at: z.string(),
});
export type CacheRecord = z.infer<typeof CacheRecord>;

export class JudgeCache {
  private readonly mem = new Map<string, Verdict>();
  /** Serializes appends so records never interleave. */
  private writes: Promise<void> = Promise.resolve();
  /** True when the file's last line has no newline (a torn write): the next append starts a line. */
  private needsNewline = false;
  /** Lines skipped at load as torn writes (see load). */
  tornLines = 0;

  /** @param path JSONL file; created (with its folder) on the first write. Omit for memory only. */
  constructor(readonly path?: string) {
    if (path && existsSync(path)) this.load(path);
  }

  get size(): number {
    return this.mem.size;
  }

  get(key: string): Verdict | undefined {
    return this.mem.get(key);
  }

  /** Stores a verdict; resolves once the record is on disk (when a path is set). */
  async set(key: string, verdict: Verdict, meta: { model: string; promptVersion: string }): Promise<void> {
    if (this.mem.has(key)) return;
    this.mem.set(key, verdict);
    if (!this.path) return;
    const record: CacheRecord = {
      key,
      model: meta.model,
      prompt_version: meta.promptVersion,
      verdict,
      created_at: new Date().toISOString(),
    };
    const path = this.path;
    const write = this.writes.then(async () => {
      const prefix = this.needsNewline ? '\n' : '';
      if (!existsSync(dirname(path))) mkdirSync(dirname(path), { recursive: true });
      await appendFile(path, `${prefix}${JSON.stringify(record)}\n`, 'utf8');
      this.needsNewline = false;
    });
    // A failed write is reported to its caller but does not block later ones.
    this.writes = write.catch(() => undefined);
    await write;
  }

  private load(path: string): void {
    const text = readFileSync(path, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (line.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        // Records are written as JSON.stringify(record), which starts with {"key":". Such a line
        // that no longer parses is a write cut short by a crash: skip it (it is redone on demand).
        if (line.startsWith('{"key":"')) {
          this.tornLines++;
          return;
        }
        throw new Error(`judge cache ${path}:${i + 1}: invalid record (not JSON)`);
      }
      const parsed = CacheRecord.safeParse(json);
      if (!parsed.success) {
        const why = parsed.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ');
        throw new Error(`judge cache ${path}:${i + 1}: invalid record (${why})`);
      }
      this.mem.set(parsed.data.key, parsed.data.verdict);
    });
    this.needsNewline = text.length > 0 && !text.endsWith('\n');
  }
}
