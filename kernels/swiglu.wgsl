// SwiGLU of the Qwen3 MLP: out = silu(g) * u, elementwise, computed in f32 and rounded once.
// One thread per pair of elements (one bf16 word). All buffers share one dtype (X_T / X_BF).
#include "common/bf16.wgsl"

struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> gate: array<{{X_T}}>;
@group(0) @binding(2) var<storage, read> up: array<{{X_T}}>;
@group(0) @binding(3) var<storage, read_write> out: array<{{X_T}}>;   // forward
@group(0) @binding(3) var<storage, read> dout: array<{{X_T}}>;        // backward
@group(0) @binding(4) var<storage, read_write> dgate: array<{{X_T}}>;
@group(0) @binding(5) var<storage, read_write> dup: array<{{X_T}}>;

fn ld_gate(e: u32) -> vec2<f32> {
  if ({{X_BF}}) { return bf16_unpack(bitcast<u32>(gate[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(gate[e]), 0.0);
  if (e + 1u < p.n) { v.y = bitcast<f32>(gate[e + 1u]); }
  return v;
}
fn ld_up(e: u32) -> vec2<f32> {
  if ({{X_BF}}) { return bf16_unpack(bitcast<u32>(up[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(up[e]), 0.0);
  if (e + 1u < p.n) { v.y = bitcast<f32>(up[e + 1u]); }
  return v;
}
fn ld_dout(e: u32) -> vec2<f32> {
  if ({{X_BF}}) { return bf16_unpack(bitcast<u32>(dout[e >> 1u])); }
  var v = vec2<f32>(bitcast<f32>(dout[e]), 0.0);
  if (e + 1u < p.n) { v.y = bitcast<f32>(dout[e + 1u]); }
  return v;
}

// 1 / (1 + exp(-g)) without overflow warnings: exp of a large positive argument is inf -> 0.
fn sigm(g: vec2<f32>) -> vec2<f32> { return 1.0 / (1.0 + exp(-g)); }

fn linear(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 { return 2u * ((wid.x + wid.y * nwg.x) * 256u + lid); }

@compute @workgroup_size(256)
fn fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let e = linear(wid, nwg, lid);
  if (e >= p.n) { return; }
  let g = ld_gate(e);
  let v = g * sigm(g) * ld_up(e);
  if ({{X_BF}}) { out[e >> 1u] = bitcast<{{X_T}}>(bf16_pack2(v)); return; }
  out[e] = bitcast<{{X_T}}>(v.x);
  if (e + 1u < p.n) { out[e + 1u] = bitcast<{{X_T}}>(v.y); }
}

// d/du = silu(g) dOut; d/dg = dOut u s (1 + g (1 - s)) with s = sigmoid(g).
@compute @workgroup_size(256)
fn bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32) {
  let e = linear(wid, nwg, lid);
  if (e >= p.n) { return; }
  let g = ld_gate(e);
  let u = ld_up(e);
  let d = ld_dout(e);
  let s = sigm(g);
  let du = d * g * s;
  let dg = d * u * s * (1.0 + g * (1.0 - s));
  if ({{X_BF}}) {
    dgate[e >> 1u] = bitcast<{{X_T}}>(bf16_pack2(dg));
    dup[e >> 1u] = bitcast<{{X_T}}>(bf16_pack2(du));
    return;
  }
  dgate[e] = bitcast<{{X_T}}>(dg.x);
  dup[e] = bitcast<{{X_T}}>(du.x);
  if (e + 1u < p.n) { dgate[e + 1u] = bitcast<{{X_T}}>(dg.y); dup[e + 1u] = bitcast<{{X_T}}>(du.y); }
}
