// Attention backward dK and dV, v2 (register-tiled; contract and bindings as
// attention-bwd-dkdv.wgsl): one workgroup per (key block of BK = 4*TY keys, kv head) loops over the
// query heads of its group and the query tiles (BQ = 4*TX queries) of its sequence from the key
// block on. Thread (ty, tx) owns keys 4ty..+4 x queries 4tx..+4 of the transposed scores:
//   S^T = K Q^T and dP^T = V dO^T (DK head dims per staged chunk, transposed f32),
//   P^T = exp2(S^T*scale*log2e - lse*log2e), dS^T = P^T (dP^T - D),
//   dV += P^T dO, then dK += dS^T Q: ND passes each of DV head dims (dO / Q chunks row-major),
// P^T and then dS^T going through the same workgroup memory (the thread keeps dS^T in registers).
// Generated parts ({{...}}): src/ops/attention-v2.ts.
#include "common/bf16.wgsl"
#include "experimental/attention-v2-common.wgsl"

const TX: u32 = {{TX}}u;
const TY: u32 = {{TY}}u;
const HD: u32 = {{HD}}u;
const DK: u32 = {{DK}}u;
const OUT_F32: bool = {{OUT_F32}};
const W: u32 = HD / 2u;
const NT: u32 = TX * TY;
const BK: u32 = 4u * TY;
const BQ: u32 = 4u * TX;
const DV: u32 = 4u * TX;
const LOG2E: f32 = 1.4426950408889634;
// Score phase: KT, VT [DK][BK], QT, OT [DK][BQ]. Product phase: PT [BQ][BK] (P or dS, indexed by
// query then key), RS [BQ][DV] (a dO or Q chunk).
const KT: u32 = 0u;
const VT: u32 = DK * BK / 4u;
const QT: u32 = DK * BK / 2u;
const OT: u32 = DK * BK / 2u + DK * BQ / 4u;
const PT: u32 = 0u;
const RS: u32 = BQ * BK / 4u;

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

var<workgroup> sm: array<vec4<f32>, {{SMV4}}>;

fn word(which: u32, i: u32) -> u32 {
  switch which {
    case 0u: { return q[i]; }
    case 1u: { return k[i]; }
    case 2u: { return v[i]; }
    default: { return dout[i]; }
  }
}

fn store2(isK: bool, w: u32, x: f32, y: f32) {
  if (OUT_F32) {
    if (isK) { dk[2u * w] = bitcast<u32>(x); dk[2u * w + 1u] = bitcast<u32>(y); }
    else { dv[2u * w] = bitcast<u32>(x); dv[2u * w + 1u] = bitcast<u32>(y); }
  } else {
    if (isK) { dk[w] = bf16_pack(x, y); } else { dv[w] = bf16_pack(x, y); }
  }
}

