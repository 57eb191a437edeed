// Portable tiled GEMM (no subgroups, no f16): C[r, c] (+)= sum_k A(r, k) * B(k, c) over one chunk.
// One kernel serves the three layouts of a linear layer, chosen by constants:
//   A_KR: A is stored [K, R] (else [R, K]);  B_KC: B is stored [K, C] (else [C, K]).
// Each matrix is row-major with leading dimension ld* and an element offset off* into its binding
// (bindings start on an aligned row chunk; the offset covers the remainder and column chunks).
// bf16 operands are packed two per u32 and unpacked to f32 while staging into workgroup memory;
// accumulation is f32. A workgroup computes a BM x BN tile, each thread TM x TN of it; the next
// K step's global loads are held in registers while the current step is multiplied.
#include "common/bf16.wgsl"

struct Params {
  R: u32, C: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  off_a: u32, off_b: u32, off_c: u32,
  accumulate: u32,
  flags: u32, // layout/dtype bits, read where the FLAG_* constants below are not specialised
}
@group(0) @binding(0) var<uniform> p: Params;
// Every buffer is bound as u32 words: f32 elements are bitcast, bf16 ones come two per word.
@group(0) @binding(1) var<storage, read> a_buf: array<u32>;
@group(0) @binding(2) var<storage, read> b_buf: array<u32>;
@group(0) @binding(3) var<storage, read_write> c_buf: array<u32>;

const BM = {{BM}}u;
const BN = {{BN}}u;
const BK = {{BK}}u;
const TM = {{TM}}u;
const TN = {{TN}}u;
const TX = BN / TN;          // threads along C
const THREADS = (BM / TM) * (BN / TN);
const LA = BM * BK / THREADS; // A elements each thread stages per K step
const LB = BN * BK / THREADS;
// Layout and dtype: compile-time constants on real GPUs; on a software rasteriser, where each
// pipeline costs seconds of LLVM time, one pipeline reads them from p.flags (bits below).
fn a_kr() -> bool { return {{A_KR}}; }     // A stored [K, R] (bit 0), else [R, K]
fn b_kc() -> bool { return {{B_KC}}; }     // B stored [K, C] (bit 1), else [C, K]
fn a_bf16() -> bool { return {{A_BF16}}; } // bit 2
fn b_bf16() -> bool { return {{B_BF16}}; } // bit 3
fn c_bf16() -> bool { return {{C_BF16}}; } // bit 4

// Staged tiles, k-major: As[k][r], Bs[k][c], as vec4 so a thread reads its TM/TN run in few loads.
var<workgroup> As: array<vec4<f32>, BK * BM / 4u>;
var<workgroup> Bs: array<vec4<f32>, BK * BN / 4u>;

fn load_a(e: u32) -> f32 {
  if (a_bf16()) {
    let w = a_buf[e >> 1u];
    return select(bf16_lo(w), bf16_hi(w), (e & 1u) == 1u);
  }
  return bitcast<f32>(a_buf[e]);
}
fn load_b(e: u32) -> f32 {
  if (b_bf16()) {
    let w = b_buf[e >> 1u];
    return select(bf16_lo(w), bf16_hi(w), (e & 1u) == 1u);
  }
  return bitcast<f32>(b_buf[e]);
}

// Element (tile row or col `i`, tile k `kk`) of the j-th value a thread stages. Threads run along
// the stored innermost dimension so global reads coalesce.
fn a_coord(j: u32, tid: u32) -> vec2<u32> {
  let i = tid + j * THREADS;
  if (a_kr()) { return vec2<u32>(i % BM, i / BM); }
  return vec2<u32>(i / BK, i % BK);
}
fn b_coord(j: u32, tid: u32) -> vec2<u32> {
  let i = tid + j * THREADS;
  if (b_kc()) { return vec2<u32>(i % BN, i / BN); }
  return vec2<u32>(i / BK, i % BK);
}

fn fetch_a(r: u32, k: u32) -> f32 {
  if (r >= p.R || k >= p.K) { return 0.0; }
  if (a_kr()) { return load_a(p.off_a + k * p.lda + r); }
  return load_a(p.off_a + r * p.lda + k);
}
fn fetch_b(c: u32, k: u32) -> f32 {
  if (c >= p.C || k >= p.K) { return 0.0; }
  if (b_kc()) { return load_b(p.off_b + k * p.ldb + c); }
  return load_b(p.off_b + c * p.ldb + k);
}

// One C element pair (r, c), (r, c+1) of a thread's result, converted and (for f32) accumulated.
fn write2(r: u32, c: u32, v0: f32, v1: f32) {
  if (r >= p.R || c >= p.C) { return; }
  let e = p.off_c + r * p.ldc + c;
  if (c_bf16()) {
    c_buf[e >> 1u] = bf16_pack(v0, v1);
    return;
  }
  var o0 = v0;
  if (p.accumulate != 0u) { o0 += bitcast<f32>(c_buf[e]); }
  c_buf[e] = bitcast<u32>(o0);
  if (c + 1u < p.C) {
    var o1 = v1;
    if (p.accumulate != 0u) { o1 += bitcast<f32>(c_buf[e + 1u]); }
    c_buf[e + 1u] = bitcast<u32>(o1);
  }
}

// The per-thread loops are unrolled in TypeScript (matmul.ts: portableCode) into named variables:
// arrays indexed in loops ended up in local memory on NVIDIA (2.3 TFLOP/s at 8192^3 on an H200).
@compute @workgroup_size(THREADS)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32) {
  let c0 = wid.x * BN;
  let r0 = wid.y * BM;
  let tx = tid % TX;
  let ty = tid / TX;
{{DECL}}
  var kb = 0u;
{{PREFETCH}}
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
{{STAGE}}
    workgroupBarrier();
    // Prefetch the next K step into registers; its latency hides behind the multiply below.
    kb = k0 + BK;
    if (kb < p.K) {
{{PREFETCH}}
    }
    for (var kk = 0u; kk < BK; kk++) {
{{INNER}}
    }
    workgroupBarrier();
  }
  // bf16: each thread owns whole u32 words (TN, c0, C and off_c are even).
{{WRITE}}
}
