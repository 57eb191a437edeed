// Residual add: out = a + b; the gradient flows unchanged to both inputs.
import { expectLength, type Vec } from './check.js';

export function residualForward(a: Vec, b: Vec): Float64Array {
  expectLength('residualForward', 'b', b, a.length);
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! + b[i]!;
  return out;
}

export function residualBackward(dOut: Vec): { da: Float64Array; db: Float64Array } {
  return { da: Float64Array.from(dOut), db: Float64Array.from(dOut) };
}
