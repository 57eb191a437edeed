// Attention backward dQ, v2 (register-tiled; contract and bindings as attention-bwd-dq.wgsl): one
// workgroup per (query block of BR = 4*TY rows, query head) walks the key tiles (BC = 4*TX keys).
// Per tile: S = Q K^T and dP = dO V^T together (DK head dims per staged chunk, all four chunks
// transposed f32), P = exp2(S*scale*log2e - lse*log2e), dS = P (dP - D) written transposed to
// workgroup memory, then dQ += dS K in ND passes of DV head dims (K chunks staged row-major).
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
const BR: u32 = 4u * TY;
const BC: u32 = 4u * TX;
const DV: u32 = 4u * TX;
const LOG2E: f32 = 1.4426950408889634;
// Score phase: QT, OT [DK][BR] (Q, dO), KT, VT [DK][BC]. Product phase: PT [BC][BR] (dS^T), RS [BC][DV].
const QT: u32 = 0u;
const OT: u32 = DK * BR / 4u;
const KT: u32 = DK * BR / 2u;
const VT: u32 = DK * BR / 2u + DK * BC / 4u;
const PT: u32 = 0u;
const RS: u32 = BC * BR / 4u;

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

var<workgroup> sm: array<vec4<f32>, {{SMV4}}>;

fn word(which: u32, i: u32) -> u32 {
  switch which {
    case 0u: { return q[i]; }
    case 1u: { return k[i]; }
    case 2u: { return v[i]; }
    default: { return dout[i]; }
  }
}

// lse (as log2) and D of the thread's 4 rows; rows past the block read row r1 - 1 (never written).
fn row_terms(rows: vec4<u32>, r1: u32, h: u32) -> array<vec4<f32>, 2> {
  let rc = min(rows, vec4<u32>(r1 - 1u));
  let i = rc * p.heads + vec4<u32>(h);
  return array<vec4<f32>, 2>(
    vec4<f32>(lse[i.x], lse[i.y], lse[i.z], lse[i.w]) * LOG2E,
    vec4<f32>(dterm[i.x], dterm[i.y], dterm[i.z], dterm[i.w]));
}

fn store2(w: u32, x: f32, y: f32) {
  if (OUT_F32) {
    dq[2u * w] = bitcast<u32>(x);
    dq[2u * w + 1u] = bitcast<u32>(y);
  } else {
    dq[w] = bf16_pack(x, y);
  }
}

@compute @workgroup_size(NT)
fn attn_bwd_dq2(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = blocks[wid.x];
  let h = wid.y;
  let r0 = blk.x;
  let r1 = blk.y;
  let seq0 = blk.z;
  if (r0 >= r1) { return; }
  let g = h / (p.heads / p.kvHeads);
  let qStride = p.heads * W;
  let kvStride = p.kvHeads * W;
  let tx = lid % TX;
  let ty = lid / TX;
  let rows = vec4<u32>(r0 + 4u * ty) + vec4<u32>(0u, 1u, 2u, 3u);
  let sl2 = p.scale * LOG2E;
  let terms = row_terms(rows, r1, h);
  let lr = terms[0];
  let dr = terms[1];
{{DECL}}
  for (var c0 = seq0; c0 < r1; c0 += BC) {
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
      stage_t(0u, QT, BR, r0, r1, qStride, h * W + d0 / 2u, lid);
      stage_t(3u, OT, BR, r0, r1, qStride, h * W + d0 / 2u, lid);
      stage_t(1u, KT, BC, c0, r1, kvStride, g * W + d0 / 2u, lid);
      stage_t(2u, VT, BC, c0, r1, kvStride, g * W + d0 / 2u, lid);
      workgroupBarrier();
      for (var d = 0u; d < DK; d++) {
        let a = ld_t(QT, BR, d, 4u * ty);
        let b = ld_t(KT, BC, d, 4u * tx);
        let e = ld_t(OT, BR, d, 4u * ty);
        let f = ld_t(VT, BC, d, 4u * tx);
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
    // dS = P (dP - D), P = 0 above the diagonal (and for keys past the block).
    let cols = vec4<u32>(c0 + 4u * tx) + vec4<u32>(0u, 1u, 2u, 3u);
    s0 = select(vec4<f32>(0.0), exp2(s0 * sl2 - vec4<f32>(lr.x)), cols <= vec4<u32>(rows.x)) * (t0 - vec4<f32>(dr.x));
    s1 = select(vec4<f32>(0.0), exp2(s1 * sl2 - vec4<f32>(lr.y)), cols <= vec4<u32>(rows.y)) * (t1 - vec4<f32>(dr.y));
    s2 = select(vec4<f32>(0.0), exp2(s2 * sl2 - vec4<f32>(lr.z)), cols <= vec4<u32>(rows.z)) * (t2 - vec4<f32>(dr.z));
    s3 = select(vec4<f32>(0.0), exp2(s3 * sl2 - vec4<f32>(lr.w)), cols <= vec4<u32>(rows.w)) * (t3 - vec4<f32>(dr.w));
    workgroupBarrier();
    sm[pt_index(PT, BR, 4u * tx, 4u * ty)] = vec4<f32>(s0.x, s1.x, s2.x, s3.x);
    sm[pt_index(PT, BR, 4u * tx + 1u, 4u * ty)] = vec4<f32>(s0.y, s1.y, s2.y, s3.y);
    sm[pt_index(PT, BR, 4u * tx + 2u, 4u * ty)] = vec4<f32>(s0.z, s1.z, s2.z, s3.z);
    sm[pt_index(PT, BR, 4u * tx + 3u, 4u * ty)] = vec4<f32>(s0.w, s1.w, s2.w, s3.w);
{{PASSES}}
  }

  let nRows = r1 - r0;
{{WRITE}}
}
