// Residual adds on flat tensors, one thread per pair of elements (a bf16 u32 word), so no two
// threads write the same word. Each buffer is bf16 (packed u32, *_BF = true) or f32, chosen by
// consts; bitcast<T> on a value of type T is the identity, so one body serves both.
#include "common/bf16.wgsl"

struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
// add: out = a + b
@group(0) @binding(1) var<storage, read> a: array<{{A_T}}>;
@group(0) @binding(2) var<storage, read> b: array<{{B_T}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{O_T}}>;
// add_inplace: acc += b (acc at slot 1, b at slot 2)
@group(0) @binding(1) var<storage, read_write> acc: array<{{O_T}}>;

fn ld_a(e: u32) -> vec2<f32> {
  if ({{A_BF}}) { return bf16_unpack(bitcast<u32>(a[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(a[e]), 0.0);
  if (e + 1u < p.n) { v.y = bitcast<f32>(a[e + 1u]); }
  return v;
}
fn ld_b(e: u32) -> vec2<f32> {
  if ({{B_BF}}) { return bf16_unpack(bitcast<u32>(b[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(b[e]), 0.0);
  if (e + 1u < p.n) { v.y = bitcast<f32>(b[e + 1u]); }
  return v;
}
fn ld_acc(e: u32) -> vec2<f32> {
  if ({{O_BF}}) { return bf16_unpack(bitcast<u32>(acc[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(acc[e]), 0.0);
  if (e + 1u < p.n) { v.y = bitcast<f32>(acc[e + 1u]); }
  return v;
}

@compute @workgroup_size(256)
fn add(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let e = 2u * ((wid.x + wid.y * nwg.x) * 256u + lid);
  if (e >= p.n) { return; }
  let v = ld_a(e) + ld_b(e);
  if ({{O_BF}}) { out[e >> 1u] = bitcast<{{O_T}}>(bf16_pack2(v)); return; }
  out[e] = bitcast<{{O_T}}>(v.x);
  if (e + 1u < p.n) { out[e + 1u] = bitcast<{{O_T}}>(v.y); }
}

@compute @workgroup_size(256)
fn add_inplace(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let e = 2u * ((wid.x + wid.y * nwg.x) * 256u + lid);
  if (e >= p.n) { return; }
  let v = ld_acc(e) + ld_b(e);
  if ({{O_BF}}) { acc[e >> 1u] = bitcast<{{O_T}}>(bf16_pack2(v)); return; }
  acc[e] = bitcast<{{O_T}}>(v.x);
  if (e + 1u < p.n) { acc[e + 1u] = bitcast<{{O_T}}>(v.y); }
}
