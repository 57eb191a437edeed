// Sum of squares, pass 1 (kernels/reduce-sumsq.wgsl: same partial slots, parameters and bindings),
// shaped for a CPU adapter (llvmpipe / lavapipe): a workgroup of LANES invocations grid-strides
// over the chunk in vec4 words (f32: 4 elements, bf16: 8; the chunk is whole words) and adds its
// lanes with subgroupAdd instead of a workgroup-memory tree with barriers.
enable subgroups;
#include "common/bf16.wgsl"

const LANES = {{LANES}}u;

struct Params { n: u32, base: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x_f32: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> x_bf16: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(LANES)
fn sumsq_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  var acc = vec4<f32>(0.0);
  for (var i = wid.x * LANES + lane; i < p.n / 4u; i += nwg.x * LANES) {
    let x = x_f32[i];
    acc = fma(x, x, acc);
  }
  let s = subgroupAdd(acc.x + acc.y + acc.z + acc.w);
  if (lane == 0u) { out[p.base + wid.x] = s; }
}

@compute @workgroup_size(LANES)
fn sumsq_bf16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  var acc = vec4<f32>(0.0);
  for (var i = wid.x * LANES + lane; i < p.n / 8u; i += nwg.x * LANES) {
    let w = x_bf16[i];
    let a = vec4<f32>(bf16_unpack(w.x), bf16_unpack(w.y));
    let b = vec4<f32>(bf16_unpack(w.z), bf16_unpack(w.w));
    acc = fma(a, a, fma(b, b, acc));
  }
  let s = subgroupAdd(acc.x + acc.y + acc.z + acc.w);
  if (lane == 0u) { out[p.base + wid.x] = s; }
}
