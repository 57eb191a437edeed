// Dawn writes its warnings from C++ straight to file descriptor 2, not through any callback the
// webgpu package exposes. On lavapipe, adapter discovery (synchronously inside the first
// requestAdapter() of an instance) prints two lines every process would show:
//   Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 ...
//   Warning: maxDynamicStorageBuffersPerPipelineLayout artificially reduced from 1000000 to 16 ...
// They are Dawn clamping the limits lavapipe reports to Dawn's own fixed cap, whatever limits the
// device is then requested with: nothing to act on. Node has no dup2, so for the duration of a
// synchronous call fd 2 is closed and reopened onto a temporary file (the lowest free descriptor
// is taken: 2, once 0 and 1 are known open), then reopened onto the original stream through
// /proc/self/fd; what was captured is written back except the known lines, so any other message
// (a Vulkan loader error, say) still reaches the terminal. Linux only, and only where stderr is a
// pipe or a terminal; elsewhere (a file, a socket) the call runs unfiltered.
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Dawn's known lines that say nothing a user can act on. */
export const DAWN_NOISE: readonly RegExp[] = [/^Warning: maxDynamic(Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/];

/** Runs `fn` (synchronous, or the synchronous part of an async call) with what native code writes
 *  to fd 2 meanwhile filtered: lines matching `drop` are left out, the rest written back. */
export function withFilteredStderr<T>(fn: () => T, drop: readonly RegExp[] = DAWN_NOISE): T {
  const swap = redirectStderr();
  if (!swap) return fn();
  let captured = '';
  try {
    return fn();
  } finally {
    captured = swap.restore();
    const kept = captured.split('\n').filter((l) => l !== '' && !drop.some((r) => r.test(l)));
    if (kept.length > 0) writeSync(2, kept.join('\n') + '\n');
  }
}

function redirectStderr(): { restore(): string } | null {
  if (process.platform !== 'linux') return null;
  let saved = -1;
  try {
    fstatSync(0);
    fstatSync(1);
    // A regular file (`> log 2>&1`) shares its offset with stdout through the one open file
    // description; a reopened one would not, and stdout would overwrite what it appended.
    const st = fstatSync(2);
    if (!st.isFIFO() && !st.isCharacterDevice()) return null;
    saved = openSync('/proc/self/fd/2', 'a'); // the same pipe or terminal, to come back to
  } catch {
    if (saved >= 0) closeSync(saved);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'dawn-stderr-'));
  const file = join(dir, 'stderr');
  closeSync(2);
  const fd = openSync(file, 'w+');
  if (fd !== 2) {
    // Only another thread opening a file between these two calls can take descriptor 2 first;
    // nothing can move it back without dup2, so at least nothing more is redirected.
    closeSync(fd);
    closeSync(saved);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    restore(): string {
      closeSync(2);
      openSync(`/proc/self/fd/${saved}`, 'a'); // takes 2 again, the lowest free descriptor
      closeSync(saved);
      const text = readFileSync(file, 'utf8');
      rmSync(dir, { recursive: true, force: true });
      return text;
    },
  };
}
