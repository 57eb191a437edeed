// Causal grouped-query attention over packed sequences.
// q [T, nh, hd], k/v [T, nkv, hd]; a token attends to itself and earlier tokens of its own
// sequence (cu_seqlens, see seqlens.ts). Query head h reads kv head floor(h / (nh / nkv)).
// Scores are scale * q.k with scale = 1/sqrt(hd). The forward also returns the natural-log
// logsumexp of each (token, head) score row, which the backward (like flash-attention) uses to
// rebuild the probabilities P = exp(S - lse) without storing them.
import { expectLength, expectPositiveInt, type Vec } from './check.js';
import { validateCuSeqlens } from './seqlens.js';

export interface AttnShape {
  T: number; // tokens (all packed sequences)
  nh: number; // query heads
  nkv: number; // key/value heads
  hd: number; // head dim
}

function check(op: string, q: Vec, k: Vec, v: Vec, cu: Vec, s: AttnShape): void {
  expectPositiveInt(op, 'T', s.T);
  expectPositiveInt(op, 'nh', s.nh);
  expectPositiveInt(op, 'nkv', s.nkv);
  expectPositiveInt(op, 'hd', s.hd);
  if (s.nh % s.nkv !== 0) throw new Error(`${op}: nh (${s.nh}) must be a multiple of nkv (${s.nkv})`);
  expectLength(op, 'q [T,nh,hd]', q, s.T * s.nh * s.hd);
  expectLength(op, 'k [T,nkv,hd]', k, s.T * s.nkv * s.hd);
  expectLength(op, 'v [T,nkv,hd]', v, s.T * s.nkv * s.hd);
  validateCuSeqlens(op, cu, s.T);
}

/** Start of the sequence holding each token. */
function seqStarts(cu: Vec, T: number): Int32Array {
  const start = new Int32Array(T);
  for (let s = 0; s + 1 < cu.length; s++) for (let t = cu[s]!; t < cu[s + 1]!; t++) start[t] = cu[s]!;
  return start;
}

function dot(a: Vec, ai: number, b: Vec, bi: number, n: number): number {
  let acc = 0;
  for (let d = 0; d < n; d++) acc += a[ai + d]! * b[bi + d]!;
  return acc;
}

export function attentionForward(
  q: Vec,
  k: Vec,
  v: Vec,
  cuSeqlens: Vec,
  shape: AttnShape,
): { out: Float64Array; lse: Float64Array } {
  check('attentionForward', q, k, v, cuSeqlens, shape);
  const { T, nh, nkv, hd } = shape;
  const group = nh / nkv;
  const scale = 1 / Math.sqrt(hd);
  const start = seqStarts(cuSeqlens, T);
  const out = new Float64Array(T * nh * hd);
  const lse = new Float64Array(T * nh); // [T, nh]
  const scores = new Float64Array(T);
  for (let i = 0; i < T; i++) {
    for (let h = 0; h < nh; h++) {
      const kvh = Math.floor(h / group);
      const qi = (i * nh + h) * hd;
      let max = -Infinity;
      for (let j = start[i]!; j <= i; j++) {
        scores[j] = scale * dot(q, qi, k, (j * nkv + kvh) * hd, hd);
        if (scores[j]! > max) max = scores[j]!;
      }
      let sum = 0;
      for (let j = start[i]!; j <= i; j++) sum += Math.exp(scores[j]! - max);
      const l = max + Math.log(sum);
      lse[i * nh + h] = l;
      for (let j = start[i]!; j <= i; j++) {
        const p = Math.exp(scores[j]! - l);
        const vj = (j * nkv + kvh) * hd;
        for (let d = 0; d < hd; d++) out[qi + d] += p * v[vj + d]!;
      }
    }
  }
  return { out, lse };
}

/**
 * Standard attention backward, per query row i (head h, kv head g):
 *   P_ij = exp(S_ij - lse_i), dP_ij = dO_i . v_j, D_i = dO_i . O_i, dS_ij = P_ij (dP_ij - D_i),
 *   dq_i += scale dS_ij k_j, dk_j += scale dS_ij q_i, dv_j += P_ij dO_i
 * (dk, dv sum over all query heads of the group).
 */
export function attentionBackward(
  dOut: Vec,
  q: Vec,
  k: Vec,
  v: Vec,
  out: Vec,
  lse: Vec,
  cuSeqlens: Vec,
  shape: AttnShape,
): { dq: Float64Array; dk: Float64Array; dv: Float64Array } {
  const op = 'attentionBackward';
  check(op, q, k, v, cuSeqlens, shape);
  const { T, nh, nkv, hd } = shape;
  expectLength(op, 'dOut [T,nh,hd]', dOut, T * nh * hd);
  expectLength(op, 'out [T,nh,hd]', out, T * nh * hd);
  expectLength(op, 'lse [T,nh]', lse, T * nh);
  const group = nh / nkv;
  const scale = 1 / Math.sqrt(hd);
  const start = seqStarts(cuSeqlens, T);
  const dq = new Float64Array(q.length);
  const dk = new Float64Array(k.length);
  const dv = new Float64Array(v.length);
  for (let i = 0; i < T; i++) {
    for (let h = 0; h < nh; h++) {
      const kvh = Math.floor(h / group);
      const qi = (i * nh + h) * hd;
      const D = dot(dOut, qi, out, qi, hd);
      const l = lse[i * nh + h]!;
      for (let j = start[i]!; j <= i; j++) {
        const kj = (j * nkv + kvh) * hd;
        const p = Math.exp(scale * dot(q, qi, k, kj, hd) - l);
        const dp = dot(dOut, qi, v, kj, hd);
        const ds = p * (dp - D);
        for (let d = 0; d < hd; d++) {
          dq[qi + d] += scale * ds * k[kj + d]!;
          dk[kj + d] += scale * ds * q[qi + d]!;
          dv[kj + d] += p * dOut[qi + d]!;
        }
      }
    }
  }
  return { dq, dk, dv };
}
