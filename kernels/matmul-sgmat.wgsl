// Tensor-core GEMM on subgroup matrices (f16 x f16 -> f32, 16x16x16), same problem and bindings as
// matmul.wgsl: C[r, c] (+)= sum_k A(r, k) * B(k, c) over one chunk, A/B bf16 (two per u32).
// Recipe measured on an H200 (architecture.md): a 128x128 workgroup tile, 4 subgroups of 32 in 2x2,
// each owning 4x4 result tiles of 16x16; K step 32; tiles staged through workgroup memory with rows
// padded by 8 halves; the next step's global loads held in registers during the multiply.
// bf16 -> f16 happens while staging, with a power-of-two scale per operand (scales[0], scales[1]:
// exponent shifts from matmul-scale.wgsl) that keeps the operand's max-abs in [2^14, 2^15); the f32
// result is scaled back exactly (multiplications by powers of two, not ldexp: ldexp per element cost 3x).
// Matrix load/store offsets must be provably subgroup-uniform (a hard error otherwise, seen on the
// H200): the subgroup index comes from the subgroup_id builtin, or where that is missing from
// subgroupBroadcastFirst ({{SG_ARGS}} / {{SG}}, chosen by checkMatmulPaths). The 2x2 layout needs
// subgroups of 32: the check against the portable kernel rejects a device where they differ.
enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
#include "common/bf16.wgsl"

