// Attention backward, dQ (deterministic, no atomics): one workgroup per (query block, query head)
// walks the key blocks up to the causal limit like the forward, rebuilds P = exp(S - lse) and
// dS = P * (dP - D), and accumulates dq_r = scale * sum_c dS[r, c] k_c in registers.
// Thread layout as in attention-fwd.wgsl.
#include "common/bf16.wgsl"

const BR: u32 = {{BR}}u;
const BC: u32 = {{BC}}u;
const TPR: u32 = {{TPR}}u;
const HD: u32 = {{HD}}u;
const OUT_F32: bool = {{OUT_F32}};
const W: u32 = HD / 2u;
const WS: u32 = W + 1u;
const SS: u32 = BC + 1u;
const NT: u32 = BR * TPR;
const CPT: u32 = BC / TPR;
const WPT: u32 = W / TPR;

struct Params { heads: u32, kvHeads: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<u32>;
@group(0) @binding(2) var<storage, read> k: array<u32>;
@group(0) @binding(3) var<storage, read> v: array<u32>;
@group(0) @binding(4) var<storage, read> dout: array<u32>;
@group(0) @binding(5) var<storage, read> lse: array<f32>;
@group(0) @binding(6) var<storage, read> dterm: array<f32>;
@group(0) @binding(7) var<storage, read> blocks: array<vec4<u32>>;
@group(0) @binding(8) var<storage, read_write> dq: array<u32>; // bf16 pairs, or f32 bits when OUT_F32

var<workgroup> qs: array<u32, BR * WS>;
var<workgroup> dos: array<u32, BR * WS>;
var<workgroup> ks: array<u32, BC * WS>;
var<workgroup> vs: array<u32, BC * WS>;
var<workgroup> dss: array<f32, BR * SS>;

@compute @workgroup_size(NT)
fn attn_bwd_dq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = blocks[wid.x];
  let h = wid.y;
  let r0 = blk.x;
  let r1 = blk.y;
  let s0 = blk.z;
  if (r0 >= r1) { return; }
  let g = h / (p.heads / p.kvHeads);
  let qStride = p.heads * W;
  let kvStride = p.kvHeads * W;
  let nRows = r1 - r0;
  let rl = lid / TPR;
  let j = lid % TPR;
  let rc = min(rl, nRows - 1u);
  let row = r0 + rc;
  let lrow = lse[row * p.heads + h];
  let drow = dterm[row * p.heads + h];

  for (var e = lid; e < BR * W; e += NT) {
    let rr = e / W;
    let w = e % W;
    var x = 0u;
    var y = 0u;
    if (rr < nRows) {
      x = q[(r0 + rr) * qStride + h * W + w];
      y = dout[(r0 + rr) * qStride + h * W + w];
    }
    qs[rr * WS + w] = x;
    dos[rr * WS + w] = y;
  }

  var acc: array<vec2<f32>, WPT>;
  for (var i = 0u; i < WPT; i++) { acc[i] = vec2<f32>(0.0); }

  for (var c0 = s0; c0 < r1; c0 += BC) {
    workgroupBarrier();
    for (var e = lid; e < BC * W; e += NT) {
      let cc = e / W;
      let w = e % W;
      var kx = 0u;
      var vx = 0u;
      if (c0 + cc < r1) {
        let gi = (c0 + cc) * kvStride + g * W + w;
        kx = k[gi];
        vx = v[gi];
      }
      ks[cc * WS + w] = kx;
      vs[cc * WS + w] = vx;
    }
    workgroupBarrier();

    var sc: array<f32, CPT>;
    var dp: array<f32, CPT>;
    for (var i = 0u; i < CPT; i++) { sc[i] = 0.0; dp[i] = 0.0; }
    for (var w = 0u; w < W; w++) {
      let qw = bf16_unpack(qs[rc * WS + w]);
      let dw = bf16_unpack(dos[rc * WS + w]);
      for (var i = 0u; i < CPT; i++) {
        let c = (j + i * TPR) * WS + w;
        sc[i] += dot(qw, bf16_unpack(ks[c]));
        dp[i] += dot(dw, bf16_unpack(vs[c]));
      }
    }
    for (var i = 0u; i < CPT; i++) {
      let c = j + i * TPR;
      var ds = 0.0;
      if (c0 + c <= row) {
        let pr = exp(sc[i] * p.scale - lrow);
        ds = pr * (dp[i] - drow);
      }
      dss[rl * SS + c] = ds;
    }
    workgroupBarrier();

    if (c0 <= row) {
      let nValid = min(BC, row + 1u - c0);
      for (var c = 0u; c < nValid; c++) {
        let ds = dss[rl * SS + c];
        for (var i = 0u; i < WPT; i++) { acc[i] += ds * bf16_unpack(ks[c * WS + j + i * TPR]); }
      }
    }
  }

  if (rl < nRows) {
    let base = row * qStride + h * W;
    for (var i = 0u; i < WPT; i++) {
      let x = acc[i] * p.scale;
      let w = base + j + i * TPR;
      if (OUT_F32) {
        dq[2u * w] = bitcast<u32>(x.x);
        dq[2u * w + 1u] = bitcast<u32>(x.y);
      } else {
        dq[w] = bf16_pack2(x);
      }
    }
  }
}
