// Matrix products in the three layouts a linear layer needs (row-major, explicit shapes).
// nn.Linear stores W as [out, in], so the forward is Y = X W^T; its backward needs
// dX = dY W (plain product) and dW = dY^T X (left operand transposed).
import { expectLength, expectPositiveInt, type Vec } from './check.js';

function checkDims(op: string, M: number, K: number, N: number): void {
  expectPositiveInt(op, 'M', M);
  expectPositiveInt(op, 'K', K);
  expectPositiveInt(op, 'N', N);
}

/** C[M,N] = A[M,K] B[N,K]^T */
export function matmulABt(A: Vec, B: Vec, M: number, K: number, N: number): Float64Array {
  checkDims('matmulABt', M, K, N);
  expectLength('matmulABt', 'A [M,K]', A, M * K);
  expectLength('matmulABt', 'B [N,K]', B, N * K);
  const C = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += A[m * K + k]! * B[n * K + k]!;
      C[m * N + n] = acc;
    }
  }
  return C;
}

/** C[M,N] = A[M,K] B[K,N] */
export function matmulAB(A: Vec, B: Vec, M: number, K: number, N: number): Float64Array {
  checkDims('matmulAB', M, K, N);
  expectLength('matmulAB', 'A [M,K]', A, M * K);
  expectLength('matmulAB', 'B [K,N]', B, K * N);
  const C = new Float64Array(M * N);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      const a = A[m * K + k]!;
      for (let n = 0; n < N; n++) C[m * N + n] += a * B[k * N + n]!;
    }
  }
  return C;
}

/** C[M,N] = A[K,M]^T B[K,N] */
export function matmulAtB(A: Vec, B: Vec, K: number, M: number, N: number): Float64Array {
  checkDims('matmulAtB', M, K, N);
  expectLength('matmulAtB', 'A [K,M]', A, K * M);
  expectLength('matmulAtB', 'B [K,N]', B, K * N);
  const C = new Float64Array(M * N);
  for (let k = 0; k < K; k++) {
    for (let m = 0; m < M; m++) {
      const a = A[k * M + m]!;
      for (let n = 0; n < N; n++) C[m * N + n] += a * B[k * N + n]!;
    }
  }
  return C;
}

/** Linear layer forward: Y[M,N] = X[M,K] W[N,K]^T. */
export function linearForward(X: Vec, W: Vec, M: number, K: number, N: number): Float64Array {
  return matmulABt(X, W, M, K, N);
}

/** Linear layer backward: dX[M,K] = dY W, dW[N,K] = dY^T X. */
export function linearBackward(
  dY: Vec,
  X: Vec,
  W: Vec,
  M: number,
  K: number,
  N: number,
): { dX: Float64Array; dW: Float64Array } {
  expectLength('linearBackward', 'dY [M,N]', dY, M * N);
  return {
    dX: matmulAB(dY, W, M, N, K),
    dW: matmulAtB(dY, X, M, N, K),
  };
}
