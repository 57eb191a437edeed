// Sum of squares (for the global gradient norm). Pass 1: each workgroup grid-strides over one
// tensor chunk and writes its partial sum to out[base + workgroup]. Pass 2 (sum_partials): one
// workgroup adds up n partials into out[base]. f32 accumulation throughout; a pass-1 thread adds
// at most a few thousand squares, so rounding stays far below what clipping needs.
// Entry points bind f32 or packed-bf16 input at the same slot (each uses only its own).
#include "common/bf16.wgsl"

struct Params { n: u32, base: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x_f32: array<f32>;
@group(0) @binding(1) var<storage, read> x_bf16: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> red: array<f32, 256>;

fn finish(lid: u32, acc: f32, slot: u32) {
  red[lid] = acc;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  if (lid == 0u) { out[slot] = red[0]; }
}

@compute @workgroup_size(256)
fn sumsq_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = wid.x * 256u + lid; i < p.n; i = i + nwg.x * 256u) {
    let v = x_f32[i];
    acc = acc + v * v;
  }
  finish(lid, acc, p.base + wid.x);
}

@compute @workgroup_size(256)
fn sumsq_bf16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  let words = (p.n + 1u) / 2u;
  for (var w = wid.x * 256u + lid; w < words; w = w + nwg.x * 256u) {
    let v = bf16_unpack(x_bf16[w]);
    acc = acc + v.x * v.x;
    if (2u * w + 1u < p.n) { acc = acc + v.y * v.y; } // the odd tail's high half is padding
  }
  finish(lid, acc, p.base + wid.x);
}

@compute @workgroup_size(256)
fn sum_partials(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var i = lid; i < p.n; i = i + 256u) { acc = acc + x_f32[i]; }
  finish(lid, acc, p.base);
}
