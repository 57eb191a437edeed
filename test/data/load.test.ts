import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatasetError, loadDataset, parseDataset } from '../../src/data/load.js';

const shipped = (name: string): string => join(import.meta.dirname, '../../data', name);
const lines = readFileSync(shipped('train.jsonl'), 'utf8').trimEnd().split('\n').slice(0, 4);

/** Writes the first rows with row 3 replaced by `mutate(row 3)`, loads, returns the error. */
function errorFor(mutate: (row: any) => unknown): DatasetError {
  const rows = lines.slice();
  const third = mutate(JSON.parse(rows[2] as string));
  rows[2] = typeof third === 'string' ? third : JSON.stringify(third);
  const file = join(mkdtempSync(join(tmpdir(), 'data-load-')), 'bad.jsonl');
  writeFileSync(file, rows.join('\n') + '\n');
  try {
    loadDataset(file);
  } catch (e) {
    expect(e).toBeInstanceOf(DatasetError);
    const err = e as DatasetError;
    expect(err.file).toBe(file);
    expect(err.line).toBe(3);
    expect(err.message.startsWith(`${file}:3: `)).toBe(true);
    return err;
  }
  throw new Error('expected loadDataset to fail');
}

describe('loadDataset', () => {
  it('loads the shipped splits', () => {
    const train = loadDataset(shipped('train.jsonl'));
    const evalRows = loadDataset(shipped('eval.jsonl'));
    expect(train).toHaveLength(160);
    expect(evalRows).toHaveLength(40);
    expect(train.every((r) => r.split === 'train')).toBe(true);
    expect(evalRows.every((r) => r.split === 'eval')).toBe(true);
  });

  it('names file, line and field of a row that breaks the schema', () => {
    expect(errorFor((r) => ({ ...r, weakness: { ...r.weakness, lines: [{ ...r.weakness.lines[0], line: 'x' }] } })).field).toBe('weakness.lines.0.line');
    expect(errorFor((r) => ({ ...r, weakness: { ...r.weakness, type: 'typos' } })).field).toBe('weakness.type');
    const missing = errorFor((r) => {
      const { jd: _jd, ...rest } = r;
      return rest;
    });
    expect(missing.field).toBe('jd');
    expect(errorFor((r) => ({ ...r, stats: { ...r.stats, bullets: -1 } })).field).toBe('stats.bullets');
  });

  it('rejects rows whose line metadata or stats disagree with the text', () => {
    const wrongLine = errorFor((r) => ({
      ...r,
      weakness: { ...r.weakness, lines: r.weakness.lines.map((w: any, i: number) => (i === 1 ? { ...w, line: w.line + 1 } : w)) },
    }));
    expect(wrongLine.field).toBe('weakness.lines.1.text');
    expect(wrongLine.message).toMatch(/does not match resume line/);
    expect(errorFor((r) => ({ ...r, stats: { ...r.stats, lines: r.stats.lines + 1 } })).field).toBe('stats.lines');
    expect(errorFor((r) => ({ ...r, stats: { ...r.stats, weak_bullets: r.stats.weak_bullets - 1 } })).field).toBe('stats.weak_bullets');
  });

  it('reports invalid JSON, duplicate ids and unreadable files', () => {
    const json = errorFor(() => '{"id": "broken",');
    expect(json.field).toBe('(json)');
    expect(errorFor(() => lines[0] as string).field).toBe('id');
    expect(() => loadDataset('/nonexistent/x.jsonl')).toThrow(/x\.jsonl:0: \(file\): cannot read/);
  });

  it('skips blank lines but keeps real line numbers', () => {
    const text = `${lines[0]}\n\n${lines[1]}\nnot json\n`;
    expect(() => parseDataset(text, 'mem.jsonl')).toThrow(/^mem\.jsonl:4: \(json\)/);
  });
});
