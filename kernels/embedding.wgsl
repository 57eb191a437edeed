// Token embedding. Forward: out[t] = table[ids[t]] for the ids inside this vocab chunk
// [row0, row0 + rows); an id >= V gives a NaN row. One thread per unit of a row: 8 elements with
// vec4 accesses when VEC (H % 8 == 0), else an element pair (common/units.wgsl).
// Backward: one workgroup per unique id u of a host-sorted list; it sums the dOut rows of u's tokens
// in token order and adds the sum to dTable[u] (f32): deterministic, no atomics.
// List layout (u32): off[nU + 1] | ids[nU] | tokens[T], tokens grouped by id, ascending.
// Shapes: WG = 256 threads with PER = 1 unit (forward) or one id (backward) per workgroup is the
// portable one; WG = one SIMD vector with PER > 1 the CPU-shaped one (src/ops/embedding.ts): a
// forward thread then takes PER units WG apart, a backward workgroup PER consecutive ids.
#include "common/bf16.wgsl"
#include "common/units.wgsl"

const VEC = {{VEC}};
const WG = {{WG}}u;
const PER = {{PER}}u;

struct FwdParams { tokens: u32, H: u32, row0: u32, rows: u32, V: u32 }
struct BwdParams { H: u32, u0: u32, nU: u32, row0: u32, idsAt: u32, toksAt: u32 }
@group(0) @binding(0) var<uniform> p: FwdParams;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<{{TB_A}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{O_A}}>;

@group(0) @binding(0) var<uniform> q: BwdParams;
@group(0) @binding(1) var<storage, read> list: array<u32>;
@group(0) @binding(2) var<storage, read> dout: array<{{O_A}}>;
@group(0) @binding(3) var<storage, read_write> dtable: array<{{D_A}}>;

fn ld_table(e: u32, lim: u32) -> V8 {
  let i = unit_ix({{TB_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{TB_T}}>(table[i])), vec4<u32>(0u));
  if (unit_has_b({{TB_BF}}, e, lim)) { w.b = bitcast<vec4<u32>>(vec4<{{TB_T}}>(table[i + 1u])); }
  return unit_decode({{TB_BF}}, w);
}
fn st_out(e: u32, lim: u32, v: V8) {
  let i = unit_ix({{O_BF}}, e);
  let w = unit_encode({{O_BF}}, v);
  out[i] = bitcast<{{O_A}}>(w.a{{O_W}});
  if (unit_has_b({{O_BF}}, e, lim)) { out[i + 1u] = bitcast<{{O_A}}>(w.b{{O_W}}); }
}
fn ld_dout(e: u32, lim: u32) -> V8 {
  let i = unit_ix({{O_BF}}, e);
  var w = W8(bitcast<vec4<u32>>(vec4<{{O_T}}>(dout[i])), vec4<u32>(0u));
  if (unit_has_b({{O_BF}}, e, lim)) { w.b = bitcast<vec4<u32>>(vec4<{{O_T}}>(dout[i + 1u])); }
  return unit_decode({{O_BF}}, w);
}
// dtable is f32: D_BF is false.
fn add_dtable(e: u32, lim: u32, v: V8) {
  let i = unit_ix(false, e);
  var w = W8(bitcast<vec4<u32>>(vec4<f32>(dtable[i])), vec4<u32>(0u));
  let has_b = unit_has_b(false, e, lim);
  if (has_b) { w.b = bitcast<vec4<u32>>(vec4<f32>(dtable[i + 1u])); }
  let s = unit_encode(false, v8_add(unit_decode(false, w), v));
  dtable[i] = bitcast<{{D_A}}>(s.a{{D_W}});
  if (has_b) { dtable[i + 1u] = bitcast<{{D_A}}>(s.b{{D_W}}); }
}

// Unit idx of the output: unit idx % upr of token idx / upr's row.
fn gather(idx: u32, upr: u32) {
  let t = idx / upr;
  let c = unit_len() * (idx % upr);
  let id = ids[t];
  var v: V8;
  if (id >= p.row0 && id < p.row0 + p.rows) {
    v = ld_table((id - p.row0) * p.H + c, (id - p.row0 + 1u) * p.H);
  } else if (id >= p.V && p.row0 == 0u) {
    let nan = bitcast<f32>(0x7fc00000u | (id & 0u)); // NaN (runtime: no const NaN)
    v = V8(vec4<f32>(nan), vec4<f32>(nan));
  } else {
    return; // another chunk's row
  }
  st_out(t * p.H + c, (t + 1u) * p.H, v);
}

@compute @workgroup_size(WG)
fn fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let upr = (p.H + unit_len() - 1u) / unit_len(); // units per row
  for (var j = 0u; j < PER; j++) {
    let idx = (wid.x + wid.y * nwg.x) * WG * PER + j * WG + lid;
    if (idx >= p.tokens * upr) { break; }
    gather(idx, upr);
  }
}

// Unique id u: the sum of its tokens' dOut rows, added to its dTable row.
fn scatter(u: u32, lid: u32) {
  let k0 = list[u];
  let k1 = list[u + 1u];
  let row = (list[q.idsAt + u] - q.row0) * q.H;
  for (var c = unit_len() * lid; c < q.H; c += WG * unit_len()) {
    var s = V8(vec4<f32>(0.0), vec4<f32>(0.0));
    for (var k = k0; k < k1; k++) {
      let t = list[q.toksAt + k];
      s = v8_add(s, ld_dout(t * q.H + c, (t + 1u) * q.H));
    }
    add_dtable(row + c, row + q.H, s);
  }
}

@compute @workgroup_size(WG)
fn bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  for (var j = 0u; j < PER; j++) {
    let u = q.u0 + (wid.x + wid.y * nwg.x) * PER + j;
    if (u >= q.u0 + q.nU) { break; }
    scatter(u, lid);
  }
}
