// The host-memory exchange: whole files only, named errors, consumed files removed, directories of
// dead runs cleaned up.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Exchange, makeExchangeDir, removeExchangeDir, removeStaleExchangeDirs } from '../../src/parallel/exchange.js';

describe('exchange', () => {
  it('publishes whole files, names a missing or short one, removes consumed ones', async () => {
    const dir = makeExchangeDir(1 << 20);
    try {
      const ex = new Exchange(dir);
      async function* pieces() {
        yield new Uint8Array([1, 2, 3, 4]);
        yield new Uint8Array([5, 6, 7, 8]);
      }
      await ex.put('grad', 1, 'model.norm.weight', pieces());
      expect(readdirSync(dir)).toEqual(['grad.r1.model.norm.weight.bin']); // no temporary left
      const rd = await ex.reader('grad', 1, 'model.norm.weight', 8);
      const got = new Uint8Array(4);
      await rd.readInto(2, got);
      expect(Array.from(got)).toEqual([3, 4, 5, 6]);
      await expect(rd.readInto(6, new Uint8Array(4))).rejects.toThrow(/ended at 8 of 8 bytes/);
      await rd.close();
      await expect(ex.reader('grad', 1, 'model.norm.weight', 12)).rejects.toThrow(/holds 8 bytes, expected 12/);
      await expect(ex.reader('grad', 2, 'model.norm.weight', 8)).rejects.toThrow(/rank 2 has not published its grad of model.norm.weight/);
      await ex.remove('grad', 1, 'model.norm.weight');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      removeExchangeDir(dir);
    }
  });
});

describe('exchange directories', () => {
  it('removes the ones left by dead runs, keeps live ones', () => {
    const base = mkdtempSync(join(tmpdir(), 'stale-'));
    try {
      const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!; // a pid that has exited
      for (const pid of [dead, process.pid, process.ppid]) mkdirSync(join(base, `rlvr-exchange-${pid}-abc`));
      mkdirSync(join(base, 'unrelated'));
      const lines: string[] = [];
      removeStaleExchangeDirs([base], (l) => lines.push(l));
      expect(readdirSync(base).sort()).toEqual([`rlvr-exchange-${process.pid}-abc`, `rlvr-exchange-${process.ppid}-abc`, 'unrelated'].sort());
      expect(lines).toEqual([`removed ${join(base, `rlvr-exchange-${dead}-abc`)}, left by a run that is gone (pid ${dead})`]);
      const mine = makeExchangeDir(1);
      expect(mine).toMatch(new RegExp(`rlvr-exchange-${process.pid}-`));
      removeExchangeDir(mine);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });
});
