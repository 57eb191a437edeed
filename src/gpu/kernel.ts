// What a kernel is to the runtime (src/gpu/recorder.ts): a WGSL file, its entry point, its
// compile-time constants and its uniform parameters; what one dispatch of it binds; and how a
// large 1-D workgroup count is folded into a grid.
import type { ConstValue } from './wgsl.js';
import type { Tensor } from './tensor.js';

export type ParamType = 'u32' | 'i32' | 'f32';

/** A kernel: a WGSL file, its entry point, compile-time constants and its uniform parameters.
 *  Binding convention: when `params` is given, @binding(0) is `var<uniform> p: Params` with the
 *  fields in the same order (4 bytes each); storage buffers follow from @binding(1) in the order
 *  passed to dispatch. Without params, storage buffers start at @binding(0). */
export interface KernelDef {
  name: string;
  file: string;
  entry?: string;
  consts?: Record<string, ConstValue>;
  params?: Record<string, ParamType>;
}

export type Binding = Tensor | GPUBufferBinding;

export interface DispatchArgs {
  params?: Record<string, number>;
  bindings: Binding[];
  /** Workgroup counts; a single number over 65535 is folded into x*y by `grid`. */
  workgroups: number | [number, number?, number?];
}

/** Fold a 1-D workgroup count into x*y (x <= 65535). Kernels recover the linear index as
 *  wid.x + wid.y * num_workgroups.x and must ignore indices past their work. */
export function grid(n: number): [number, number, number] {
  if (n <= 65535) return [n, 1, 1];
  const y = Math.ceil(n / 65535);
  return [Math.ceil(n / y), y, 1];
}
