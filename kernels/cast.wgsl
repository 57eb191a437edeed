// Casts between f32 and packed bf16. One thread per u32 word of bf16 (two elements), so no two
// threads touch the same word. `n` counts elements; an odd tail pairs with a zero.
// The two entry points bind different types at the same slots (each uses only its own pair).
#include "common/bf16.wgsl"

struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src_f32: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst_bf16: array<u32>;
@group(0) @binding(1) var<storage, read> src_bf16: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst_f32: array<f32>;

@compute @workgroup_size(256)
fn f32_to_bf16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let w = (wid.x + wid.y * nwg.x) * 256u + lid;
  let i = 2u * w;
  if (i >= p.n) { return; }
  var hi = 0.0;
  if (i + 1u < p.n) { hi = src_f32[i + 1u]; }
  dst_bf16[w] = bf16_pack(src_f32[i], hi);
}

@compute @workgroup_size(256)
fn bf16_to_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let w = (wid.x + wid.y * nwg.x) * 256u + lid;
  let i = 2u * w;
  if (i >= p.n) { return; }
  let v = bf16_unpack(src_bf16[w]);
  dst_f32[i] = v.x;
  if (i + 1u < p.n) { dst_f32[i + 1u] = v.y; }
}