@compute @workgroup_size(NT)
fn attn_bwd_dkdv2(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = blocks[wid.x];
  let g = wid.y;
  let c0 = blk.x;
  let c1 = blk.y;
  let sEnd = blk.w;
  if (c0 >= c1) { return; }
  let group = p.heads / p.kvHeads;
  let qStride = p.heads * W;
  let kvStride = p.kvHeads * W;
  let tx = lid % TX;
  let ty = lid / TX;
  let keys = vec4<u32>(c0 + 4u * ty) + vec4<u32>(0u, 1u, 2u, 3u);
  let sl2 = p.scale * LOG2E;
{{DECL}}
  for (var hh = 0u; hh < group; hh++) {
    let h = g * group + hh;
    for (var r0 = c0; r0 < sEnd; r0 += BQ) {
      var s0 = vec4<f32>(0.0);
      var s1 = vec4<f32>(0.0);
      var s2 = vec4<f32>(0.0);
      var s3 = vec4<f32>(0.0);
      var t0 = vec4<f32>(0.0);
      var t1 = vec4<f32>(0.0);
      var t2 = vec4<f32>(0.0);
      var t3 = vec4<f32>(0.0);
      for (var d0 = 0u; d0 < HD; d0 += DK) {
        workgroupBarrier();
        stage_t(1u, KT, BK, c0, c1, kvStride, g * W + d0 / 2u, lid);
        stage_t(2u, VT, BK, c0, c1, kvStride, g * W + d0 / 2u, lid);
        stage_t(0u, QT, BQ, r0, sEnd, qStride, h * W + d0 / 2u, lid);
        stage_t(3u, OT, BQ, r0, sEnd, qStride, h * W + d0 / 2u, lid);
        workgroupBarrier();
        for (var d = 0u; d < DK; d++) {
          let a = ld_t(KT, BK, d, 4u * ty);
          let b = ld_t(QT, BQ, d, 4u * tx);
          let e = ld_t(VT, BK, d, 4u * ty);
          let f = ld_t(OT, BQ, d, 4u * tx);
          s0 = fma(vec4<f32>(a.x), b, s0);
          s1 = fma(vec4<f32>(a.y), b, s1);
          s2 = fma(vec4<f32>(a.z), b, s2);
          s3 = fma(vec4<f32>(a.w), b, s3);
          t0 = fma(vec4<f32>(e.x), f, t0);
          t1 = fma(vec4<f32>(e.y), f, t1);
          t2 = fma(vec4<f32>(e.z), f, t2);
          t3 = fma(vec4<f32>(e.w), f, t3);
        }
      }
      // The thread's 4 queries: lse (log2) and D, guarded past the sequence (masked below).
      let qs = vec4<u32>(r0 + 4u * tx) + vec4<u32>(0u, 1u, 2u, 3u);
      let qi = min(qs, vec4<u32>(sEnd - 1u)) * p.heads + vec4<u32>(h);
      let lq = vec4<f32>(lse[qi.x], lse[qi.y], lse[qi.z], lse[qi.w]) * LOG2E;
      let dq = vec4<f32>(dterm[qi.x], dterm[qi.y], dterm[qi.z], dterm[qi.w]);
      let live = qs < vec4<u32>(sEnd);
      // P^T (keys x queries): a query sees a key when query >= key.
      s0 = select(vec4<f32>(0.0), exp2(s0 * sl2 - lq), live & (qs >= vec4<u32>(keys.x)));
      s1 = select(vec4<f32>(0.0), exp2(s1 * sl2 - lq), live & (qs >= vec4<u32>(keys.y)));
      s2 = select(vec4<f32>(0.0), exp2(s2 * sl2 - lq), live & (qs >= vec4<u32>(keys.z)));
      s3 = select(vec4<f32>(0.0), exp2(s3 * sl2 - lq), live & (qs >= vec4<u32>(keys.w)));
      t0 = s0 * (t0 - dq);
      t1 = s1 * (t1 - dq);
      t2 = s2 * (t2 - dq);
      t3 = s3 * (t3 - dq);
      workgroupBarrier();
      sm[pt_index(PT, BK, 4u * tx, 4u * ty)] = vec4<f32>(s0.x, s1.x, s2.x, s3.x);
      sm[pt_index(PT, BK, 4u * tx + 1u, 4u * ty)] = vec4<f32>(s0.y, s1.y, s2.y, s3.y);
      sm[pt_index(PT, BK, 4u * tx + 2u, 4u * ty)] = vec4<f32>(s0.z, s1.z, s2.z, s3.z);
      sm[pt_index(PT, BK, 4u * tx + 3u, 4u * ty)] = vec4<f32>(s0.w, s1.w, s2.w, s3.w);
{{PASSES_V}}
      workgroupBarrier(); // every thread is done with P^T
      sm[pt_index(PT, BK, 4u * tx, 4u * ty)] = vec4<f32>(t0.x, t1.x, t2.x, t3.x);
      sm[pt_index(PT, BK, 4u * tx + 1u, 4u * ty)] = vec4<f32>(t0.y, t1.y, t2.y, t3.y);
      sm[pt_index(PT, BK, 4u * tx + 2u, 4u * ty)] = vec4<f32>(t0.z, t1.z, t2.z, t3.z);
      sm[pt_index(PT, BK, 4u * tx + 3u, 4u * ty)] = vec4<f32>(t0.w, t1.w, t2.w, t3.w);
{{PASSES_K}}
    }
  }

  let nKeys = c1 - c0;
{{WRITE}}
}
