// RMSNorm over rows of [rows, dim], HF Qwen3 semantics: n = x * rsqrt(mean(x^2) + eps) in f32,
// rounded to the input dtype (bf16 when X_BF), then y = w * n. A workgroup of 256 threads holds
// SEGS = 256 / TPR segments; each segment of TPR threads owns one row at a time, each thread a
// strided set of element pairs (one bf16 word each, so no two threads write one word).
// Backward: dx per row; dw via per-segment partial sums [nPart, dim] that dw_reduce adds into dw
// in a fixed order (deterministic: no float atomics).
#include "common/bf16.wgsl"

const TPR = {{TPR}}u;
const SEGS = 256u / TPR;
const PPT = {{PPT}}u; // pairs per thread per row: ceil(dim / 2 / TPR)

struct Params { rows: u32, dim: u32, eps: f32, rps: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<{{X_T}}>;
@group(0) @binding(2) var<storage, read> w: array<{{W_T}}>;
@group(0) @binding(3) var<storage, read_write> rstd_out: array<f32>;  // fwd
@group(0) @binding(4) var<storage, read_write> y: array<{{X_T}}>;     // fwd
@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;         // bwd
@group(0) @binding(4) var<storage, read> dy: array<{{X_T}}>;          // bwd
@group(0) @binding(5) var<storage, read_write> dx: array<{{X_T}}>;    // bwd
@group(0) @binding(6) var<storage, read_write> part: array<f32>;      // bwd: [nPart, dim]
@group(0) @binding(1) var<storage, read> part_in: array<f32>;         // dw_reduce
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;        // dw_reduce

var<workgroup> red: array<f32, 256>;

// A pair of elements starting at e (even when bf16); lim bounds the row for odd f32 dims.
fn ld_x(e: u32, lim: u32) -> vec2<f32> {
  if ({{X_BF}}) { return bf16_unpack(bitcast<u32>(x[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(x[e]), 0.0);
  if (e + 1u < lim) { v.y = bitcast<f32>(x[e + 1u]); }
  return v;
}
fn ld_dy(e: u32, lim: u32) -> vec2<f32> {
  if ({{X_BF}}) { return bf16_unpack(bitcast<u32>(dy[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(dy[e]), 0.0);
  if (e + 1u < lim) { v.y = bitcast<f32>(dy[e + 1u]); }
  return v;
}
fn ld_w(e: u32, lim: u32) -> vec2<f32> {
  if ({{W_BF}}) { return bf16_unpack(bitcast<u32>(w[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(w[e]), 0.0);
  if (e + 1u < lim) { v.y = bitcast<f32>(w[e + 1u]); }
  return v;
}
fn st_y(e: u32, lim: u32, v: vec2<f32>) {
  if ({{X_BF}}) { y[e >> 1u] = bitcast<{{X_T}}>(bf16_pack2(v)); return; }
  y[e] = bitcast<{{X_T}}>(v.x);
  if (e + 1u < lim) { y[e + 1u] = bitcast<{{X_T}}>(v.y); }
}
fn st_dx(e: u32, lim: u32, v: vec2<f32>) {
  if ({{X_BF}}) { dx[e >> 1u] = bitcast<{{X_T}}>(bf16_pack2(v)); return; }
  dx[e] = bitcast<{{X_T}}>(v.x);
  if (e + 1u < lim) { dx[e + 1u] = bitcast<{{X_T}}>(v.y); }
}
fn round_x(v: vec2<f32>) -> vec2<f32> {
  if ({{X_BF}}) { return bf16_unpack(bf16_pack2(v)); }
  return v;
}

// Sum of v over this thread's segment; every thread of the workgroup must call it (barriers).
fn seg_sum(lid: u32, v: f32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = TPR / 2u; s > 0u; s >>= 1u) {
    if ((lid % TPR) < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let r = red[lid - lid % TPR];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(256)
fn fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let lt = lid % TPR;
  let row = (wid.x + wid.y * nwg.x) * SEGS + lid / TPR;
  let live = row < p.rows;
  let base = row * p.dim;
  let lim = base + p.dim;
  var ss = 0.0;
  if (live) {
    for (var e = base + 2u * lt; e < lim; e += 2u * TPR) { let v = ld_x(e, lim); ss += dot(v, v); }
  }
  let r = inverseSqrt(seg_sum(lid, ss) / f32(p.dim) + p.eps);
  if (!live) { return; }
  if (lt == 0u) { rstd_out[row] = r; }
  for (var e = base + 2u * lt; e < lim; e += 2u * TPR) {
    st_y(e, lim, ld_w(e - base, p.dim) * round_x(ld_x(e, lim) * r));
  }
}

// Segment k of workgroup g owns rows [(g*SEGS + k) * rps, +rps) and writes partial row g*SEGS + k.
// dx = s g - s^3 x (sum g x) / dim with g = dy w; dw partial += dy x s.
@compute @workgroup_size(256)
fn bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let lt = lid % TPR;
  let pi = (wid.x + wid.y * nwg.x) * SEGS + lid / TPR;
  var acc: array<vec2<f32>, PPT>;
  for (var k = 0u; k < p.rps; k++) {
    let row = pi * p.rps + k;
    let live = row < p.rows;
    let base = row * p.dim;
    let lim = base + p.dim;
    var gx = 0.0;
    if (live) {
      for (var e = base + 2u * lt; e < lim; e += 2u * TPR) {
        gx += dot(ld_dy(e, lim) * ld_w(e - base, p.dim), ld_x(e, lim));
      }
    }
    let tot = seg_sum(lid, gx);
    if (live) {
      let s = rstd_in[row];
      let c = s * s * s * tot / f32(p.dim);
      for (var q = 0u; q < PPT; q++) {
        let e = base + 2u * (lt + q * TPR);
        if (e < lim) {
          let g = ld_dy(e, lim);
          let xv = ld_x(e, lim);
          st_dx(e, lim, s * g * ld_w(e - base, p.dim) - c * xv);
          acc[q] += g * xv * s;
        }
      }
    }
  }
  let pb = pi * p.dim;
  for (var q = 0u; q < PPT; q++) {
    let c = 2u * (lt + q * TPR);
    if (c < p.dim) {
      part[pb + c] = acc[q].x;
      if (c + 1u < p.dim) { part[pb + c + 1u] = acc[q].y; }
    }
  }
}

// dw[c] += sum over partial rows in order (rows param = number of partial rows).
@compute @workgroup_size(256)
fn dw_reduce(@builtin(global_invocation_id) gid: vec3<u32>) {
  let c = gid.x;
  if (c >= p.dim) { return; }
  var s = 0.0;
  for (var i = 0u; i < p.rows; i++) { s += part_in[i * p.dim + c]; }
  dw[c] += s;
}
