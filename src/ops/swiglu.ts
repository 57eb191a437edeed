// SwiGLU (out = silu(gate) * up) forward and backward, elementwise on same-shaped tensors,
// vectorised 8 elements per thread (see elementwise.ts).
// (choice) computed in f32 and rounded once to the output dtype; HF rounds silu(g) to bf16 before
// the multiply, a difference within one bf16 ulp.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, runFlat, type MemoryOpts } from './elementwise.js';

function kernel(entry: 'fwd' | 'bwd', t: Tensor, op: string): (vec: boolean) => KernelDef {
  return (vec) => ({ name: `swiglu_${entry}`, file: 'swiglu.wgsl', entry, consts: { VEC: vec, ...dtConsts('X', t, op, vec) }, params: { n: 'u32', e0: 'u32' } });
}

function check(op: string, ts: Tensor[]): void {
  for (const t of ts) {
    if (t.numel !== ts[0].numel || t.dtype !== ts[0].dtype) {
      throw new Error(`${op}: ${t.describe()} must match ${ts[0].describe()} in element count and dtype`);
    }
  }
}

export function swigluForward(gpu: Gpu, gate: Tensor, up: Tensor, out: Tensor, opts: MemoryOpts = {}): void {
  check('swigluForward', [gate, up, out]);
  runFlat(gpu, kernel('fwd', gate, 'swigluForward'), [gate, up, out], gate.numel, opts);
}

export function swigluBackward(gpu: Gpu, dOut: Tensor, gate: Tensor, up: Tensor, dGate: Tensor, dUp: Tensor, opts: MemoryOpts = {}): void {
  check('swigluBackward', [gate, up, dOut, dGate, dUp]);
  runFlat(gpu, kernel('bwd', gate, 'swigluBackward'), [gate, up, dOut, dGate, dUp], gate.numel, opts);
}
