// Casts between f32 and packed bf16 (round to nearest even). A thread owns PER units, WG apart: 8
// elements with vec4 accesses when VEC, else one element pair (one bf16 word, the tail), so no two
// threads touch the same word. An odd element count pairs the last element with a zero. WG = 256,
// PER = 1 the portable shape; WG = one SIMD vector with PER > 1 the CPU-shaped one
// (src/ops/elementwise.ts).
#include "common/bf16.wgsl"
#include "common/units.wgsl"

const VEC = {{VEC}};
const WG = {{WG}}u;
const PER = {{PER}}u;

struct Params { n: u32, e0: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<{{S_A}}>;
@group(0) @binding(2) var<storage, read_write> dst: array<{{D_A}}>;

fn cast_at(e: u32) {
  let si = unit_ix({{S_BF}}, e);
  var ws = W8(bitcast<vec4<u32>>(vec4<{{S_T}}>(src[si])), vec4<u32>(0u));
  if (unit_has_b({{S_BF}}, e, p.n)) { ws.b = bitcast<vec4<u32>>(vec4<{{S_T}}>(src[si + 1u])); }
  let w = unit_encode({{D_BF}}, unit_decode({{S_BF}}, ws));
  let di = unit_ix({{D_BF}}, e);
  dst[di] = bitcast<{{D_A}}>(w.a{{D_W}});
  if (unit_has_b({{D_BF}}, e, p.n)) { dst[di + 1u] = bitcast<{{D_A}}>(w.b{{D_W}}); }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  for (var j = 0u; j < PER; j++) {
    let e = p.e0 + unit_len() * ((wid.x + wid.y * nwg.x) * WG * PER + j * WG + lid);
    if (e >= p.n) { break; }
    cast_at(e);
  }
}
