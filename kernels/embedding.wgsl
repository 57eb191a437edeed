// Token embedding. Forward: out[t] = table[ids[t]] for the ids inside this vocab chunk
// [row0, row0 + rows); an id >= V gives a NaN row. One thread per element pair (one bf16 word).
// Backward: one workgroup per unique id u of a host-sorted list; it sums the dOut rows of u's tokens
// in token order and adds the sum to dTable[u] (f32): deterministic, no atomics.
// List layout (u32): off[nU + 1] | ids[nU] | tokens[T], tokens grouped by id, ascending.
#include "common/bf16.wgsl"

struct FwdParams { tokens: u32, H: u32, row0: u32, rows: u32, V: u32 }
struct BwdParams { H: u32, u0: u32, nU: u32, row0: u32, idsAt: u32, toksAt: u32 }
@group(0) @binding(0) var<uniform> p: FwdParams;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<{{TB_T}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{O_T}}>;

@group(0) @binding(0) var<uniform> q: BwdParams;
@group(0) @binding(1) var<storage, read> list: array<u32>;
@group(0) @binding(2) var<storage, read> dout: array<{{O_T}}>;
@group(0) @binding(3) var<storage, read_write> dtable: array<f32>;

fn ld_table(e: u32, lim: u32) -> vec2<f32> {
  if ({{TB_BF}}) { return bf16_unpack(bitcast<u32>(table[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(table[e]), 0.0);
  if (e + 1u < lim) { v.y = bitcast<f32>(table[e + 1u]); }
  return v;
}
fn ld_dout(e: u32, lim: u32) -> vec2<f32> {
  if ({{O_BF}}) { return bf16_unpack(bitcast<u32>(dout[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(dout[e]), 0.0);
  if (e + 1u < lim) { v.y = bitcast<f32>(dout[e + 1u]); }
  return v;
}

@compute @workgroup_size(256)
fn fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let pairs = (p.H + 1u) / 2u;
  let idx = (wid.x + wid.y * nwg.x) * 256u + lid;
  let t = idx / pairs;
  if (t >= p.tokens) { return; }
  let c = 2u * (idx % pairs);
  let id = ids[t];
  var v: vec2<f32>;
  if (id >= p.row0 && id < p.row0 + p.rows) {
    v = ld_table((id - p.row0) * p.H + c, (id - p.row0 + 1u) * p.H);
  } else if (id >= p.V && p.row0 == 0u) {
    v = vec2<f32>(bitcast<f32>(0x7fc00000u | (id & 0u))); // NaN (runtime: no const NaN)
  } else {
    return; // another chunk's row
  }
  let e = t * p.H + c;
  if ({{O_BF}}) { out[e >> 1u] = bitcast<{{O_T}}>(bf16_pack2(v)); return; }
  out[e] = bitcast<{{O_T}}>(v.x);
  if (c + 1u < p.H) { out[e + 1u] = bitcast<{{O_T}}>(v.y); }
}

@compute @workgroup_size(256)
fn bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let u = q.u0 + wid.x + wid.y * nwg.x;
  if (u >= q.u0 + q.nU) { return; }
  let k0 = list[u];
  let k1 = list[u + 1u];
  let row = (list[q.idsAt + u] - q.row0) * q.H;
  for (var c = 2u * lid; c < q.H; c += 512u) {
    var s = vec2<f32>(0.0);
    for (var k = k0; k < k1; k++) {
      let t = list[q.toksAt + k];
      s += ld_dout(t * q.H + c, (t + 1u) * q.H);
    }
    dtable[row + c] += s.x;
    if (c + 1u < q.H) { dtable[row + c + 1u] += s.y; }
  }
}
