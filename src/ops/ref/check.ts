// Shape checks shared by the float64 reference ops: a wrong-sized buffer is the most common bug when
// wiring tests to GPU kernels, so every op validates its inputs and names the offending argument.

/** Anything indexable by number: Float64Array, Float32Array, number[] (inputs only). */
export type Vec = ArrayLike<number>;

export function expectLength(op: string, name: string, a: Vec, n: number): void {
  if (a.length !== n) {
    throw new Error(`${op}: ${name} has length ${a.length}, expected ${n}`);
  }
}

export function expectPositiveInt(op: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n <= 0) {
    throw new Error(`${op}: ${name} must be a positive integer, got ${n}`);
  }
}

export function expectNonNegInt(op: string, name: string, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`${op}: ${name} must be a non-negative integer, got ${n}`);
  }
}
