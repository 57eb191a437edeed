// Log-softmax statistics over the vocabulary, one logits chunk [T, c] (f32, = h W_chunk^T) at a
// time, so tokens x vocab logits are never all held at once.
// Per token the state holds (m, s, a, tl): running max m, s = sum exp(l - m), a = sum exp(l - m) l
// (online logsumexp; a/s is then sum p l), and the target's logit tl. At the end
// lse = m + log s, logprob = tl - lse, entropy = lse - a/s (= -sum p log p).
// targets[t] = -1: logprob 0, entropy 0, no gradient (lse still computed), as src/ops/ref/lm-head.ts.
// Temperature: every logit l read here is first scaled to z = l * inv_t (inv_t = 1/T, the sampling
// temperature; 1 = the plain softmax, bit for bit since l * 1.0 == l), so lse, logprob and entropy
// are those of softmax(logits / T), the distribution the sampler drew from (kernels/sample.wgsl).
// The backward's dz is taken at the scaled z and multiplied by inv_t (chain rule: dL/dl = dL/dz / T).
#include "common/bf16.wgsl"

const NEG_BIG = -3.0e38; // "minus infinity" that keeps exp(NEG_BIG - x) = 0 and max() well defined

struct Params { T: u32, c: u32, v0: u32, first: u32, inv_t: f32 }
@group(0) @binding(0) var<uniform> p: Params;

// ---------------------------------------------------------------- forward: one chunk
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> targets: array<i32>;
@group(0) @binding(3) var<storage, read_write> state: array<vec4<f32>>;

var<workgroup> wm: array<f32, 256>;
var<workgroup> ws: array<f32, 256>;
var<workgroup> wa: array<f32, 256>;

// One workgroup per token row: each thread folds its strided elements online (one exp per
// element), then the workgroup merges the 256 partial (m, s, a) triples.
@compute @workgroup_size(256)
fn fwd_chunk(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let t = wid.x + wid.y * nwg.x;
  if (t >= p.T) { return; } // uniform per workgroup: barriers below stay uniform
  let row = t * p.c;
  var m = NEG_BIG;
  var s = 0.0;
  var a = 0.0;
  for (var j = lid; j < p.c; j = j + 256u) {
    let l = logits[row + j] * p.inv_t;
    if (l > m) {
      let f = exp(m - l);
      s = s * f + 1.0;
      a = a * f + l;
      m = l;
    } else {
      let e = exp(l - m);
      s = s + e;
      a = a + e * l;
    }
  }
  wm[lid] = m;
  ws[lid] = s;
  wa[lid] = a;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k = k >> 1u) {
    if (lid < k) {
      let m1 = wm[lid];
      let m2 = wm[lid + k];
      let mx = max(m1, m2);
      let f1 = exp(m1 - mx);
      let f2 = exp(m2 - mx);
      wm[lid] = mx;
      ws[lid] = ws[lid] * f1 + ws[lid + k] * f2;
      wa[lid] = wa[lid] * f1 + wa[lid + k] * f2;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let y = targets[t];
    var st = state[t];
    if (p.first == 1u) { st = vec4<f32>(NEG_BIG, 0.0, 0.0, 0.0); }
    let mx = max(st.x, wm[0]);
    let f1 = exp(st.x - mx);
    let f2 = exp(wm[0] - mx);
    st = vec4<f32>(mx, st.y * f1 + ws[0] * f2, st.z * f1 + wa[0] * f2, st.w);
    if (y >= i32(p.v0) && y < i32(p.v0 + p.c)) { st.w = logits[row + u32(y) - p.v0] * p.inv_t; }
    state[t] = st;
  }
}

// ---------------------------------------------------------------- forward: finish
@group(0) @binding(1) var<storage, read> fstate: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> ftargets: array<i32>;
@group(0) @binding(3) var<storage, read_write> logprob: array<f32>;
@group(0) @binding(4) var<storage, read_write> entropy: array<f32>;
@group(0) @binding(5) var<storage, read_write> lse_out: array<f32>;

@compute @workgroup_size(256)
fn fwd_finish(@builtin(global_invocation_id) gid: vec3<u32>) {
  let t = gid.x;
  if (t >= p.T) { return; }
  let st = fstate[t];
  let lse = st.x + log(st.y);
  lse_out[t] = lse;
  if (ftargets[t] < 0) {
    logprob[t] = 0.0;
    entropy[t] = 0.0;
  } else {
    logprob[t] = st.w - lse;
    entropy[t] = lse - st.z / st.y;
  }
}

// ---------------------------------------------------------------- backward: dlogits of one chunk
// dz_v = dlogprob (onehot(target)_v - p_v) - dentropy p_v (z_v - sum_u p_u z_u), with
// z = logit * inv_t, p_v = exp(z_v - lse) and sum_u p_u z_u = lse - entropy (from the forward);
// the raw logit's gradient is dz_v * inv_t. One thread per pair
// of columns: the f32 form overwrites the logits in place (each thread reads then writes only its
// own elements); the bf16 form writes whole u32 words of a separate [T, c] buffer (c even).
@group(0) @binding(1) var<storage, read_write> zin_out: array<f32>;
@group(0) @binding(1) var<storage, read> zin: array<f32>;
@group(0) @binding(2) var<storage, read> btargets: array<i32>;
@group(0) @binding(3) var<storage, read> blse: array<f32>;
@group(0) @binding(4) var<storage, read> bdlogprob: array<f32>;
@group(0) @binding(5) var<storage, read> bdentropy: array<f32>;
@group(0) @binding(6) var<storage, read> bentropy: array<f32>;
@group(0) @binding(7) var<storage, read_write> dz_bf16: array<u32>;

fn dlogit(t: u32, j: u32, l: f32) -> f32 {
  let y = btargets[t];
  if (y < 0) { return 0.0; }
  let z = l * p.inv_t;
  let lse = blse[t];
  let pr = exp(z - lse);
  let a = bdlogprob[t];
  let ez = lse - bentropy[t];
  var g = -a * pr - bdentropy[t] * pr * (z - ez);
  if (u32(y) == p.v0 + j) { g = g + a; }
  return g * p.inv_t;
}

@compute @workgroup_size(256)
fn bwd_f32(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wid.y;
  let j = 2u * (wid.x * 256u + lid);
  if (t >= p.T || j >= p.c) { return; }
  let i = t * p.c + j;
  zin_out[i] = dlogit(t, j, zin_out[i]);
  if (j + 1u < p.c) { zin_out[i + 1u] = dlogit(t, j + 1u, zin_out[i + 1u]); }
}

@compute @workgroup_size(256)
fn bwd_bf16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let t = wid.y;
  let j = 2u * (wid.x * 256u + lid);
  if (t >= p.T || j >= p.c) { return; }
  let i = t * p.c + j;
  dz_bf16[i / 2u] = bf16_pack(dlogit(t, j, zin[i]), dlogit(t, j + 1u, zin[i + 1u]));
}
