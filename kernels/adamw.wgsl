// AdamW (decoupled weight decay, torch.optim.AdamW order) on f32 master weights, in place on
// master/m/v. One thread per pair of elements so the optional bf16 compute copy is written as whole
// u32 words (two threads never share a word). `n` counts the elements of this binding chunk.
// Bias corrections bc1 = 1-b1^t, bc2 = 1-b2^t and (1-b) come from the host in float64 -> f32.
// Entry points bind different grad types at the same slot (each uses only its own).
#include "common/bf16.wgsl"

struct Params { n: u32, lr: f32, beta1: f32, beta2: f32, omb1: f32, omb2: f32, eps: f32, wd: f32, bc1: f32, bc2: f32, gscale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> master: array<f32>;
@group(0) @binding(2) var<storage, read_write> m: array<f32>;
@group(0) @binding(3) var<storage, read_write> v: array<f32>;
@group(0) @binding(4) var<storage, read> grad_f32: array<f32>;
@group(0) @binding(4) var<storage, read> grad_bf16: array<u32>;
@group(0) @binding(5) var<storage, read_write> wout: array<u32>;

fn update(i: u32, g_raw: f32) -> f32 {
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

fn word_index(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * 256u + lid;
}

@compute @workgroup_size(256)
fn step_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lid: u32) {
  let i = 2u * word_index(wid, nwg, lid);
  if (i >= p.n) { return; }
  update(i, grad_f32[i]);
  if (i + 1u < p.n) { update(i + 1u, grad_f32[i + 1u]); }
}

@compute @workgroup_size(256)
fn step_f32_out(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                @builtin(local_invocation_index) lid: u32) {
  let w = word_index(wid, nwg, lid);
  let i = 2u * w;
  if (i >= p.n) { return; }
  let a = update(i, grad_f32[i]);
  var b = 0.0;
  if (i + 1u < p.n) { b = update(i + 1u, grad_f32[i + 1u]); }
  wout[w] = bf16_pack(a, b);
}

@compute @workgroup_size(256)
fn step_bf16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let w = word_index(wid, nwg, lid);
  let i = 2u * w;
  if (i >= p.n) { return; }
  let g = bf16_unpack(grad_bf16[w]);
  update(i, g.x);
  if (i + 1u < p.n) { update(i + 1u, g.y); }
}

@compute @workgroup_size(256)
fn step_bf16_out(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                 @builtin(local_invocation_index) lid: u32) {
  let w = word_index(wid, nwg, lid);
  let i = 2u * w;
  if (i >= p.n) { return; }
  let g = bf16_unpack(grad_bf16[w]);
  let a = update(i, g.x);
  var b = 0.0;
  if (i + 1u < p.n) { b = update(i + 1u, g.y); }
  wout[w] = bf16_pack(a, b);
}
