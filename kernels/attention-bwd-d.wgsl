// Attention backward, step 1: D[t, h] = dOut[t, h, :] . out[t, h, :] (f32), the row term of
// dS = P * (dP - D). One thread per (token, head).
#include "common/bf16.wgsl"

const W: u32 = {{HD}}u / 2u;

struct Params { n: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> dout: array<u32>;
@group(0) @binding(2) var<storage, read> o: array<u32>;
@group(0) @binding(3) var<storage, read_write> dterm: array<f32>;

@compute @workgroup_size(64)
fn attn_bwd_d(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
              @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * 64u + lid;
  if (i >= p.n) { return; }
  var acc = 0.0;
  for (var w = 0u; w < W; w++) { acc += dot(bf16_unpack(dout[i * W + w]), bf16_unpack(o[i * W + w])); }
  dterm[i] = acc;
}
