// The start-up check that lets 'auto' use the tensor-core GEMM (matmul-sgmat.ts): compile it (trying
// both ways to a uniform subgroup index), then run it against the portable kernel on seeded random
// bf16 inputs. The comparison is exported for other tensor-core variants (src/ops/experimental).
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { linear, linearBackwardInput, linearBackwardWeight, type MatmulOpts } from './matmul.js';
import type { GemmDesc } from './matmul-plan.js';
import { hasF16Config, setSgmatState, sgmatDef, type SgmatStatus } from './matmul-sgmat.js';

/** One configuration compared with the portable kernel: a label and the options that select it. */
export interface CheckedVariant {
  label: string;
  opts: Pick<MatmulOpts, 'sgmatVariant' | 'sgmat2'>;
}

/** Run the subgroup-matrix kernel against the portable one at a few shapes (non-tile multiples,
 *  all three layouts, bf16 and f32 outputs, accumulate, operands beyond f16's range) and enable it
 *  for 'auto' only if they agree. 'unavailable': no f16 subgroup matrices on this device;
 *  'rejected': compile error or mismatch (detail says which). Never throws for a kernel problem:
 *  the portable path stays in use. `compiled`: the kernels compiled (so a variant that shares
 *  their subgroup-index syntax can be compared next). */
export async function checkMatmulPaths(gpu: Gpu): Promise<{ subgroupMatrix: SgmatStatus; compiled: boolean; detail: string }> {
  setSgmatState(gpu, { status: 'unavailable' });
  if (!gpu.features.subgroupMatrix || !gpu.features.f16) {
    return { subgroupMatrix: 'unavailable', compiled: false, detail: `device ${gpu.describe()} lacks ${!gpu.features.subgroupMatrix ? 'chromium-experimental-subgroup-matrix' : 'shader-f16'}` };
  }
  if (!hasF16Config(gpu)) {
    return { subgroupMatrix: 'unavailable', compiled: false, detail: `no f16 x f16 -> f32 16x16x16 config among ${JSON.stringify(gpu.subgroupMatrixConfigs)}` };
  }
  // Compile every layout variant; fall back to a broadcast subgroup index if subgroup_id fails.
  const dummy = (rows: 'r' | 'k', cols: 'r' | 'c' | 'k'): { t: Tensor; rows: 'r' | 'c' | 'k'; cols: 'r' | 'c' | 'k' } => ({ t: null as unknown as Tensor, rows, cols });
  const layouts: GemmDesc[] = [
    { op: 'linear', a: dummy('r', 'k'), b: { ...dummy('r', 'k'), rows: 'c' }, c: dummy('r', 'c'), R: 0, C: 0, K: 0 },
    { op: 'linearBackwardInput', a: dummy('r', 'k'), b: dummy('k', 'c'), c: dummy('r', 'c'), R: 0, C: 0, K: 0 },
    { op: 'linearBackwardWeight', a: dummy('k', 'r'), b: dummy('k', 'c'), c: dummy('r', 'c'), R: 0, C: 0, K: 0 },
  ];
  const errors: string[] = [];
  let syntax: 'subgroup_id' | 'broadcast' | null = null;
  for (const s of ['subgroup_id', 'broadcast'] as const) {
    try {
      for (const g of layouts) for (const cb of [false, true]) await gpu.compile(sgmatDef(g, cb, s));
      syntax = s;
      break;
    } catch (e) {
      errors.push(`subgroup index from ${s}: ${shortMessage(e)}`);
    }
  }
  if (!syntax) {
    setSgmatState(gpu, { status: 'rejected' });
    return { subgroupMatrix: 'rejected', compiled: false, detail: `compile failed:\n${errors.join('\n')}` };
  }
  setSgmatState(gpu, { syntax });
  const v1 = await runComparison(gpu, [{ label: 'v1', opts: {} }]);
  setSgmatState(gpu, { status: v1.status });
  return { subgroupMatrix: v1.status, compiled: true, detail: `subgroup index from ${syntax}\n${v1.text}` };
}

/** compareWithPortable as a verdict: 'rejected' on a mismatch or a failed run. */
export async function runComparison(gpu: Gpu, variants: CheckedVariant[]): Promise<{ status: SgmatStatus; text: string }> {
  try {
    const r = await compareWithPortable(gpu, variants);
    return { status: r.ok ? 'ok' : 'rejected', text: r.text };
  } catch (e) {
    return { status: 'rejected', text: `run failed: ${shortMessage(e)}` };
  }
}

