// Causal GQA attention forward, v2 (register-tiled): same contract, bindings and block table as
// attention-fwd.wgsl (v1). One workgroup per (query block of BR = 4*TY rows, query head) walks the
// key tiles of BC = 4*TX keys of its sequence up to the causal limit. Per tile:
//   S = Q K^T: DK head dims at a time, Q and K chunks staged transposed in f32; thread (ty, tx)
//     accumulates rows 4ty..+4 x keys 4tx..+4 in s0..s3 (scaled to log2 units, exp2 below);
//   online softmax: row max over the TX threads of a row group (subgroup shuffles or workgroup
//     memory: row_max below), P = exp2(S - m) written transposed to workgroup memory;
//   O += P V: ND passes of DV = 4*TX head dims, each thread 4 rows x one vec4 per pass.
// The row sums l stay per thread (its own keys) until the end, then one reduction.
// Generated parts ({{...}}): src/ops/attention-v2.ts.
{{ENABLE}}
#include "common/bf16.wgsl"
#include "experimental/attention-v2-common.wgsl"

const TX: u32 = {{TX}}u;
const TY: u32 = {{TY}}u;
const HD: u32 = {{HD}}u;
const DK: u32 = {{DK}}u;
const W: u32 = HD / 2u;
const NT: u32 = TX * TY;
const BR: u32 = 4u * TY;
const BC: u32 = 4u * TX;
const DV: u32 = 4u * TX;
const NEG: f32 = -3.0e38;
const LOG2E: f32 = 1.4426950408889634;
const LN2: f32 = 0.6931471805599453;
// Workgroup memory regions (vec4 index). Score phase: QT [DK][BR], KT [DK][BC]. Product phase
// (after a barrier, same memory): PT [BC][BR] (P transposed), RS [BC][DV] (a V chunk).
// RED [TX][BR]: row reductions without subgroups.
const QT: u32 = 0u;
const KT: u32 = DK * BR / 4u;
const PT: u32 = 0u;
const RS: u32 = BC * BR / 4u;
const RED: u32 = {{RED}}u;

struct Params { heads: u32, kvHeads: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<u32>;
@group(0) @binding(2) var<storage, read> k: array<u32>;
@group(0) @binding(3) var<storage, read> v: array<u32>;
@group(0) @binding(4) var<storage, read> blocks: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> out: array<u32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

var<workgroup> sm: array<vec4<f32>, {{SMV4}}>;

fn word(which: u32, i: u32) -> u32 {
  switch which {
    case 0u: { return q[i]; }
    case 1u: { return k[i]; }
    default: { return v[i]; }
  }
}

{{REDUCE}}

@compute @workgroup_size(NT)
fn attn_fwd2(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = blocks[wid.x];
  let h = wid.y;
  let r0 = blk.x;
  let r1 = blk.y;
  let seq0 = blk.z;
  if (r0 >= r1) { return; } // empty table entry: the whole workgroup leaves
  let g = h / (p.heads / p.kvHeads);
  let qStride = p.heads * W;
  let kvStride = p.kvHeads * W;
  let tx = lid % TX;
  let ty = lid / TX;
  let rows = vec4<u32>(r0 + 4u * ty) + vec4<u32>(0u, 1u, 2u, 3u);
  let sl2 = p.scale * LOG2E;
  var m = vec4<f32>(NEG); // running row max (log2 units), the same in every thread of a row group
  var l = vec4<f32>(0.0); // running sum over this thread's keys
{{DECL}}
  for (var c0 = seq0; c0 < r1; c0 += BC) {
    var s0 = vec4<f32>(0.0);
    var s1 = vec4<f32>(0.0);
    var s2 = vec4<f32>(0.0);
    var s3 = vec4<f32>(0.0);
    for (var d0 = 0u; d0 < HD; d0 += DK) {
      workgroupBarrier();
      stage_t(0u, QT, BR, r0, r1, qStride, h * W + d0 / 2u, lid);
      stage_t(1u, KT, BC, c0, r1, kvStride, g * W + d0 / 2u, lid);
      workgroupBarrier();
      for (var d = 0u; d < DK; d++) {
        let a = ld_t(QT, BR, d, 4u * ty);
        let b = ld_t(KT, BC, d, 4u * tx);
        s0 = fma(vec4<f32>(a.x), b, s0);
        s1 = fma(vec4<f32>(a.y), b, s1);
        s2 = fma(vec4<f32>(a.z), b, s2);
        s3 = fma(vec4<f32>(a.w), b, s3);
      }
    }
    // Causal mask (keys past the block are past every real row too), online softmax.
    let cols = vec4<u32>(c0 + 4u * tx) + vec4<u32>(0u, 1u, 2u, 3u);
    s0 = select(vec4<f32>(NEG), s0 * sl2, cols <= vec4<u32>(rows.x));
    s1 = select(vec4<f32>(NEG), s1 * sl2, cols <= vec4<u32>(rows.y));
    s2 = select(vec4<f32>(NEG), s2 * sl2, cols <= vec4<u32>(rows.z));
    s3 = select(vec4<f32>(NEG), s3 * sl2, cols <= vec4<u32>(rows.w));
    let mn = max(m, row_max(vec4<f32>(max4(s0), max4(s1), max4(s2), max4(s3)), tx, ty));
    let alpha = exp2(m - mn);
    m = mn;
    s0 = exp2(s0 - vec4<f32>(mn.x));
    s1 = exp2(s1 - vec4<f32>(mn.y));
    s2 = exp2(s2 - vec4<f32>(mn.z));
    s3 = exp2(s3 - vec4<f32>(mn.w));
    l = l * alpha + vec4<f32>(sum4(s0), sum4(s1), sum4(s2), sum4(s3));
{{RESCALE}}
    workgroupBarrier(); // the score-phase chunks are dead: PT reuses their memory
    sm[pt_index(PT, BR, 4u * tx, 4u * ty)] = vec4<f32>(s0.x, s1.x, s2.x, s3.x);
    sm[pt_index(PT, BR, 4u * tx + 1u, 4u * ty)] = vec4<f32>(s0.y, s1.y, s2.y, s3.y);
    sm[pt_index(PT, BR, 4u * tx + 2u, 4u * ty)] = vec4<f32>(s0.z, s1.z, s2.z, s3.z);
    sm[pt_index(PT, BR, 4u * tx + 3u, 4u * ty)] = vec4<f32>(s0.w, s1.w, s2.w, s3.w);
{{PASSES}}
  }

  let lt = row_sum(l, tx, ty);
  let inv = 1.0 / lt;
  let nRows = r1 - r0;
  let lz = (m + log2(lt)) * LN2; // natural-log logsumexp
{{WRITE}}
}
