import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SEED } from '../../src/data/generate.js';
import { loadDataset } from '../../src/data/load.js';
import { computeStats, extractStatsBlock, renderStats } from '../../src/data/stats.js';
import { main } from '../../tools/make-data.js';

const dataDir = join(import.meta.dirname, '../../data');

describe('shipped dataset', () => {
  it('is byte-identical to a fresh run of the generator with the default seed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'make-data-'));
    const logs: string[] = [];
    await main(['--out', out], {}, (m) => logs.push(m));
    expect(logs.join('\n')).toMatch(/wrote 160 train \+ 40 eval rows/);
    for (const f of ['train.jsonl', 'eval.jsonl']) {
      const fresh = readFileSync(join(out, f));
      const shipped = readFileSync(join(dataDir, f));
      expect(fresh.equals(shipped), `${f} differs from a regeneration with seed ${DEFAULT_SEED}`).toBe(true);
    }
    // A second run into the same folder gives the same bytes again, and a fresh README stub.
    await main(['--out', out, '--seed', DEFAULT_SEED], {}, () => {});
    expect(readFileSync(join(out, 'train.jsonl')).equals(readFileSync(join(dataDir, 'train.jsonl')))).toBe(true);
    expect(extractStatsBlock(readFileSync(join(out, 'README.md'), 'utf8'))).not.toBeNull();
  });

  it('datasheet states the default seed and command, and its stats match the files', () => {
    const readme = readFileSync(join(dataDir, 'README.md'), 'utf8');
    expect(readme).toContain(`npm run data -- --out data --seed ${DEFAULT_SEED}`);
    const stats = computeStats(loadDataset(join(dataDir, 'train.jsonl')), loadDataset(join(dataDir, 'eval.jsonl')));
    expect(extractStatsBlock(readme)).toBe(renderStats(stats));
  });

  it('rejects bad flags', async () => {
    await expect(main(['--train', 'x'], {}, () => {})).rejects.toThrow(/--train must be an integer/);
    await expect(main(['--llm', '--out', mkdtempSync(join(tmpdir(), 'md-'))], {}, () => {})).rejects.toThrow(/DATA_BASE_URL/);
  });
});
