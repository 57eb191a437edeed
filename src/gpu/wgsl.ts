// WGSL sources live in kernels/. A kernel file may `#include "common/x.wgsl"` and use {{NAME}}
// placeholders, specialised from TypeScript (tile sizes, constants). Unreplaced placeholders are an
// error, so a missing constant never compiles into something silently wrong.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// RLVR_KERNELS_DIR overrides the location for bundled builds (tools/device packs one).
export const KERNELS_DIR = process.env.RLVR_KERNELS_DIR ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../kernels');

const fileCache = new Map<string, string>();

function readKernelFile(name: string): string {
  let src = fileCache.get(name);
  if (src === undefined) {
    src = readFileSync(join(KERNELS_DIR, name), 'utf8');
    fileCache.set(name, src);
  }
  return src;
}

function expandIncludes(src: string, seen: Set<string>): string {
  return src.replace(/^#include\s+"([^"]+)"\s*$/gm, (_m, inc: string) => {
    if (seen.has(inc)) return '';
    seen.add(inc);
    return expandIncludes(readKernelFile(inc), seen);
  });
}

export type ConstValue = number | string | boolean;

/** Load kernels/<file>, expand includes, substitute {{NAME}} with consts[NAME]. */
export function specialize(file: string, consts: Record<string, ConstValue> = {}): string {
  const src = expandIncludes(readKernelFile(file), new Set([file]));
  const out = src.replace(/\{\{(\w+)\}\}/g, (_m, key: string) => {
    if (!(key in consts)) throw new Error(`kernels/${file}: no value for placeholder {{${key}}}`);
    return String(consts[key]);
  });
  return out;
}
