// Forward sanity and backward-vs-finite-difference checks of the float64 reference ops
// (odd sizes so transposed or swapped dimensions can't cancel out).
import { describe, expect, it } from 'vitest';
import { closeness, fdGrad } from '../../src/ops/ref/finite-diff.js';
import { embeddingBackward, embeddingForward } from '../../src/ops/ref/embedding.js';
import { linearBackward, linearForward, matmulAB, matmulAtB } from '../../src/ops/ref/matmul.js';
import { makeRng, randomArray } from '../../src/ops/ref/random.js';
import { residualBackward, residualForward } from '../../src/ops/ref/residual.js';
import { rmsnormBackward, rmsnormForward } from '../../src/ops/ref/rmsnorm.js';
import { ropeBackward, ropeForward, ropeInvFreq } from '../../src/ops/ref/rope.js';
import { cuSeqlensFromLengths, positionsFromCuSeqlens } from '../../src/ops/ref/seqlens.js';
import { swigluBackward, swigluForward } from '../../src/ops/ref/swiglu.js';

// Central differences with h = 1e-5 in float64: truncation ~1e-10, rounding ~1e-11.
const RTOL = 1e-6;

function expectGradClose(analytic: Float64Array, fd: Float64Array, what: string): void {
  const c = closeness(analytic, fd);
  expect(c.maxRel, `${what}: worst index ${c.worstIndex}`).toBeLessThan(RTOL);
}

describe('matmul (reference)', () => {
  const M = 5, K = 7, N = 3;
  const rng = makeRng(1);
  const X = randomArray(M * K, rng);
  const W = randomArray(N * K, rng);
  const dY = randomArray(M * N, rng);

  it('Y = X W^T matches a hand-computed case', () => {
    // X [2,3], W [2,3]: Y[i][j] = sum_k X[i][k] W[j][k]
    const Y = linearForward([1, 2, 3, 4, 5, 6], [1, 0, -1, 2, 1, 0], 2, 3, 2);
    expect(Array.from(Y)).toEqual([-2, 4, -2, 13]);
    expect(Array.from(matmulAB([1, 2, 3, 4], [5, 6, 7, 8], 2, 2, 2))).toEqual([19, 22, 43, 50]);
    // A [K=2, M=2]^T B [2,2]: A^T = [[1,3],[2,4]]
    expect(Array.from(matmulAtB([1, 2, 3, 4], [5, 6, 7, 8], 2, 2, 2))).toEqual([26, 30, 38, 44]);
  });

  it('backward matches finite differences', () => {
    const { dX, dW } = linearBackward(dY, X, W, M, K, N);
    expect(dX.length).toBe(M * K);
    expect(dW.length).toBe(N * K);
    const f = () => linearForward(X, W, M, K, N);
    expectGradClose(dX, fdGrad(f, dY, X), 'dX');
    expectGradClose(dW, fdGrad(f, dY, W), 'dW');
  });

  it('names the wrong-sized argument', () => {
    expect(() => linearForward(X, W, M, K, N + 1)).toThrow(/B \[N,K\] has length 21, expected 28/);
  });
});

describe('rmsnorm (reference)', () => {
  const rows = 5, dim = 7, eps = 1e-6;
  const rng = makeRng(2);
  const x = randomArray(rows * dim, rng);
  const w = randomArray(dim, rng, 0.3, 1);
  const dOut = randomArray(rows * dim, rng);

  it('forward is x / rms(x) * w (no 1+ offset)', () => {
    const { out } = rmsnormForward([3, 4], [1, 2], 1, 2, 0);
    const rms = Math.sqrt((9 + 16) / 2);
    expect(out[0]).toBeCloseTo(3 / rms, 14);
    expect(out[1]).toBeCloseTo((4 / rms) * 2, 14);
  });

  it('backward matches finite differences (also eps = 0.1 so eps is exercised)', () => {
    for (const e of [eps, 0.1]) {
      const { dx, dw } = rmsnormBackward(dOut, x, w, rows, dim, e);
      const f = () => rmsnormForward(x, w, rows, dim, e).out;
      expectGradClose(dx, fdGrad(f, dOut, x), 'dx');
      expectGradClose(dw, fdGrad(f, dOut, w), 'dw');
    }
  });
});

