// SwiGLU of the Qwen3 MLP: out = silu(g) * u, elementwise, computed in f32 and rounded once.
// A thread owns PER units (8 elements with vec4 accesses when VEC, else one element pair: the
// tail), WG units apart; WG = 256, PER = 1 the portable shape, WG = one SIMD vector with PER > 1 the
// CPU-shaped one (src/ops/elementwise.ts). All buffers share one dtype (X_*, common/units.wgsl).
#include "common/bf16.wgsl"
#include "common/units.wgsl"

const VEC = {{VEC}};
const WG = {{WG}}u;
const PER = {{PER}}u;

struct Params { n: u32, e0: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gate: array<{{X_A}}>;
@group(0) @binding(2) var<storage, read> up: array<{{X_A}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{X_A}}>;   // forward
@group(0) @binding(3) var<storage, read> dout: array<{{X_A}}>;        // backward
@group(0) @binding(4) var<storage, read_write> dgate: array<{{X_A}}>;
@group(0) @binding(5) var<storage, read_write> dup: array<{{X_A}}>;

fn ld_gate(e: u32) -> V8 {
  let i = unit_ix({{X_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{X_T}}>(gate[i])), vec4<u32>(0u));
  if (unit_has_b({{X_BF}}, e, p.n)) { w.b = bitcast<vec4<u32>>(vec4<{{X_T}}>(gate[i + 1u])); }
  return unit_decode({{X_BF}}, w);
}
fn ld_up(e: u32) -> V8 {
  let i = unit_ix({{X_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{X_T}}>(up[i])), vec4<u32>(0u));
  if (unit_has_b({{X_BF}}, e, p.n)) { w.b = bitcast<vec4<u32>>(vec4<{{X_T}}>(up[i + 1u])); }
  return unit_decode({{X_BF}}, w);
}
fn ld_dout(e: u32) -> V8 {
  let i = unit_ix({{X_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{X_T}}>(dout[i])), vec4<u32>(0u));
  if (unit_has_b({{X_BF}}, e, p.n)) { w.b = bitcast<vec4<u32>>(vec4<{{X_T}}>(dout[i + 1u])); }
  return unit_decode({{X_BF}}, w);
}

// 1 / (1 + exp(-g)) without overflow warnings: exp of a large positive argument is inf -> 0.
fn sigm(g: vec4<f32>) -> vec4<f32> { return 1.0 / (1.0 + exp(-g)); }

// This thread's j-th unit's first element.
fn unit_elem(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, j: u32) -> u32 {
  return p.e0 + unit_len() * ((wid.x + wid.y * nwg.x) * WG * PER + j * WG + lid);
}

fn fwd_at(e: u32) {
  let g = ld_gate(e);
  let u = ld_up(e);
  let v = V8(g.a * sigm(g.a) * u.a, g.b * sigm(g.b) * u.b);
  let w = unit_encode({{X_BF}}, v);
  let i = unit_ix({{X_BF}}, e);
  out[i] = bitcast<{{X_A}}>(w.a{{X_W}});
  if (unit_has_b({{X_BF}}, e, p.n)) { out[i + 1u] = bitcast<{{X_A}}>(w.b{{X_W}}); }
}

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  for (var j = 0u; j < PER; j++) {
    let e = unit_elem(wid, nwg, lid, j);
    if (e >= p.n) { break; }
    fwd_at(e);
  }
}

// d/du = silu(g) dOut; d/dg = dOut u s (1 + g (1 - s)) with s = sigmoid(g).
fn dgate_of(g: vec4<f32>, u: vec4<f32>, d: vec4<f32>) -> vec4<f32> { let s = sigm(g); return d * u * s * (1.0 + g * (1.0 - s)); }
fn dup_of(g: vec4<f32>, d: vec4<f32>) -> vec4<f32> { return d * g * sigm(g); }

fn bwd_at(e: u32) {
  let g = ld_gate(e);
  let u = ld_up(e);
  let d = ld_dout(e);
  let i = unit_ix({{X_BF}}, e);
  let wg = unit_encode({{X_BF}}, V8(dgate_of(g.a, u.a, d.a), dgate_of(g.b, u.b, d.b)));
  let wu = unit_encode({{X_BF}}, V8(dup_of(g.a, d.a), dup_of(g.b, d.b)));
  dgate[i] = bitcast<{{X_A}}>(wg.a{{X_W}});
  dup[i] = bitcast<{{X_A}}>(wu.a{{X_W}});
  if (unit_has_b({{X_BF}}, e, p.n)) {
    dgate[i + 1u] = bitcast<{{X_A}}>(wg.b{{X_W}});
    dup[i + 1u] = bitcast<{{X_A}}>(wu.b{{X_W}});
  }
}

@compute @workgroup_size(WG)
fn bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  for (var j = 0u; j < PER; j++) {
    let e = unit_elem(wid, nwg, lid, j);
    if (e >= p.n) { break; }
    bwd_at(e);
  }
}