/** A compile error without the generated code that the kernel's label repeats. */
export function shortMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  // v1's and v2's generated placeholders (string values of the consts object in the label)
  return m.replace(/,?"[A-Z_0-9]+":"(?:[^"\\]|\\.)*"/g, '').slice(0, 6000);
}

function seeded(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

/** Each variant on the path 'subgroup-matrix' against the portable kernel, on seeded inputs.
 *  Tolerance: both paths multiply the same bf16 values exactly and accumulate in f32, so they
 *  differ by summation order only: |diff| <= 1e-3 * max|portable| (f32 out) or bf16 rounding. */
export async function compareWithPortable(gpu: Gpu, variants: CheckedVariant[]): Promise<{ ok: boolean; text: string }> {
  const shapes: { M: number; N: number; K: number; scale: number; accumulate?: boolean }[] = [
    { M: 37, N: 70, K: 98, scale: 1 },
    { M: 300, N: 262, K: 330, scale: 1, accumulate: true },
    { M: 129, N: 256, K: 64, scale: 3e5 }, // beyond f16's range: needs the scale
    { M: 128, N: 130, K: 96, scale: 1e-6 }, // small values: would be subnormal in f16 unscaled
    { M: 256, N: 384, K: 200, scale: 1 }, // rows a multiple of 8 (v2's vec4 loads), interior tiles, K tail
  ];
  const lines: string[] = [];
  let ok = true;
  for (const [si, sh] of shapes.entries()) {
    const { M, N, K } = sh;
    const x = gpu.upload(seeded(M * K, 11 + si, sh.scale), [M, K], 'bf16', 'chk.x');
    const w = gpu.upload(seeded(N * K, 23 + si, sh.scale), [N, K], 'bf16', 'chk.w');
    const dy = gpu.upload(seeded(M * N, 37 + si, sh.scale), [M, N], 'bf16', 'chk.dy');
    const runs: [string, typeof linear, Tensor, Tensor, number[]][] = [
      ['xwT', linear, x, w, [M, N]],
      ['dyW', linearBackwardInput, dy, w, [M, K]],
      ['dyTx', linearBackwardWeight, dy, x, [N, K]],
    ];
    for (const [name, fn, a, b, shape] of runs) {
      for (const outT of ['f32', 'bf16'] as const) {
        const acc = outT === 'f32' && !!sh.accumulate;
        const init = acc ? seeded(shape[0] * shape[1], 5, sh.scale * sh.scale * K) : null;
        const ref = init ? gpu.upload(init, shape, 'f32') : gpu.empty(shape, outT);
        fn(gpu, a, b, ref, { path: 'portable', accumulate: acc });
        const r = await gpu.readF32(ref);
        ref.destroy();
        for (const v of variants) {
          const got = init ? gpu.upload(init, shape, 'f32') : gpu.empty(shape, outT);
          fn(gpu, a, b, got, { ...v.opts, path: 'subgroup-matrix', accumulate: acc });
          const g = await gpu.readF32(got);
          got.destroy();
          let maxRef = 0, maxDiff = 0, bad = 0;
          for (let i = 0; i < r.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(r[i]));
            const d = Math.abs(r[i] - g[i]);
            if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : d;
          }
          const tol = 1e-3 * maxRef; // bf16 out: plus one bf16 rounding of the same f32 sum
          for (let i = 0; i < r.length; i++) {
            const d = Math.abs(r[i] - g[i]);
            const lim = outT === 'f32' ? tol : tol + 2 ** -7 * Math.abs(r[i]);
            if (!(d <= lim)) bad++;
          }
          const pass = bad === 0 && maxRef > 0;
          ok &&= pass;
          lines.push(`${pass ? 'ok ' : 'BAD'} ${v.label} ${name} M=${M} N=${N} K=${K} scale=${sh.scale} ${outT}${acc ? ' acc' : ''}: max|ref|=${maxRef.toExponential(3)} max|diff|=${maxDiff.toExponential(3)} bad=${bad}`);
        }
      }
    }
    x.destroy();
    w.destroy();
    dy.destroy();
  }
  return { ok, text: lines.join('\n') };
}
