// Rotary position embedding (HF rotate_half, non-interleaved) on x [T, heads*headDim] with per-token
// positions (u32 [T], restarting per packed sequence). Backward = rotation by -angle.
// cos/sin come from a per-device table (gpu.scratch.table) built on the host from the f32 angle exactly as HF forms
// it: inv_freq = f32(1 / f32(theta ** f32(2i/d))), angle = f32(pos * inv_freq). Computing cos/sin
// on the host (in float64, rounded to f32) avoids the GPU's sin/cos, whose accuracy WGSL only
// bounds on [-pi, pi] while angles reach ~4e4 rad. (choice) The rotation is applied in f32 with f32
// cos/sin and rounded once; HF rounds cos/sin and each product to bf16.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, elemBytes, memoryCpu, rowSpans, spanOf, type MemoryOpts } from './elementwise.js';

export interface RopeDims {
  tokens: number;
  heads: number;
  headDim: number;
  theta: number;
  /** Positions must be below this (table rows); default 40960 = Qwen3 max_position_embeddings. */
  maxPosition?: number;
}

const DEFAULT_MAX_POSITION = 40960;

/** HF's inv_freq in f32 arithmetic. */
export function ropeInvFreqF32(headDim: number, theta: number): Float32Array {
  const half = headDim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / headDim))));
  return inv;
}

/** The cos/sin table's arena purpose (src/gpu/arena.ts): one table per head dim, theta and length. */
export function ropeTablePurpose(headDim: number, theta: number, maxPos: number): string {
  return `rope.cos-sin[${headDim}/${theta}/${maxPos}]`;
}

/** Bytes of that table: [maxPos, headDim / 2, 2] f32. */
export function ropeTableBytes(headDim: number, maxPos: number): number {
  return maxPos * headDim * 4;
}

function cosSinTable(gpu: Gpu, headDim: number, theta: number, maxPos: number): Tensor {
  const purpose = ropeTablePurpose(headDim, theta, maxPos);
  return gpu.scratch.table(purpose, () => {
    const half = headDim / 2;
    const inv = ropeInvFreqF32(headDim, theta);
    const data = new Float32Array(maxPos * half * 2);
    for (let p = 0; p < maxPos; p++) {
      for (let i = 0; i < half; i++) {
        const angle = Math.fround(p * inv[i]);
        data[(p * half + i) * 2] = Math.cos(angle);
        data[(p * half + i) * 2 + 1] = Math.sin(angle);
      }
    }
    return gpu.upload(data, [maxPos, half, 2], 'f32', purpose);
  });
}

const kernel = (x: Tensor, op: string, wg: number, per: number): KernelDef => ({
  name: wg === 256 ? 'rope' : 'rope_cpu',
  file: 'rope.wgsl',
  consts: { ...dtConsts('X', x, op), WG: wg, PER: per },
  params: { tokens: 'u32', heads: 'u32', hd: 'u32', maxPos: 'u32', sgn: 'f32' },
});

/** Items (two element pairs) per invocation of the CPU-shaped form: fewer where that would leave
 *  under 8 workgroups (both threads of a 2-core machine busy). */
function cpuPer(items: number, lanes: number): number {
  let per = 32;
  while (per > 4 && Math.ceil(items / (lanes * per)) < 8) per /= 2;
  return per;
}

function rope(op: string, sgn: number, gpu: Gpu, x: Tensor, positions: Tensor, out: Tensor, d: RopeDims, opts: MemoryOpts): void {
  const { tokens, heads, headDim } = d;
  for (const [k, v] of Object.entries({ tokens, heads, headDim })) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${op}: ${k} must be a positive integer, got ${v}`);
  }
  if (headDim % 2 !== 0) throw new Error(`${op}: headDim must be even, got ${headDim}`);
  if (x.dtype === 'bf16' && headDim % 4 !== 0) throw new Error(`${op}: bf16 needs headDim % 4 == 0 (half a head = whole words), got ${headDim}`);
  for (const t of [x, out]) {
    if (t.numel !== tokens * heads * headDim) throw new Error(`${op}: ${t.describe()} must hold tokens*heads*headDim = ${tokens}x${heads}x${headDim}`);
  }
  if (out.dtype !== x.dtype) throw new Error(`${op}: ${out.describe()} dtype differs from ${x.describe()}`);
  if (out.buffer === x.buffer) throw new Error(`${op}: out must not alias x (${x.describe()})`);
  if (positions.dtype !== 'u32' || positions.numel !== tokens) throw new Error(`${op}: positions ${positions.describe()} must be u32 [${tokens}]`);
  const maxPos = d.maxPosition ?? DEFAULT_MAX_POSITION;
  const table = cosSinTable(gpu, headDim, d.theta, maxPos);
  const rb = heads * headDim * elemBytes(x);
  const itemsPerToken = heads * Math.ceil(headDim / 4);
  const cpu = memoryCpu(gpu, opts);
  for (const s of rowSpans(gpu, tokens, [rb, 4], opts.maxBindingBytes)) {
    const items = s.rows * itemsPerToken;
    const [wg, per] = cpu ? [gpu.cpuLanes, cpuPer(items, gpu.cpuLanes)] : [256, 1];
    gpu.dispatch(kernel(x, op, wg, per), {
      params: { tokens: s.rows, heads, hd: headDim, maxPos, sgn },
      bindings: [spanOf(x, s, rb), spanOf(positions, s, 4), table, spanOf(out, s, rb)],
      workgroups: Math.ceil(items / (wg * per)),
    });
  }
}

export function ropeForward(gpu: Gpu, x: Tensor, positions: Tensor, out: Tensor, dims: RopeDims, opts: MemoryOpts = {}): void {
  rope('ropeForward', 1, gpu, x, positions, out, dims, opts);
}

export function ropeBackward(gpu: Gpu, dy: Tensor, positions: Tensor, dx: Tensor, dims: RopeDims, opts: MemoryOpts = {}): void {
  rope('ropeBackward', -1, gpu, dy, positions, dx, dims, opts);
}
