// The log-softmax parts of kernels/lm-head.wgsl shaped for a CPU adapter (llvmpipe / lavapipe;
// src/ops/lm-head.ts runs them where the device's lm-head variant is 'cpu'): same state, same
// formulas, same bindings. A workgroup is LANES invocations (one SIMD vector), reads vec4s of the
// f32 logits chunk (c % 4 == 0), and reduces across its lanes with subgroup operations instead of
// workgroup memory and barriers. Temperature as lm-head.wgsl: each logit read is scaled by inv_t
// (1/T) first, and the backward's dz at the scaled logit is multiplied by inv_t.
//   fwd_chunk: one workgroup per token row: the row's max, then sum exp(l - max) and
//     sum exp(l - max) l (one exp per element), folded into the running state by lane 0.
//   bwd_bf16: one workgroup per (row, segment of LANES * 8 * NU columns): dlogits as bf16, 8 per
//     invocation and unrolled step (two vec4 loads, one vec4 store).
enable subgroups;
#include "common/bf16.wgsl"

const LANES = {{LANES}}u;
const NU = {{NU}}u;
const NEG_BIG = -3.0e38;

struct Params { T: u32, c: u32, v0: u32, first: u32, inv_t: f32 }
@group(0) @binding(0) var<uniform> p: Params;

// ---------------------------------------------------------------- forward: one chunk
@group(0) @binding(1) var<storage, read> logits: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read_write> state: array<vec4<f32>>;

@compute @workgroup_size(LANES)
fn fwd_chunk(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lane: u32) {
  let t = wid.x + wid.y * nwg.x;
  if (t >= p.T) { return; }
  let n4 = p.c / 4u;
  let row = t * n4;
  var mx = vec4<f32>(NEG_BIG);
  for (var j = lane; j < n4; j += LANES) { mx = max(mx, logits[row + j] * p.inv_t); }
  let m = subgroupMax(max(max(mx.x, mx.y), max(mx.z, mx.w)));
  var s = vec4<f32>(0.0);
  var a = vec4<f32>(0.0);
  for (var j = lane; j < n4; j += LANES) {
    let l = logits[row + j] * p.inv_t;
    let e = exp(l - m);
    s += e;
    a = fma(e, l, a);
  }
  let S = subgroupAdd(s.x + s.y + s.z + s.w);
  let A = subgroupAdd(a.x + a.y + a.z + a.w);
  if (lane == 0u) {
    let y = targets[t];
    var st = state[t];
    if (p.first == 1u) { st = vec4<f32>(NEG_BIG, 0.0, 0.0, 0.0); }
    let mm = max(st.x, m);
    let f1 = exp(st.x - mm);
    let f2 = exp(m - mm);
    st = vec4<f32>(mm, st.y * f1 + S * f2, st.z * f1 + A * f2, st.w);
    if (y >= i32(p.v0) && y < i32(p.v0 + p.c)) {
      let k = u32(y) - p.v0;
      st.w = logits[row + k / 4u][k % 4u] * p.inv_t;
    }
    state[t] = st;
  }
}

// ---------------------------------------------------------------- backward: dlogits of one chunk
// dz_v = dlogprob (onehot(target)_v - p_v) - dentropy p_v (z_v - sum_u p_u z_u), as lm-head.wgsl.
@group(0) @binding(1) var<storage, read> zin: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> btargets: array<i32>;
@group(0) @binding(3) var<storage, read> blse: array<f32>;
@group(0) @binding(4) var<storage, read> bdlogprob: array<f32>;
@group(0) @binding(5) var<storage, read> bdentropy: array<f32>;
@group(0) @binding(6) var<storage, read> bentropy: array<f32>;
@group(0) @binding(7) var<storage, read_write> dz_bf16: array<vec4<u32>>;

@compute @workgroup_size(LANES)
fn bwd_bf16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let t = wid.y;
  if (t >= p.T) { return; }
  let y = btargets[t];
  let lse = blse[t];
  let a = bdlogprob[t];
  let de = bdentropy[t];
  let ez = lse - bentropy[t];
  let n8 = p.c / 8u;
  for (var u = 0u; u < NU; u++) {
    let g = (wid.x * NU + u) * LANES + lane; // group of 8 columns
    if (g >= n8) { break; }
    let i4 = (t * p.c) / 4u + 2u * g;
    let z0 = zin[i4] * p.inv_t;
    let z1 = zin[i4 + 1u] * p.inv_t;
    let p0 = exp(z0 - lse);
    let p1 = exp(z1 - lse);
    var g0 = -a * p0 - de * p0 * (z0 - ez);
    var g1 = -a * p1 - de * p1 * (z1 - ez);
    let j0 = i32(p.v0 + 8u * g);
    for (var q = 0; q < 4; q++) {
      if (y == j0 + q) { g0[q] += a; }
      if (y == j0 + 4 + q) { g1[q] += a; }
    }
    g0 *= p.inv_t;
    g1 *= p.inv_t;
    if (y < 0) {
      g0 = vec4<f32>(0.0);
      g1 = vec4<f32>(0.0);
    }
    dz_bf16[(t * p.c) / 8u + g] = vec4<u32>(bf16_pack(g0.x, g0.y), bf16_pack(g0.z, g0.w), bf16_pack(g1.x, g1.y), bf16_pack(g1.z, g1.w));
  }
}
