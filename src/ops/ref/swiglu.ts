// SwiGLU gate of the Qwen3 MLP: out = silu(g) * u, silu(g) = g * sigmoid(g).
import { expectLength, type Vec } from './check.js';

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function silu(x: number): number {
  return x * sigmoid(x);
}

export function swigluForward(g: Vec, u: Vec): Float64Array {
  expectLength('swigluForward', 'up', u, g.length);
  const out = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = silu(g[i]!) * u[i]!;
  return out;
}

/** d silu(g)/dg = sigmoid(g) (1 + g (1 - sigmoid(g))). */
export function swigluBackward(dOut: Vec, g: Vec, u: Vec): { dg: Float64Array; du: Float64Array } {
  expectLength('swigluBackward', 'up', u, g.length);
  expectLength('swigluBackward', 'dOut', dOut, g.length);
  const dg = new Float64Array(g.length);
  const du = new Float64Array(g.length);
  for (let i = 0; i < g.length; i++) {
    const s = sigmoid(g[i]!);
    du[i] = dOut[i]! * g[i]! * s;
    dg[i] = dOut[i]! * u[i]! * s * (1 + g[i]! * (1 - s));
  }
  return { dg, du };
}
