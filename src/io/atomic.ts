// Writes that never leave a half-done result under the final name: a directory is built under a
// temporary sibling name and renamed into place (an existing one moves aside first and is removed
// only once the new one is in; if the last rename fails it is put back); a small file is written
// beside its target and renamed over it.
import { renameSync, writeFileSync } from 'node:fs';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** Builds `dir` through `fill(tmp)`; refuses an existing `dir` unless `overwrite`. */
export async function writeDirAtomic<T>(dir: string, fill: (tmp: string) => Promise<T>, opts: { overwrite?: boolean } = {}): Promise<T> {
  if (!opts.overwrite && (await exists(dir))) throw new Error(`${dir} already exists (pass overwrite to replace it)`);
  const tmp = join(dirname(dir), `.${basename(dir)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmp, { recursive: true });
  try {
    const out = await fill(tmp);
    const old = `${tmp}.old`;
    const hadOld = await exists(dir);
    if (hadOld) await rename(dir, old);
    try {
      await rename(tmp, dir);
    } catch (e) {
      if (hadOld) await rename(old, dir);
      throw e;
    }
    if (hadOld) await rm(old, { recursive: true, force: true });
    return out;
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** Writes `text` to `path` through a temporary file and a rename. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  await writeFile(tmp, text);
  await rename(tmp, path);
}

/** writeFileAtomic without awaiting: nothing else (a signal handler that exits) runs between the
 *  write and the rename. */
export function writeFileAtomicSync(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
