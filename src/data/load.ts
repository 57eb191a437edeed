// Reading a split back from disk. Every row is validated (zod shape + checkRow consistency); the
// first bad row stops the load with its file, line and field.
import { readFileSync } from 'node:fs';
import { checkRow } from './check.js';
import { DataRow } from './schema.js';

export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    /** Dotted path of the offending field ("weakness.lines.2.text"), or "(json)" / "(row)". */
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${field}: ${problem}`);
    this.name = 'DatasetError';
  }
}

const fieldName = (path: readonly PropertyKey[]): string => (path.length === 0 ? '(row)' : path.map(String).join('.'));

/** Parses JSONL text; `file` only labels errors. Blank lines are skipped. */
export function parseDataset(text: string, file: string): DataRow[] {
  const rows: DataRow[] = [];
  const ids = new Map<string, number>();
  text.split('\n').forEach((raw, i) => {
    const lineNo = i + 1;
    if (raw.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (e) {
      throw new DatasetError(file, lineNo, '(json)', `invalid JSON: ${(e as Error).message}`);
    }
    const parsed = DataRow.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DatasetError(file, lineNo, fieldName(issue?.path ?? []), issue?.message ?? 'invalid row');
    }
    const issue = checkRow(parsed.data)[0];
    if (issue) throw new DatasetError(file, lineNo, fieldName(issue.path), issue.message);
    const prev = ids.get(parsed.data.id);
    if (prev !== undefined) throw new DatasetError(file, lineNo, 'id', `duplicate id "${parsed.data.id}" (first on line ${prev})`);
    ids.set(parsed.data.id, lineNo);
    rows.push(parsed.data);
  });
  return rows;
}

/** Loads and validates a JSONL split (synchronous: the files are small). */
export function loadDataset(path: string): DataRow[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DatasetError(path, 0, '(file)', `cannot read: ${(e as Error).message}`);
  }
  return parseDataset(text, path);
}
