// Opening a device prints nothing: Dawn's two lavapipe limit warnings (written from C++ to fd 2
// while it discovers adapters) are filtered out and anything else it writes there still shows.
// Each check runs a child process whose stderr is a real pipe, as under `npm run train | tee`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'quiet-stderr-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const WARNING = 'Warning: maxDynamicUniformBuffersPerPipelineLayout artificially reduced from 1000000 to 16 to fit dynamic offset allocation limit.';

/** `command`'s stderr alone, through a pipe (its stdout discarded); exit status kept by pipefail. */
const stderrThroughPipe = (command: string) => spawnSync('bash', ['-c', `set -o pipefail; ${command} 2>&1 >/dev/null | cat`], { encoding: 'utf8' });
const tsx = `${JSON.stringify(process.execPath)} --import tsx`;

describe('quiet stderr', () => {
  it('drops exactly the known Dawn lines a call writes to fd 2, and keeps the rest', () => {
    const script = join(root, 'write.ts');
    writeFileSync(
      script,
      `import { writeSync } from 'node:fs';\n` +
        `import { withFilteredStderr } from ${JSON.stringify(resolve('src/gpu/quiet-stderr.ts'))};\n` +
        `withFilteredStderr(() => writeSync(2, ${JSON.stringify(`${WARNING}\nnot Dawn noise\n`)}));\n` +
        `process.stderr.write('after\\n');\n`,
    );
    const r = stderrThroughPipe(`${tsx} ${script}`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('not Dawn noise\nafter\n');
  });

  it('npm run gpu:info (a device opened as every run opens it) writes nothing to stderr', () => {
    const r = stderrThroughPipe(`${tsx} src/cli/gpu-info.ts`);
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toBe('');
  });
});
