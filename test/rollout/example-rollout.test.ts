import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/load.js';
import { buildWorkedExample, EXAMPLE_ROW_ID, exampleScript } from '../../tools/example-rollout.js';

const root = join(import.meta.dirname, '../..');

describe('docs/worked-example.md', () => {
  it('is what tools/example-rollout.ts writes today (run `npx tsx tools/example-rollout.ts` to refresh)', async () => {
    const fresh = await buildWorkedExample(join(root, 'data/eval.jsonl'));
    const committed = readFileSync(join(root, 'docs/worked-example.md'), 'utf8');
    expect(fresh).toBe(committed);
  });

  it('shows the episode the README describes: a failed then fixed edit, a submit, R = +5.50', async () => {
    const md = await buildWorkedExample(join(root, 'data/eval.jsonl'));
    expect(md).toContain(`# Episode ${EXAMPLE_ROW_ID} (planted weakness: weak_verbs)`);
    expect(md).toContain('## Turn 2: str_replace failed: not_found');
    expect(md).toContain('error: str_replace: text not found;');
    expect(md).toContain('## Turn 3: str_replace, 1 replaced');
    expect(md).toContain('## Turn 5: submit');
    expect(md).toContain('| 2 | str_replace | str_replace failed: not_found | -0.25 |');
    expect(md).toContain('| **total** | normalized 83.3 / 100 | **+5.50** |');
  });

  it('refuses to run when the row no longer holds the weak lines it edits', () => {
    const row = loadDataset(join(root, 'data/eval.jsonl')).find((r) => r.id === EXAMPLE_ROW_ID)!;
    const changed = { ...row, weakness: { ...row.weakness, lines: row.weakness.lines.slice(0, 1) } };
    expect(() => exampleScript(changed)).toThrow(/is not a planted weak line any more/);
  });
});
