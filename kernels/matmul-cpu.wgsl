// CPU-shaped GEMM (for llvmpipe / lavapipe): C[r, c] (+)= sum_k A(r, k) * B(k, c) over one chunk.
// Same parameters, bindings and layouts as kernels/matmul.wgsl (A_KR: A stored [K, R], else
// [R, K]; B_KC: B stored [K, C], else [C, K]; bf16 packed two per u32, f32 accumulation), shaped
// for a CPU that runs a workgroup as one SIMD vector (architecture.md, "Facts measured on
// lavapipe"): LANES invocations, no workgroup memory, no barriers, one loop over K.
// What llvmpipe (Mesa 25.0) makes of it, read from its assembly: every load whose address is not
// a compile-time constant becomes a loop over the lanes with a bounds check per lane and
// component, so a vec4 load costs little more than a scalar one; the arithmetic is cheap. So the
// shape minimises load instructions per multiply-add: a workgroup owns TM rows (wid.y) and each
// invocation TN columns, its TM x TN results in registers, and both operands are read as vectors
// of AW / BW u32 words (A_T / B_T: u32, vec2<u32> or vec4<u32>) where alignment allows.
// A_BCAST (with subgroups, TM a multiple of LANES): A, the same in every lane, is not loaded by
// every lane: lane l loads row r0 + l (or, A stored [K, R], k-row k + l) and the others take it
// by subgroupBroadcast from a constant lane (an element extract on llvmpipe), 1 load instead of 8.
// C_T: C is stored transposed (the TypeScript side may swap A and B). CW > 1: a row's TN results
// go out as one vector store (and load, to accumulate) where the row is whole and aligned.
// The loop body is generated in TypeScript (src/ops/matmul-cpu.ts: cpuCode): STEP multiplies KS
// consecutive k with unchecked loads, TAIL one k (the K % KS rest) with element loads. Rows and
// columns past R and C compute on whatever the (robustness-clamped) loads return and are never
// written.
{{ENABLE}}
#include "common/bf16.wgsl"

struct Params {
  R: u32, C: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  off_a: u32, off_b: u32, off_c: u32,
  accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a_buf: array<{{A_T}}>;
@group(0) @binding(2) var<storage, read> b_buf: array<{{B_T}}>;
@group(0) @binding(3) var<storage, read_write> c_buf: array<{{CV_T}}>;

const LANES = {{LANES}}u;
const TM = {{TM}}u;
const TN = {{TN}}u;
const KS = {{KS}}u;
const AW = {{AW}}u; // u32 words per A load
const BW = {{BW}}u; // u32 words per B load
const CW = {{CW}}u; // u32 words per C store (an invocation's TN results of one row)

// Word w of a load of `n` words.
fn word_of(v: {{A_T}}, w: u32) -> u32 { {{A_PICK}} }
fn word_of_b(v: {{B_T}}, w: u32) -> u32 { {{B_PICK}} }

// Element e of A or B as f32 (any parity and alignment: the tail's loads).
fn elem_a(e: u32) -> f32 {
  if ({{A_BF16}}) {
    let x = word_of(a_buf[(e >> 1u) / AW], (e >> 1u) % AW);
    return select(bf16_lo(x), bf16_hi(x), (e & 1u) == 1u);
  }
  return bitcast<f32>(word_of(a_buf[e / AW], e % AW));
}
fn elem_b(e: u32) -> f32 {
  if ({{B_BF16}}) {
    let x = word_of_b(b_buf[(e >> 1u) / BW], (e >> 1u) % BW);
    return select(bf16_lo(x), bf16_hi(x), (e & 1u) == 1u);
  }
  return bitcast<f32>(word_of_b(b_buf[e / BW], e % BW));
}

// The f32 result (r, c): stored, or added to what is there.
fn put_f32(r: u32, c: u32, v: f32) {
  if (r >= p.R || c >= p.C) { return; }
  let e = p.off_c + select(r * p.ldc + c, c * p.ldc + r, {{C_T}});
  var o = v;
  if (p.accumulate != 0u) { o += bitcast<f32>(word_c(e)); }
  set_word_c(e, bitcast<u32>(o));
}
// A bf16 result pair along C's stored rows: (r, c), (r, c + 1), or (r, c), (r + 1, c) with C_T;
// the pair's first index, its dimension's size, off_c and ldc are even: one whole word.
fn put_bf16(r: u32, c: u32, v0: f32, v1: f32) {
  if (r >= p.R || c >= p.C) { return; }
  set_word_c((p.off_c + select(r * p.ldc + c, c * p.ldc + r, {{C_T}})) >> 1u, bf16_pack(v0, v1));
}
// Word w of C (stored as vectors of CW words).
fn word_c(w: u32) -> u32 { {{C_GET}} }
fn set_word_c(w: u32, x: u32) { {{C_SET}} }

@compute @workgroup_size(LANES)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let r0 = wid.y * TM;
  let c0 = (wid.x * LANES + lane) * TN;
{{DECL}}
  let kmain = p.K - p.K % KS;
  var k = 0u;
  for (; k < kmain; k += KS) {
{{STEP}}
  }
  for (; k < p.K; k++) {
{{TAIL}}
  }
{{WRITE}}
}
