// Attention backward, dK and dV (deterministic, no atomics): one workgroup per (key block of BC
// rows, kv head) loops over the query heads of its group and the query blocks of its sequence from
// the key block on (earlier queries cannot see these keys), rebuilding P and dS, and accumulates
//   dv_c += sum_r P[r, c] dO_r,  dk_c += scale * sum_r dS[r, c] q_r
// in registers. Thread (c, j): scores for query rows j, j+TPR, ...; output words j, j+TPR, ...
#include "common/bf16.wgsl"

const BC: u32 = {{BC}}u;      // key rows per workgroup
const BQ: u32 = {{BQ}}u;      // query rows per tile
const TPR: u32 = {{TPR}}u;
const HD: u32 = {{HD}}u;
const OUT_F32: bool = {{OUT_F32}};
const W: u32 = HD / 2u;
const WS: u32 = W + 1u;
const PS: u32 = BQ + 1u;
const NT: u32 = BC * TPR;
const RPT: u32 = BQ / TPR;   // query rows per thread in the score phase
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
@group(0) @binding(8) var<storage, read_write> dk: array<u32>;
@group(0) @binding(9) var<storage, read_write> dv: array<u32>;

var<workgroup> ks: array<u32, BC * WS>;
var<workgroup> vs: array<u32, BC * WS>;
var<workgroup> qs: array<u32, BQ * WS>;
var<workgroup> dos: array<u32, BQ * WS>;
var<workgroup> lq: array<f32, BQ>;
var<workgroup> dq: array<f32, BQ>;
var<workgroup> pss: array<f32, BC * PS>;
var<workgroup> dss: array<f32, BC * PS>;

fn store(w: u32, x: vec2<f32>, isK: bool) {
  if (OUT_F32) {
    if (isK) { dk[2u * w] = bitcast<u32>(x.x); dk[2u * w + 1u] = bitcast<u32>(x.y); }
    else { dv[2u * w] = bitcast<u32>(x.x); dv[2u * w + 1u] = bitcast<u32>(x.y); }
  } else {
    if (isK) { dk[w] = bf16_pack2(x); } else { dv[w] = bf16_pack2(x); }
  }
}

@compute @workgroup_size(NT)
fn attn_bwd_dkdv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = blocks[wid.x];
  let g = wid.y;
  let c0 = blk.x;
  let c1 = blk.y;
  let sEnd = blk.w;
  if (c0 >= c1) { return; }
  let group = p.heads / p.kvHeads;
  let qStride = p.heads * W;
  let kvStride = p.kvHeads * W;
  let nKeys = c1 - c0;
  let cl = lid / TPR;
  let j = lid % TPR;
  let cc = min(cl, nKeys - 1u);
  let col = c0 + cc;

  for (var e = lid; e < BC * W; e += NT) {
    let rr = e / W;
    let w = e % W;
    var kx = 0u;
    var vx = 0u;
    if (rr < nKeys) {
      let gi = (c0 + rr) * kvStride + g * W + w;
      kx = k[gi];
      vx = v[gi];
    }
    ks[rr * WS + w] = kx;
    vs[rr * WS + w] = vx;
  }

  var ak: array<vec2<f32>, WPT>;
  var av: array<vec2<f32>, WPT>;
  for (var i = 0u; i < WPT; i++) { ak[i] = vec2<f32>(0.0); av[i] = vec2<f32>(0.0); }

  for (var hh = 0u; hh < group; hh++) {
    let h = g * group + hh;
    for (var r0 = c0; r0 < sEnd; r0 += BQ) {
      workgroupBarrier();
      for (var e = lid; e < BQ * W; e += NT) {
        let rr = e / W;
        let w = e % W;
        var x = 0u;
        var y = 0u;
        if (r0 + rr < sEnd) {
          x = q[(r0 + rr) * qStride + h * W + w];
          y = dout[(r0 + rr) * qStride + h * W + w];
        }
        qs[rr * WS + w] = x;
        dos[rr * WS + w] = y;
      }
      for (var e = lid; e < BQ; e += NT) {
        var a = 0.0;
        var b = 0.0;
        if (r0 + e < sEnd) { a = lse[(r0 + e) * p.heads + h]; b = dterm[(r0 + e) * p.heads + h]; }
        lq[e] = a;
        dq[e] = b;
      }
      workgroupBarrier();

      var sc: array<f32, RPT>;
      var dp: array<f32, RPT>;
      for (var i = 0u; i < RPT; i++) { sc[i] = 0.0; dp[i] = 0.0; }
      for (var w = 0u; w < W; w++) {
        let kw = bf16_unpack(ks[cc * WS + w]);
        let vw = bf16_unpack(vs[cc * WS + w]);
        for (var i = 0u; i < RPT; i++) {
          let r = (j + i * TPR) * WS + w;
          sc[i] += dot(kw, bf16_unpack(qs[r]));
          dp[i] += dot(vw, bf16_unpack(dos[r]));
        }
      }
      for (var i = 0u; i < RPT; i++) {
        let r = j + i * TPR;
        var pr = 0.0;
        var ds = 0.0;
        if (r0 + r < sEnd && r0 + r >= col) {
          pr = exp(sc[i] * p.scale - lq[r]);
          ds = pr * (dp[i] - dq[r]);
        }
        pss[cl * PS + r] = pr;
        dss[cl * PS + r] = ds;
      }
      workgroupBarrier();

      for (var r = 0u; r < BQ; r++) {
        let pr = pss[cl * PS + r];
        let ds = dss[cl * PS + r];
        for (var i = 0u; i < WPT; i++) {
          let x = r * WS + j + i * TPR;
          av[i] += pr * bf16_unpack(dos[x]);
          ak[i] += ds * bf16_unpack(qs[x]);
        }
      }
    }
  }

  if (cl < nKeys) {
    let base = col * kvStride + g * W;
    for (var i = 0u; i < WPT; i++) {
      store(base + j + i * TPR, ak[i] * p.scale, true);
      store(base + j + i * TPR, av[i], false);
    }
  }
}
