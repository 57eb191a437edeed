// `npx tsx bench/pairs.ts [names...] [--rounds N] [--reps N] [--json FILE]`
// Side-by-side timing of bench cases on a noisy machine (the 2-core CPU box, shared): every
// matching case is set up once, then the cases are timed in turn, round after round (alternating,
// so a burst of load from another process hits all of them alike), and each case's best round is
// kept. Pairs are the cases whose names differ only in a last part `.portable` / `.cpu` (and
// copy.ceiling / copy.cpu): their ratio is printed beside them. GPU timestamps as bench/run.ts.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getGpu } from '../src/gpu/gpu.js';
import { describeVariants } from '../src/gpu/variants.js';
import { loadCases } from './run.js';
import { BenchUnavailable, type BenchInstance } from './types.js';

const { values, positionals } = parseArgs({
  options: { rounds: { type: 'string' }, reps: { type: 'string' }, json: { type: 'string' } },
  allowPositionals: true,
  strict: true,
});
const rounds = Number(values.rounds ?? 7);
const reps = Number(values.reps ?? 5);
const gpu = await getGpu();
const all = await loadCases();
const chosen = all.filter((c) => positionals.length === 0 || positionals.some((n) => c.name.includes(n) || c.group === n));
const live: { name: string; inst: BenchInstance; best: number[] }[] = [];
for (const c of chosen) {
  try {
    const inst = await c.setup(gpu, 'small');
    if (!inst.run) continue;
    inst.run(); // compile, first touch
    await gpu.sync();
    live.push({ name: c.name, inst, best: [] });
  } catch (e) {
    if (!(e instanceof BenchUnavailable)) throw e;
    console.log(`${c.name}: unavailable (${e.message})`);
  }
}
console.log(`pairs on ${gpu.describe()}: ${live.length} cases, ${rounds} rounds of ${reps} reps, best round kept; ${describeVariants(gpu)}`);
for (let r = 0; r < rounds; r++) {
  for (const l of live) {
    const run = l.inst.run!;
    l.best.push((await gpu.timeGpu(() => { for (let k = 0; k < reps; k++) run(); })) / reps);
  }
}
const rows = live.map((l) => {
  const ms = Math.min(...l.best);
  const median = [...l.best].sort((a, b) => a - b)[Math.floor(l.best.length / 2)]!;
  return { name: l.name, shape: l.inst.shape, ms, median, gbs: l.inst.bytes ? l.inst.bytes / (ms * 1e-3) / 1e9 : undefined };
});
const byName = new Map(rows.map((r) => [r.name, r]));
const partner = (n: string): string | null => (n === 'copy.cpu' ? 'copy.ceiling' : n.endsWith('.cpu') ? n.slice(0, -4) + '.portable' : null);
for (const r of rows) {
  const p = partner(r.name);
  const ratio = p && byName.has(p) ? ` ${(byName.get(p)!.ms / r.ms).toFixed(2)}x ${p}` : '';
  const gbs = r.gbs !== undefined ? `${r.gbs.toFixed(2).padStart(7)} GB/s` : ''.padStart(12);
  console.log(`${r.name.padEnd(40)} best ${r.ms.toFixed(3).padStart(8)} ms (median ${r.median.toFixed(3).padStart(8)}) ${gbs}  ${r.shape}${ratio}`);
}
if (values.json) writeFileSync(values.json, JSON.stringify({ device: gpu.describe(), date: new Date().toISOString(), rounds, reps, variants: describeVariants(gpu), results: rows }, null, 1) + '\n');
for (const l of live) l.inst.dispose();
gpu.destroy();
