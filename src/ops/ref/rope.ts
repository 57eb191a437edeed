// Rotary position embedding, HF's non-interleaved ("rotate_half") convention on x [T, heads, hd]:
// dimension i pairs with i + hd/2, inv_freq[i] = theta^(-2i/hd), angle = position * inv_freq[i],
//   out[i]      = x[i] cos - x[i+hd/2] sin
//   out[i+hd/2] = x[i+hd/2] cos + x[i] sin
// Positions are per token (they restart at 0 for each packed sequence: see seqlens.ts).
// A rotation is orthogonal, so the backward is the same rotation by -angle.
import { expectLength, expectPositiveInt, type Vec } from './check.js';

export function ropeInvFreq(headDim: number, theta: number): Float64Array {
  const half = headDim / 2;
  const inv = new Float64Array(half);
  for (let i = 0; i < half; i++) inv[i] = Math.pow(theta, (-2 * i) / headDim);
  return inv;
}

function rotate(
  op: string,
  x: Vec,
  T: number,
  heads: number,
  headDim: number,
  positions: Vec,
  theta: number,
  sign: 1 | -1,
): Float64Array {
  expectPositiveInt(op, 'T', T);
  expectPositiveInt(op, 'heads', heads);
  expectPositiveInt(op, 'headDim', headDim);
  if (headDim % 2 !== 0) throw new Error(`${op}: headDim must be even, got ${headDim}`);
  expectLength(op, 'x [T,heads,headDim]', x, T * heads * headDim);
  expectLength(op, 'positions [T]', positions, T);
  const half = headDim / 2;
  const inv = ropeInvFreq(headDim, theta);
  const out = new Float64Array(x.length);
  for (let t = 0; t < T; t++) {
    for (let i = 0; i < half; i++) {
      const angle = positions[t]! * inv[i]!;
      const c = Math.cos(angle);
      const s = sign * Math.sin(angle);
      for (let h = 0; h < heads; h++) {
        const base = (t * heads + h) * headDim;
        const a = x[base + i]!;
        const b = x[base + i + half]!;
        out[base + i] = a * c - b * s;
        out[base + i + half] = b * c + a * s;
      }
    }
  }
  return out;
}

export function ropeForward(
  x: Vec,
  T: number,
  heads: number,
  headDim: number,
  positions: Vec,
  theta: number,
): Float64Array {
  return rotate('ropeForward', x, T, heads, headDim, positions, theta, 1);
}

/** dx = R(-angle) dOut: the transpose of the forward rotation. */
export function ropeBackward(
  dOut: Vec,
  T: number,
  heads: number,
  headDim: number,
  positions: Vec,
  theta: number,
): Float64Array {
  return rotate('ropeBackward', dOut, T, heads, headDim, positions, theta, -1);
}
