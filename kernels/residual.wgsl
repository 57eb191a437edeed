// Residual adds on flat tensors. A thread owns PER units (8 elements with vec4 accesses when VEC,
// else an element pair = one bf16 word: the tail), WG units apart, so no two threads write the same
// word. Each buffer is bf16 (packed u32) or f32, chosen by consts (common/units.wgsl). WG = 256 and
// PER = 1 is the portable shape; WG = one SIMD vector with PER > 1 the CPU-shaped one
// (src/ops/elementwise.ts).
#include "common/bf16.wgsl"
#include "common/units.wgsl"

const VEC = {{VEC}};
const WG = {{WG}}u;
const PER = {{PER}}u;

struct Params { n: u32, e0: u32 }
@group(0) @binding(0) var<uniform> p: Params;
// add: out = a + b
@group(0) @binding(1) var<storage, read> a: array<{{A_A}}>;
@group(0) @binding(2) var<storage, read> b: array<{{B_A}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{O_A}}>;
// add_inplace: acc += b (acc at slot 1, b at slot 2)
@group(0) @binding(1) var<storage, read_write> acc: array<{{O_A}}>;

fn ld_a(e: u32) -> V8 {
  let i = unit_ix({{A_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{A_T}}>(a[i])), vec4<u32>(0u));
  if (unit_has_b({{A_BF}}, e, p.n)) { w.b = bitcast<vec4<u32>>(vec4<{{A_T}}>(a[i + 1u])); }
  return unit_decode({{A_BF}}, w);
}
fn ld_b(e: u32) -> V8 {
  let i = unit_ix({{B_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{B_T}}>(b[i])), vec4<u32>(0u));
  if (unit_has_b({{B_BF}}, e, p.n)) { w.b = bitcast<vec4<u32>>(vec4<{{B_T}}>(b[i + 1u])); }
  return unit_decode({{B_BF}}, w);
}
fn ld_acc(e: u32) -> V8 {
  let i = unit_ix({{O_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{O_T}}>(acc[i])), vec4<u32>(0u));
  if (unit_has_b({{O_BF}}, e, p.n)) { w.b = bitcast<vec4<u32>>(vec4<{{O_T}}>(acc[i + 1u])); }
  return unit_decode({{O_BF}}, w);
}

fn add_at(e: u32) {
  let w = unit_encode({{O_BF}}, v8_add(ld_a(e), ld_b(e)));
  let i = unit_ix({{O_BF}}, e);
  out[i] = bitcast<{{O_A}}>(w.a{{O_W}});
  if (unit_has_b({{O_BF}}, e, p.n)) { out[i + 1u] = bitcast<{{O_A}}>(w.b{{O_W}}); }
}

fn add_inplace_at(e: u32) {
  let w = unit_encode({{O_BF}}, v8_add(ld_acc(e), ld_b(e)));
  let i = unit_ix({{O_BF}}, e);
  acc[i] = bitcast<{{O_A}}>(w.a{{O_W}});
  if (unit_has_b({{O_BF}}, e, p.n)) { acc[i + 1u] = bitcast<{{O_A}}>(w.b{{O_W}}); }
}

// This thread's j-th unit's first element.
fn unit_elem(wid: vec3<u32>, nwg: vec3<u32>, lid: u32, j: u32) -> u32 {
  return p.e0 + unit_len() * ((wid.x + wid.y * nwg.x) * WG * PER + j * WG + lid);
}

@compute @workgroup_size(WG)
fn add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  for (var j = 0u; j < PER; j++) {
    let e = unit_elem(wid, nwg, lid, j);
    if (e >= p.n) { break; }
    add_at(e);
  }
}

@compute @workgroup_size(WG)
fn add_inplace(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  for (var j = 0u; j < PER; j++) {
    let e = unit_elem(wid, nwg, lid, j);
    if (e >= p.n) { break; }
    add_inplace_at(e);
  }
}
