// Tensor-core GEMM, variant 2 (src/ops/matmul-sgmat2.ts generates the unrolled parts): same problem,
// bindings and per-operand power-of-two f16 scales as matmul-sgmat.wgsl (v1), C[r, c] (+)= sum_k
// A(r, k) B(k, c) over one chunk, A/B bf16 (two per u32). What changes against v1:
// - global loads of 8 bf16 at a time (vec4<u32> when the operand's rows and offset are 16-byte
//   aligned, else 4 scalar words), with per-thread base offsets computed once;
// - interior workgroups (whole tile inside, whole K step inside) load without bounds checks;
// - the workgroup tile is BM x BN (128x128, 256x128 or 128x256): one subgroup per 64x64 block,
//   each owning 4x4 16x16 result tiles, (BM/64) x (BN/64) subgroups;
// - optionally double-buffered workgroup memory (one barrier per K step instead of two);
// - a K-major operand (stored [K, x]) may be transposed while staging (to [x][k]), so the
//   multiply reads it like the x-major one;
// - the write-out gives each lane 8 consecutive outputs of a row.
// With EMULATE (tests on lavapipe, which has no subgroup matrices) the subgroup-matrix builtins are
// replaced by plain f32 loops over the same workgroup-memory offsets, so everything but the
// tensor-core instructions themselves runs in the tests.
{{ENABLES}}
#include "common/bf16.wgsl"

struct Params {
  R: u32, C: u32, K: u32,
  lda: u32, ldb: u32, ldc: u32,
  off_a: u32, off_b: u32, off_c: u32,
  accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> a_buf: array<{{A_ELEM}}>;
@group(0) @binding(2) var<storage, read> b_buf: array<{{B_ELEM}}>;
@group(0) @binding(3) var<storage, read_write> c_buf: array<u32>;
@group(0) @binding(4) var<storage, read> scales: array<i32>;

const BM = {{BM}}u;
const BN = {{BN}}u;
const SGN = BN / 64u; // subgroups along a row of 64x64 blocks
const BK = {{BK}}u;
const C_BF16 = {{C_BF16}};
// Staged row strides (halves) and the size of one staging buffer per operand.
const SA = {{SA}}u;
const SB = {{SB}}u;
const ABUF = {{ABUF}}u;
const BBUF = {{BBUF}}u;

var<workgroup> As: array<f16, {{AS_SIZE}}>;
var<workgroup> Bs: array<f16, {{BS_SIZE}}>;
var<workgroup> Cs: array<f32, {{CS_SIZE}}>; // one 16x16 f32 result tile per subgroup, for the write-out

// 8 elements (4 words) from element index e of A / B. e is a multiple of 8 when vec4-aligned.
fn load_a(e: u32) -> vec4<u32> {
{{LOAD_A}}
}
fn load_b(e: u32) -> vec4<u32> {
{{LOAD_B}}
}
// Bounds-checked: `ok` says the stored row is inside, `lim` how many of the 8 elements are
// (a signed count: <= 0 none). Bf16 stored rows have even length, so a word is all in or all out.
fn load_a_chk(e: u32, ok: bool, lim: i32) -> vec4<u32> {
  if (!ok || lim <= 0) { return vec4<u32>(); }
  if (lim >= 8) { return load_a(e); }
{{LOAD_A_PART}}
}
fn load_b_chk(e: u32, ok: bool, lim: i32) -> vec4<u32> {
  if (!ok || lim <= 0) { return vec4<u32>(); }
  if (lim >= 8) { return load_b(e); }
{{LOAD_B_PART}}
}

// 2^s for |s| <= 126, built from its bits (cheaper than ldexp per element).
fn pow2(s: i32) -> f32 { return bitcast<f32>(u32(s + 127) << 23u); }
fn to_f16(w: u32, factor: f32) -> vec2<f16> { return vec2<f16>(bf16_unpack(w) * factor); }

{{EMU_FNS}}

// One 16x16 result tile (staged row-major in Cs at `base`) to C: lane owns row lane/2, 8 columns.
fn write_tile(tr: u32, tc: u32, base: u32, lane: u32, ua: f32, ub: f32) {
  let r = tr + lane / 2u;
  let c = tc + (lane % 2u) * 8u;
  if (r >= p.R || c >= p.C) { return; }
  let n = min(p.C - c, 8u);
  let src = base + lane * 8u;
  let e = p.off_c + r * p.ldc + c;
  if (C_BF16) {
    for (var w = 0u; 2u * w < n; w++) {
      c_buf[(e >> 1u) + w] = bf16_pack(Cs[src + 2u * w] * ua * ub, Cs[src + 2u * w + 1u] * ua * ub);
    }
  } else {
    for (var q = 0u; q < n; q++) {
      var o = Cs[src + q] * ua * ub; // two steps: 2^-(sa+sb) alone could underflow
      if (p.accumulate != 0u) { o += bitcast<f32>(c_buf[e + q]); }
      c_buf[e + q] = bitcast<u32>(o);
    }
  }
}

@compute @workgroup_size({{THREADS}})
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32{{SG_ARGS}}) {
  let c0 = wid.x * BN;
  let r0 = wid.y * BM;
{{SG}}
  let rs = (sg / SGN) * 64u; // this subgroup's 64x64 block inside the tile
  let cs = (sg % SGN) * 64u;
  let sa = pow2(scales[0]);
  let sb = pow2(scales[1]);
  let ua = pow2(-scales[0]);
  let ub = pow2(-scales[1]);
  // Whole tile inside the chunk: full K steps need no bounds checks (workgroup-uniform).
  let interior = r0 + BM <= p.R && c0 + BN <= p.C;

{{ACC_DECL}}

  // Per-thread staging: tile coordinates, base element offsets and raw words, in named registers
  // (arrays indexed in loops went to local memory on NVIDIA).
{{STAGE_DECL}}

{{MAIN_LOOP}}

{{WRITE_OUT}}
}
