// Packed sequences: tokens of several sequences laid end to end, described by cu_seqlens
// (cumulative starts, length nseq + 1, first 0, last T), as in flash-attention's varlen API.
import type { Vec } from './check.js';

/** Throws naming the problem unless cu is a valid cu_seqlens for T tokens. */
export function validateCuSeqlens(op: string, cu: Vec, T: number): void {
  if (cu.length < 2) throw new Error(`${op}: cu_seqlens needs at least 2 entries, got ${cu.length}`);
  if (cu[0] !== 0) throw new Error(`${op}: cu_seqlens[0] must be 0, got ${cu[0]}`);
  for (let s = 1; s < cu.length; s++) {
    const c = cu[s]!;
    if (!Number.isInteger(c) || c < cu[s - 1]!) {
      throw new Error(`${op}: cu_seqlens[${s}] = ${c} is not an integer >= cu_seqlens[${s - 1}] = ${cu[s - 1]}`);
    }
  }
  if (cu[cu.length - 1] !== T) {
    throw new Error(`${op}: cu_seqlens ends at ${cu[cu.length - 1]} but there are ${T} tokens`);
  }
}

/** Position of each token inside its own sequence (RoPE positions restart at 0 per sequence). */
export function positionsFromCuSeqlens(cu: Vec): Int32Array {
  const T = cu[cu.length - 1]!;
  validateCuSeqlens('positionsFromCuSeqlens', cu, T);
  const pos = new Int32Array(T);
  for (let s = 0; s + 1 < cu.length; s++) {
    for (let t = cu[s]!; t < cu[s + 1]!; t++) pos[t] = t - cu[s]!;
  }
  return pos;
}

/** cu_seqlens from a list of sequence lengths. */
export function cuSeqlensFromLengths(lengths: readonly number[]): Int32Array {
  const cu = new Int32Array(lengths.length + 1);
  for (let s = 0; s < lengths.length; s++) cu[s + 1] = cu[s]! + lengths[s]!;
  return cu;
}
