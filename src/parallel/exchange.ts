// Collectives through host memory: a rank writes a tensor's bytes to a file in a directory every
// rank of the run shares, peers read the parts they need. The directory is on /dev/shm (tmpfs:
// host memory, no disk) when it has room, else the OS temp dir. A file appears under its final
// name only once complete (written under a temporary name, then renamed), so a reader never sees
// half a tensor; the coordinator orders the phases (src/train/rank-group.ts), so readers never wait.
import { mkdtempSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type ExchangeKind = 'grad' | 'weight';

const PREFIX = 'rlvr-exchange-';

/** Exchange directories left by runs whose coordinator died without cleaning up (killed: its
 *  /dev/shm files would hold host memory until reboot); the directory name carries the pid. */
export function removeStaleExchangeDirs(bases: readonly string[] = ['/dev/shm', tmpdir()], log: (s: string) => void = () => {}): void {
  for (const base of bases) {
    let names: string[];
    try {
      names = readdirSync(base).filter((n) => n.startsWith(PREFIX));
    } catch {
      continue;
    }
    for (const n of names) {
      const pid = Number(/^rlvr-exchange-(\d+)-/.exec(n)?.[1]);
      if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
      try {
        rmSync(join(base, n), { recursive: true, force: true });
        log(`removed ${join(base, n)}, left by a run that is gone (pid ${pid})`);
      } catch (e) {
        log(`cannot remove ${join(base, n)}, left by a run that is gone: ${(e as Error).message}`);
      }
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, not ours
  }
}

/** A fresh exchange directory: on /dev/shm when it has `bytes` free with a margin. */
export function makeExchangeDir(bytes: number): string {
  let base = tmpdir();
  try {
    const s = statfsSync('/dev/shm');
    if (s.bavail * s.bsize > bytes * 1.25) base = '/dev/shm';
  } catch {
    // no /dev/shm: the temp dir
  }
  return mkdtempSync(join(base, `${PREFIX}${process.pid}-`));
}

export function removeExchangeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Removes every published `kind` file (on /dev/shm they hold host memory). */
export function clearExchange(dir: string, kind: ExchangeKind): void {
  for (const f of readdirSync(dir)) if (f.startsWith(`${kind}.`)) rmSync(join(dir, f), { force: true });
}

/** Positional reads of one published file. */
export interface ExchangeReader {
  /** Bytes [off, off + dst.length) into `dst` (mapped staging memory: no JS copy in between). */
  readInto(off: number, dst: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export class Exchange {
  constructor(readonly dir: string) {}

  path(kind: ExchangeKind, rank: number, name: string): string {
    return join(this.dir, `${kind}.r${rank}.${name}.bin`);
  }

  /** Writes a tensor's bytes (streamed pieces) as rank `rank`'s `kind` of `name`. */
  async put(kind: ExchangeKind, rank: number, name: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
    const final = this.path(kind, rank, name);
    const tmp = `${final}.tmp`;
    const fh = await open(tmp, 'w');
    try {
      for await (const p of pieces) await fh.write(p);
    } finally {
      await fh.close();
    }
    await rename(tmp, final);
  }

  /** Removes rank `rank`'s `kind` of `name` (a consumed gradient: host memory back at once). */
  async remove(kind: ExchangeKind, rank: number, name: string): Promise<void> {
    await rm(this.path(kind, rank, name), { force: true });
  }

  /** Opens rank `rank`'s `kind` of `name` for positional reads; names the file when it is missing
   *  or shorter than `bytes`. */
  async reader(kind: ExchangeKind, rank: number, name: string, bytes: number): Promise<ExchangeReader> {
    const file = this.path(kind, rank, name);
    const fh = await open(file, 'r').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`exchange: rank ${rank} has not published its ${kind} of ${name} (${file}: ${e.code ?? e.message})`);
    });
    const size = (await fh.stat()).size;
    if (size !== bytes) {
      await fh.close();
      throw new Error(`exchange: ${file} holds ${size} bytes, expected ${bytes}`);
    }
    const readInto = async (off: number, dst: Uint8Array): Promise<void> => {
      let got = 0;
      while (got < dst.length) {
        const { bytesRead } = await fh.read(dst, got, dst.length - got, off + got);
        if (bytesRead === 0) throw new Error(`exchange: ${file} ended at ${off + got} of ${bytes} bytes`);
        got += bytesRead;
      }
    };
    return {
      readInto,
      close: () => fh.close(),
    };
  }
}
