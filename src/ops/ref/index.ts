// Float64 CPU reference ops: plain, readable forward and backward of every op the GPU model runs,
// used by tests as ground truth. Row-major Float64Array with explicit shapes.
export * from './check.js';
export * from './bf16.js';
export * from './random.js';
export * from './seqlens.js';
export * from './matmul.js';
export * from './rmsnorm.js';
export * from './rope.js';
export * from './swiglu.js';
export * from './residual.js';
export * from './embedding.js';
export * from './attention.js';
export * from './lm-head.js';
export * from './adamw.js';
export * from './finite-diff.js';