describe('rope (reference)', () => {
  const T = 5, heads = 3, hd = 8, theta = 10000;
  const rng = makeRng(3);
  const x = randomArray(T * heads * hd, rng);
  const positions = positionsFromCuSeqlens(cuSeqlensFromLengths([2, 3]));

  it('positions restart per packed sequence', () => {
    expect(Array.from(positions)).toEqual([0, 1, 0, 1, 2]);
  });

  it('is the identity at position 0', () => {
    const y = ropeForward(x, T, heads, hd, new Int32Array(T), theta);
    expect(Array.from(y)).toEqual(Array.from(x));
  });

  it('rotates dimension i with i + hd/2 (rotate_half convention)', () => {
    // one token, one head, hd 4: inv_freq = [1, theta^-1/2]
    const inv = ropeInvFreq(4, 100);
    expect(Array.from(inv)).toEqual([1, 0.1]);
    const p = 3;
    const y = ropeForward([1, 2, 3, 4], 1, 1, 4, [p], 100);
    const a0 = p * 1, a1 = p * 0.1;
    const expected = [
      1 * Math.cos(a0) - 3 * Math.sin(a0),
      2 * Math.cos(a1) - 4 * Math.sin(a1),
      3 * Math.cos(a0) + 1 * Math.sin(a0),
      4 * Math.cos(a1) + 2 * Math.sin(a1),
    ];
    for (let i = 0; i < 4; i++) expect(y[i]).toBeCloseTo(expected[i]!, 14);
  });

  it('preserves norms, and the backward undoes the forward', () => {
    const y = ropeForward(x, T, heads, hd, positions, theta);
    const back = ropeBackward(y, T, heads, hd, positions, theta);
    expect(closeness(back, x).maxAbs).toBeLessThan(1e-14);
    const n = (a: Float64Array) => Math.hypot(...a);
    expect(n(y)).toBeCloseTo(n(x), 12);
  });

  it('backward matches finite differences', () => {
    const dOut = randomArray(x.length, rng);
    const dx = ropeBackward(dOut, T, heads, hd, positions, theta);
    expectGradClose(dx, fdGrad(() => ropeForward(x, T, heads, hd, positions, theta), dOut, x), 'dx');
  });
});

describe('swiglu, residual, embedding (reference)', () => {
  const rng = makeRng(4);
  const n = 11;
  const g = randomArray(n, rng, 2);
  const u = randomArray(n, rng);
  const dOut = randomArray(n, rng);

  it('swiglu forward and backward', () => {
    expect(swigluForward([0, 1], [5, 2])[1]).toBeCloseTo((2 * 1) / (1 + Math.exp(-1)), 15);
    expect(swigluForward([0, 1], [5, 2])[0]).toBe(0);
    const { dg, du } = swigluBackward(dOut, g, u);
    const f = () => swigluForward(g, u);
    expectGradClose(dg, fdGrad(f, dOut, g), 'dg');
    expectGradClose(du, fdGrad(f, dOut, u), 'du');
  });

  it('residual add passes the gradient to both inputs', () => {
    const a = randomArray(n, rng);
    const { da, db } = residualBackward(dOut);
    const f = () => residualForward(a, u);
    expectGradClose(da, fdGrad(f, dOut, a), 'da');
    expectGradClose(db, fdGrad(f, dOut, u), 'db');
  });

  it('embedding gathers rows and scatter-adds gradients (repeated ids accumulate)', () => {
    const V = 6, H = 5;
    const table = randomArray(V * H, rng);
    const ids = [4, 0, 4, 2];
    const out = embeddingForward(table, ids, V, H);
    expect(Array.from(out.subarray(H, 2 * H))).toEqual(Array.from(table.subarray(0, H)));
    const d = randomArray(ids.length * H, rng);
    const dTable = embeddingBackward(d, ids, V, H);
    expectGradClose(dTable, fdGrad(() => embeddingForward(table, ids, V, H), d, table), 'dTable');
    expect(dTable[1 * H]).toBe(0); // id 1 unused
    expect(() => embeddingForward(table, [6], V, H)).toThrow(/token id 6 at position 0/);
  });
});
