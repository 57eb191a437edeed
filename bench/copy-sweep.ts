// `npx tsx bench/copy-sweep.ts [--mib N] [--rounds N] [--reps N] [--only a,b]`
// Shapes of a copy kernel on this device, timed side by side (alternating, best round kept), to
// find the CPU adapter's fastest (kernels/copy-cpu.wgsl took the winner; the results are in
// bench/results/2026-12-03-lavapipe/README.md). Each shape is a body of
// kernels/experimental/copy-sweep.wgsl: LANES invocations per workgroup, PER elements each, with
// the portable kernels/copy.wgsl as the reference. GB/s counts read + write.
import { parseArgs } from 'node:util';
import { getGpu } from '../src/gpu/gpu.js';

const { values } = parseArgs({ options: { mib: { type: 'string' }, rounds: { type: 'string' }, reps: { type: 'string' }, only: { type: 'string' } }, strict: true });
const bytes = Number(values.mib ?? 32) << 20;
const rounds = Number(values.rounds ?? 7);
const reps = Number(values.reps ?? 5);

/** Lane-strided: invocation `lane` copies elements base + j * LANES, each checked. */
const strided = 'let base = wg * LANES * PER + lane; for (var j = 0u; j < PER; j++) { let i = base + j * LANES; if (i < p.n4) { dst[i] = src[i]; } }';
/** The same, unchecked where the workgroup's whole block is in range (a workgroup-uniform branch). */
const unchecked =
  'let base = wg * LANES * PER + lane; if (wg * LANES * PER + LANES * PER <= p.n4) { for (var j = 0u; j < PER; j++) { let i = base + j * LANES; dst[i] = src[i]; } } ' +
  'else { for (var j = 0u; j < PER; j++) { let i = base + j * LANES; if (i < p.n4) { dst[i] = src[i]; } } }';
/** Contiguous: invocation `lane` copies its own run of PER elements. */
const contiguous = 'let base = (wg * LANES + lane) * PER; for (var j = 0u; j < PER; j++) { let i = base + j; if (i < p.n4) { dst[i] = src[i]; } }';
/** Four loads, then four stores, per loop step (unchecked: whole blocks only). */
const unroll4 =
  'let base = wg * LANES * PER + lane; for (var j = 0u; j < PER; j += 4u) { let i = base + j * LANES; let a = src[i]; let b = src[i + LANES]; let c = src[i + 2u * LANES]; let d = src[i + 3u * LANES]; ' +
  'dst[i] = a; dst[i + LANES] = b; dst[i + 2u * LANES] = c; dst[i + 3u * LANES] = d; }';
/** Workgroup-uniform addresses only (one invocation per workgroup): llvmpipe's scalar load path. */
const uniform = 'let base = wg * PER; for (var j = 0u; j < PER; j++) { let i = base + j; if (i < p.n4) { dst[i] = src[i]; } }';
/** Elements per invocation as a runtime value (the uniform), not a constant. */
const runtimePer = 'let per = p.n4 / (nwg.x * nwg.y * LANES); let base = wg * LANES * per + lane; for (var j = 0u; j < per; j++) { let i = base + j * LANES; if (i < p.n4) { dst[i] = src[i]; } }';

interface Shape {
  name: string;
  lanes: number;
  per: number;
  body?: string;
  el?: string;
  elBytes?: number;
}
const SHAPES: Shape[] = [
  { name: 'portable copy.wgsl 256 x 1', lanes: 256, per: 1 },
  { name: 'strided 8 x 16', lanes: 8, per: 16, body: strided },
  { name: 'strided 8 x 64', lanes: 8, per: 64, body: strided },
  { name: 'strided 8 x 256', lanes: 8, per: 256, body: strided },
  { name: 'strided 8 x 1024', lanes: 8, per: 1024, body: strided },
  { name: 'strided 4 x 64', lanes: 4, per: 64, body: strided },
  { name: 'strided 16 x 64', lanes: 16, per: 64, body: strided },
  { name: 'unchecked 8 x 64', lanes: 8, per: 64, body: unchecked },
  { name: 'unchecked 8 x 256', lanes: 8, per: 256, body: unchecked },
  { name: 'unchecked 8 x 1024', lanes: 8, per: 1024, body: unchecked },
  { name: 'unchecked 8 x 4096', lanes: 8, per: 4096, body: unchecked },
  { name: 'unchecked 16 x 256', lanes: 16, per: 256, body: unchecked },
  { name: 'runtime per 8 x 256', lanes: 8, per: 256, body: runtimePer },
  { name: 'contiguous 8 x 64', lanes: 8, per: 64, body: contiguous },
  { name: 'unroll4 8 x 64', lanes: 8, per: 64, body: unroll4 },
  { name: 'uniform 1 x 1024', lanes: 1, per: 1024, body: uniform },
  { name: 'u32 strided 8 x 256', lanes: 8, per: 256, body: strided, el: 'u32', elBytes: 4 },
  { name: 'vec2 strided 8 x 128', lanes: 8, per: 128, body: strided, el: 'vec2<u32>', elBytes: 8 },
];

const gpu = await getGpu();
if (bytes > gpu.maxBinding) throw new Error(`--mib: ${bytes} bytes exceed one storage binding (${gpu.maxBinding})`);
const src = gpu.empty([bytes / 4], 'u32', 'src');
const dst = gpu.empty([bytes / 4], 'u32', 'dst');
const only = values.only?.split(',');
const runs = SHAPES.filter((s) => !only || s.name.startsWith('portable') || only.some((o) => s.name.includes(o))).map((s) => {
  const n = bytes / (s.elBytes ?? 16);
  const def = s.body
    ? { name: 'copy_sweep', file: 'experimental/copy-sweep.wgsl', params: { n4: 'u32' } as const, consts: { EL: s.el ?? 'vec4<u32>', LANES: s.lanes, PER: s.per, BODY: s.body } }
    : { name: 'copy', file: 'copy.wgsl', params: { n4: 'u32' } as const };
  const workgroups = Math.ceil(n / (s.lanes * s.per));
  return { s, best: 0, run: () => gpu.dispatch(def, { params: { n4: n }, bindings: [src, dst], workgroups }) };
});
for (const r of runs) {
  r.run(); // compile
  await gpu.sync();
}
for (let round = 0; round < rounds; round++) {
  for (const r of runs) {
    const ms = (await gpu.timeGpu(() => { for (let k = 0; k < reps; k++) r.run(); })) / reps;
    r.best = Math.max(r.best, (2 * bytes) / (ms * 1e-3) / 1e9);
  }
}
console.log(`copy shapes on ${gpu.describe()}: ${bytes >> 20} MiB, best of ${rounds} rounds of ${reps} (GB/s, read + write)`);
const portable = runs[0]!.best;
for (const r of runs) console.log(`${r.s.name.padEnd(30)} ${r.best.toFixed(2).padStart(6)} GB/s  ${(r.best / portable).toFixed(2)}x portable`);
src.destroy();
dst.destroy();
gpu.destroy();