struct Params {
  R: u32, C: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  off_a: u32, off_b: u32, off_c: u32,
  accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a_buf: array<u32>;
@group(0) @binding(2) var<storage, read> b_buf: array<u32>;
@group(0) @binding(3) var<storage, read_write> c_buf: array<u32>;
@group(0) @binding(4) var<storage, read> scales: array<i32>;

const BM = 128u;
const BN = 128u;
const BK = 32u;
const A_KR = {{A_KR}}; // A stored [K, R] (else [R, K])
const B_KC = {{B_KC}}; // B stored [K, C] (else [C, K])
const C_BF16 = {{C_BF16}};
// Staged tiles keep the stored orientation (rows padded by 8 halves); the matrix loads pick
// row_major / col_major to match. A: [r][k] (stride BK+8) or [k][r] (stride BM+8); B likewise.
const SA = {{SA}}u;
const SB = {{SB}}u;
// Each of the 128 threads stages BM*BK/2/128 = 16 u32 words of A and of B per K step.

var<workgroup> As: array<f16, 5120>; // >= 128 * 40 and >= 32 * 136
var<workgroup> Bs: array<f16, 5120>;
var<workgroup> Cs: array<f32, 1024>; // one 16x16 f32 result tile per subgroup, for the write-out

// Tile coordinates (row-or-col index i, k index) of the two elements of staged word j.
fn a_word(j: u32, tid: u32) -> vec2<u32> {
  let i = tid + j * 128u;
  if (A_KR) { return vec2<u32>(2u * (i % (BM / 2u)), i / (BM / 2u)); } // [k][r]: pairs along r
  return vec2<u32>(i / (BK / 2u), 2u * (i % (BK / 2u)));                // [r][k]: pairs along k
}
fn b_word(j: u32, tid: u32) -> vec2<u32> {
  let i = tid + j * 128u;
  if (B_KC) { return vec2<u32>(2u * (i % (BN / 2u)), i / (BN / 2u)); }
  return vec2<u32>(i / (BK / 2u), 2u * (i % (BK / 2u)));
}

// Global loads: the word holding elements (q.x, q.y) and its pair partner; 0 outside the chunk.
// The paired dimension is the stored innermost one, whose size and offsets are even for bf16.
fn fetch_a(r0: u32, k0: u32, q: vec2<u32>) -> u32 {
  let r = r0 + q.x;
  let k = k0 + q.y;
  if (r >= p.R || k >= p.K) { return 0u; }
  if (A_KR) { return a_buf[(p.off_a + k * p.lda + r) >> 1u]; }
  return a_buf[(p.off_a + r * p.lda + k) >> 1u];
}
fn fetch_b(c0: u32, k0: u32, q: vec2<u32>) -> u32 {
  let c = c0 + q.x;
  let k = k0 + q.y;
  if (c >= p.C || k >= p.K) { return 0u; }
  if (B_KC) { return b_buf[(p.off_b + k * p.ldb + c) >> 1u]; }
  return b_buf[(p.off_b + c * p.ldb + k) >> 1u];
}

// 2^s for |s| <= 126, built from its bits: exact, and cheaper than ldexp per element.
fn pow2(s: i32) -> f32 { return bitcast<f32>(u32(s + 127) << 23u); }

fn to_f16(w: u32, factor: f32) -> vec2<f16> {
  return vec2<f16>(bf16_unpack(w) * factor);
}

fn store_a(q: vec2<u32>, v: vec2<f16>) {
  if (A_KR) {
    let s = q.y * SA + q.x;
    As[s] = v.x; As[s + 1u] = v.y;
  } else {
    let s = q.x * SA + q.y;
    As[s] = v.x; As[s + 1u] = v.y;
  }
}
fn store_b(q: vec2<u32>, v: vec2<f16>) {
  if (B_KC) {
    let s = q.y * SB + q.x;
    Bs[s] = v.x; Bs[s + 1u] = v.y;
  } else {
    let s = q.x * SB + q.y;
    Bs[s] = v.x; Bs[s + 1u] = v.y;
  }
}

// Offsets of the 16x16 operand tiles in workgroup memory (subgroup-uniform: from sg and loops).
fn a_off(r: u32, k: u32) -> u32 {
  if (A_KR) { return k * SA + r; }
  return r * SA + k;
}
fn b_off(c: u32, k: u32) -> u32 {
  if (B_KC) { return k * SB + c; }
  return c * SB + k;
}

// Write one 16x16 result tile (staged in Cs at `base`) to C: each of the 32 lanes owns 4 pairs.
fn write_tile(r0: u32, c0: u32, base: u32, lane: u32, ua: f32, ub: f32) {
  for (var q = 0u; q < 4u; q++) {
    let idx = (lane + q * 32u) * 2u;
    let r = r0 + idx / 16u;
    let c = c0 + idx % 16u;
    if (r >= p.R || c >= p.C) { continue; }
    let v0 = Cs[base + idx] * ua * ub; // two steps: 2^-(sa+sb) alone could underflow
    let v1 = Cs[base + idx + 1u] * ua * ub;
    let e = p.off_c + r * p.ldc + c;
    if (C_BF16) {
      c_buf[e >> 1u] = bf16_pack(v0, v1);
    } else {
      var o0 = v0;
      if (p.accumulate != 0u) { o0 += bitcast<f32>(c_buf[e]); }
      c_buf[e] = bitcast<u32>(o0);
      if (c + 1u < p.C) {
        var o1 = v1;
        if (p.accumulate != 0u) { o1 += bitcast<f32>(c_buf[e + 1u]); }
        c_buf[e + 1u] = bitcast<u32>(o1);
      }
    }
  }
}

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32{{SG_ARGS}}) {
  let c0 = wid.x * BN;
  let r0 = wid.y * BM;
{{SG}}
  let rs = (sg / 2u) * 64u; // this subgroup's 64x64 block inside the tile
  let cs = (sg % 2u) * 64u;
  let sa = pow2(scales[0]);
  let sb = pow2(scales[1]);
  let ua = pow2(-scales[0]);
  let ub = pow2(-scales[1]);

{{ACC_DECL}}

  // Staged words in named registers (unrolled in TypeScript: arrays indexed in loops went to
  // local memory on NVIDIA).
{{STAGE_DECL}}
  var kb = 0u;
{{PREFETCH}}
  for (var k0 = 0u; k0 < p.K; k0 += BK) {
{{STAGE}}
    workgroupBarrier();
    kb = k0 + BK;
    if (kb < p.K) {
{{PREFETCH}}
    }
    for (var kk = 0u; kk < BK; kk += 16u) {
{{MMA_STEP}}
    }
    workgroupBarrier();
  }

{{WRITE_OUT}}
}
