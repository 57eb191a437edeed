// AdamW (kernels/adamw.wgsl: same formula, order, parameters and bindings) shaped for a CPU adapter
// (llvmpipe / lavapipe; src/ops/adamw.ts runs it where the device's optimizer variant is 'cpu' and
// the chunk is whole vec4s): a workgroup of LANES invocations, each updating PER groups of 4
// elements, LANES groups apart, with vec4 loads and stores (grads and the bf16 copy as vec2 words):
// on llvmpipe every access is a loop over the lanes, so the widest accesses and long runs per
// invocation win (architecture.md: a looped vec4 copy reaches 3x the portable kernel's bandwidth).
#include "common/bf16.wgsl"

const LANES = {{LANES}}u;
const PER = {{PER}}u;

struct Params { n: u32, lr: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, wd: f32, bc1: f32, bc2: f32, gscale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> master: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> m: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> grad_f32: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> grad_bf16: array<vec2<u32>>;
@group(0) @binding(5) var<storage, read_write> wout: array<vec2<u32>>;

fn update(i: u32, g_raw: vec4<f32>) -> vec4<f32> {
  let g = g_raw * p.gscale;
  let mi = p.beta1 * m[i] + p.omb1 * g;
  let vi = p.beta2 * v[i] + p.omb2 * g * g;
  m[i] = mi;
  v[i] = vi;
  var w = master[i];
  w = w - p.lr * p.wd * w;
  w = w - p.lr * (mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps);
  master[i] = w;
  return w;
}

fn group0(wid: vec3<u32>, nwg: vec3<u32>, lane: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * LANES * PER + lane;
}
fn unpack4(w: vec2<u32>) -> vec4<f32> { return vec4<f32>(bf16_unpack(w.x), bf16_unpack(w.y)); }
fn pack4(x: vec4<f32>) -> vec2<u32> { return vec2<u32>(bf16_pack(x.x, x.y), bf16_pack(x.z, x.w)); }

@compute @workgroup_size(LANES)
fn step_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let g0 = group0(wid, nwg, lane);
  for (var j = 0u; j < PER; j++) {
    let i = g0 + j * LANES;
    if (i < p.n / 4u) { update(i, grad_f32[i]); }
  }
}

@compute @workgroup_size(LANES)
fn step_f32_out(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let g0 = group0(wid, nwg, lane);
  for (var j = 0u; j < PER; j++) {
    let i = g0 + j * LANES;
    if (i < p.n / 4u) { wout[i] = pack4(update(i, grad_f32[i])); }
  }
}

@compute @workgroup_size(LANES)
fn step_bf16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let g0 = group0(wid, nwg, lane);
  for (var j = 0u; j < PER; j++) {
    let i = g0 + j * LANES;
    if (i < p.n / 4u) { update(i, unpack4(grad_bf16[i])); }
  }
}

@compute @workgroup_size(LANES)
fn step_bf16_out(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let g0 = group0(wid, nwg, lane);
  for (var j = 0u; j < PER; j++) {
    let i = g0 + j * LANES;
    if (i < p.n / 4u) { wout[i] = pack4(update(i, unpack4(grad_bf16[i]))); }
  }
}
