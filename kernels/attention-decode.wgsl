// Decode attention: one new query per sequence against that sequence's cached keys/values.
//   q    [B, nh*hd] bf16 (already q_norm'ed and roped)
//   kc,vc [rows, nkv*hd] bf16: the KV cache of one layer; sequence b owns rows
//         seqs[2b] .. seqs[2b] + seqs[2b+1] - 1 (its start row and its length, new token included)
//   out  [B, nh*hd] bf16
// One workgroup per (sequence, query head); query head h reads kv head h / (nh / nkv). Keys are
// processed in blocks of BLOCK scores held in workgroup memory, with the online softmax
// (running max m, running sum l, rescaled accumulator) across blocks, so any length works.
// Each thread owns whole u32 words (2 dims) of the output: no two threads write one word.
#include "common/bf16.wgsl"

struct Params { B: u32, nh: u32, nkv: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<u32>;
@group(0) @binding(2) var<storage, read> kc: array<u32>;
@group(0) @binding(3) var<storage, read> vc: array<u32>;
@group(0) @binding(4) var<storage, read> seqs: array<u32>;
@group(0) @binding(5) var<storage, read_write> out: array<u32>;

const HD: u32 = {{HD}}u;
const HW: u32 = HD / 2u; // u32 words per head
const WG: u32 = {{WG}}u;
const BLOCK: u32 = {{BLOCK}}u;
const NW: u32 = (HW + WG - 1u) / WG; // output words per thread

var<workgroup> qs: array<f32, HD>;
var<workgroup> s: array<f32, BLOCK>;
var<workgroup> red: array<f32, WG>;

fn reduce_max(lid: u32) -> f32 {
  for (var st = WG / 2u; st > 0u; st = st >> 1u) {
    if (lid < st) { red[lid] = max(red[lid], red[lid + st]); }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

fn reduce_sum(lid: u32) -> f32 {
  for (var st = WG / 2u; st > 0u; st = st >> 1u) {
    if (lid < st) { red[lid] = red[lid] + red[lid + st]; }
    workgroupBarrier();
  }
  let r = red[0];
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let idx = wid.x + wid.y * nwg.x; // uniform across the workgroup
  if (idx >= p.B * p.nh) { return; }
  let b = idx / p.nh;
  let h = idx % p.nh;
  let kvh = h / (p.nh / p.nkv);
  let row0 = seqs[2u * b];
  let len = seqs[2u * b + 1u];
  let rowW = p.nkv * HW;
  let qbase = (b * p.nh + h) * HW;
  for (var w = lid; w < HW; w += WG) {
    let v = bf16_unpack(q[qbase + w]);
    qs[2u * w] = v.x;
    qs[2u * w + 1u] = v.y;
  }
  workgroupBarrier();

  var m = -3.0e38;
  var l = 0.0;
  var acc: array<vec2<f32>, NW>;
  for (var j0 = 0u; j0 < len; j0 += BLOCK) {
    let n = min(BLOCK, len - j0);
    var lmax = -3.0e38;
    for (var j = lid; j < n; j += WG) {
      let kb = (row0 + j0 + j) * rowW + kvh * HW;
      var dot = 0.0;
      for (var w = 0u; w < HW; w++) {
        let kv = bf16_unpack(kc[kb + w]);
        dot += qs[2u * w] * kv.x + qs[2u * w + 1u] * kv.y;
      }
      let sc = dot * p.scale;
      s[j] = sc;
      lmax = max(lmax, sc);
    }
    red[lid] = lmax;
    workgroupBarrier();
    let mNew = max(m, reduce_max(lid));
    var lsum = 0.0;
    for (var j = lid; j < n; j += WG) {
      let e = exp(s[j] - mNew);
      s[j] = e;
      lsum += e;
    }
    red[lid] = lsum;
    workgroupBarrier();
    let bsum = reduce_sum(lid);
    let corr = exp(m - mNew);
    l = l * corr + bsum;
    m = mNew;
    for (var i = 0u; i < NW; i++) {
      let w = lid + i * WG;
      if (w < HW) {
        var a = acc[i] * corr;
        for (var j = 0u; j < n; j++) {
          a += s[j] * bf16_unpack(vc[(row0 + j0 + j) * rowW + kvh * HW + w]);
        }
        acc[i] = a;
      }
    }
    workgroupBarrier(); // s is rewritten by the next block
  }
  for (var i = 0u; i < NW; i++) {
    let w = lid + i * WG;
    if (w < HW) { out[qbase + w] = bf16_pack2(acc[i] / l); }
  }
}
