// `npx tsx bench/membw.ts [--mib N] [--rounds N] [--json FILE]`
// The machine's memory bandwidth for a plain copy outside Vulkan: the roofline for the CPU
// adapter's copy kernels (bench/cases/copy.ts). TypedArray.set of N MiB (default 32, the copy
// cases' size, and 128, past the caches) from one thread, and from 1..cores worker threads started
// together (each its own buffers; aggregate = all bytes / the slowest thread's time). Bytes count
// read + write, as the bench's copy cases do. Best of `rounds`.
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';

interface Job {
  bytes: number;
  rounds: number;
  /** [0]: threads ready, [1]: go generation. */
  sync: SharedArrayBuffer;
}

// A worker (plain JS: workers do not get tsx's loader): per round, wait for the main thread's go
// signal, copy `bytes` once, and report each round's ms.
const WORKER = `
const { parentPort, workerData: job } = require('node:worker_threads');
const a = new Uint8Array(job.bytes).fill(1);
const b = new Uint8Array(job.bytes);
b.set(a); // first touch
const flag = new Int32Array(job.sync);
const out = [];
for (let r = 0; r < job.rounds; r++) {
  Atomics.add(flag, 0, 1);
  Atomics.wait(flag, 1, r); // until the main thread bumps the generation to r + 1
  const t0 = performance.now();
  b.set(a);
  out.push(performance.now() - t0);
}
parentPort.postMessage(out);
`;

{
  const { values } = parseArgs({ options: { mib: { type: 'string', multiple: true }, rounds: { type: 'string' }, json: { type: 'string' } }, strict: true });
  const sizes = (values.mib ?? ['32', '128']).map(Number);
  const rounds = Number(values.rounds ?? 10);
  const cores = availableParallelism();
  const results: { mib: number; threads: number; gbs: number; gbsPerThread: number }[] = [];
  for (const mib of sizes) {
    const bytes = mib << 20;
    for (let threads = 1; threads <= cores; threads++) {
      const sync = new SharedArrayBuffer(8);
      const flag = new Int32Array(sync);
      const job: Job = { bytes, rounds, sync };
      const workers = Array.from({ length: threads }, () => new Worker(WORKER, { eval: true, workerData: job }));
      const done = workers.map((w) => new Promise<number[]>((ok, fail) => (w.on('message', ok), w.on('error', fail))));
      for (let r = 0; r < rounds; r++) {
        while (Atomics.load(flag, 0) < threads * (r + 1)) await new Promise((ok) => setTimeout(ok, 1));
        Atomics.store(flag, 1, r + 1);
        Atomics.notify(flag, 1);
      }
      const per = await Promise.all(done);
      let best = Infinity;
      for (let r = 0; r < rounds; r++) best = Math.min(best, Math.max(...per.map((p) => p[r]!)));
      const gbs = (2 * bytes * threads) / (best * 1e-3) / 1e9;
      results.push({ mib, threads, gbs, gbsPerThread: gbs / threads });
      console.log(`copy ${mib} MiB x ${threads} thread(s): ${gbs.toFixed(1)} GB/s (read + write, best of ${rounds}; ${(gbs / threads).toFixed(1)} per thread)`);
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), cores, rounds, results }, null, 1) + '\n');
}
