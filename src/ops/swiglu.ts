// SwiGLU (out = silu(gate) * up) forward and backward, elementwise on same-shaped tensors.
// (choice) computed in f32 and rounded once to the output dtype; HF rounds silu(g) to bf16 before
// the multiply, a difference within one bf16 ulp.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, elemBytes, rowSpans, spanOf, type ChunkOpts } from './residual.js';

function kernel(entry: 'fwd' | 'bwd', t: Tensor, op: string): KernelDef {
  return { name: `swiglu_${entry}`, file: 'swiglu.wgsl', entry, consts: dtConsts('X', t, op), params: { n: 'u32' } };
}

function check(op: string, ts: Tensor[]): void {
  for (const t of ts) {
    if (t.numel !== ts[0].numel || t.dtype !== ts[0].dtype) {
      throw new Error(`${op}: ${t.describe()} must match ${ts[0].describe()} in element count and dtype`);
    }
  }
}

function run(gpu: Gpu, def: KernelDef, ts: Tensor[], opts: ChunkOpts): void {
  const n = ts[0].numel;
  const rb = 2 * elemBytes(ts[0]);
  for (const s of rowSpans(gpu, Math.ceil(n / 2), [rb], opts.maxBindingBytes)) {
    gpu.dispatch(def, {
      params: { n: Math.min(2 * s.rows, n - 2 * s.row0) },
      bindings: ts.map((t) => spanOf(t, s, rb)),
      workgroups: Math.ceil(s.rows / 256),
    });
  }
}

export function swigluForward(gpu: Gpu, gate: Tensor, up: Tensor, out: Tensor, opts: ChunkOpts = {}): void {
  check('swigluForward', [gate, up, out]);
  run(gpu, kernel('fwd', gate, 'swigluForward'), [gate, up, out], opts);
}

export function swigluBackward(gpu: Gpu, dOut: Tensor, gate: Tensor, up: Tensor, dGate: Tensor, dUp: Tensor, opts: ChunkOpts = {}): void {
  check('swigluBackward', [gate, up, dOut, dGate, dUp]);
  run(gpu, kernel('bwd', gate, 'swigluBackward'), [gate, up, dOut, dGate, dUp], opts);
}
