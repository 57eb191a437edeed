// Rotary position embedding, HF non-interleaved (rotate_half): in each head of x [T, heads*hd],
// dimension i pairs with i + hd/2. One thread per element pair (i, i+1) of the first half and its
// partner pair (i+h, i+h+1): it owns both bf16 words it writes. cos/sin come from a table
// cs[pos * half + i] = (cos, sin) of the f32 angle pos * inv_freq[i], built on the host.
// sgn = 1 forward, -1 backward (the rotation's transpose). A thread does PER such items, WG apart:
// WG = 256, PER = 1 the portable shape, WG = one SIMD vector with PER > 1 the CPU-shaped one
// (src/ops/rope.ts).
#include "common/bf16.wgsl"

const WG = {{WG}}u;
const PER = {{PER}}u;

struct Params { tokens: u32, heads: u32, hd: u32, maxPos: u32, sgn: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<{{X_T}}>;
@group(0) @binding(2) var<storage, read> pos: array<u32>;
@group(0) @binding(3) var<storage, read> cs: array<vec2<f32>>;
@group(0) @binding(4) var<storage, read_write> out: array<{{X_T}}>;

fn ld_x(e: u32, lim: u32) -> vec2<f32> {
  if ({{X_BF}}) { return bf16_unpack(bitcast<u32>(x[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(x[e]), 0.0);
  if (e + 1u < lim) { v.y = bitcast<f32>(x[e + 1u]); }
  return v;
}
fn st_out(e: u32, lim: u32, v: vec2<f32>) {
  if ({{X_BF}}) { out[e >> 1u] = bitcast<{{X_T}}>(bf16_pack2(v)); return; }
  out[e] = bitcast<{{X_T}}>(v.x);
  if (e + 1u < lim) { out[e + 1u] = bitcast<{{X_T}}>(v.y); }
}

// Item idx: pair i = 2 (idx % qpr) of row idx / qpr, qpr items per row (a head of a token).
fn rotate(idx: u32, half: u32, qpr: u32) {
  let row = idx / qpr; // t * heads + h
  let i = 2u * (idx % qpr);
  let t = row / p.heads;
  let base = row * p.hd;
  let a = ld_x(base + i, base + half);
  let b = ld_x(base + half + i, base + p.hd);
  let ps = pos[t];
  var c = vec2<f32>(0.0);
  var s = vec2<f32>(0.0);
  if (ps < p.maxPos) {
    let cs0 = cs[ps * half + i];
    var cs1 = vec2<f32>(1.0, 0.0);
    if (i + 1u < half) { cs1 = cs[ps * half + i + 1u]; }
    c = vec2<f32>(cs0.x, cs1.x);
    s = vec2<f32>(cs0.y, cs1.y) * p.sgn;
  } else {
    c = vec2<f32>(bitcast<f32>(0x7fc00000u | (ps & 0u))); // past the table: NaN (runtime: no const NaN)
  }
  st_out(base + i, base + half, a * c - b * s);
  st_out(base + half + i, base + p.hd, b * c + a * s);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let half = p.hd / 2u;
  let qpr = (half + 1u) / 2u; // items per head
  let items = p.tokens * p.heads * qpr;
  for (var j = 0u; j < PER; j++) {
    let idx = (wid.x + wid.y * nwg.x) * WG * PER + j * WG + lid;
    if (idx >= items) { break; }
    rotate(idx, half, qpr);
  }
}
