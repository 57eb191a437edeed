// Causal GQA attention forward on f16 subgroup matrices (tensor cores), for packed sequences.
// Same contract as attention-fwd.wgsl (out bf16, lse f32 natural log per (token, head)); q, k, v
// come as f16 copies scaled by powers of two (src/ops/f16-stage.ts; shifts[0..2]), each with at
// least 64 zero rows after its last token, so edge tiles can load whole 16x16 matrices.
// One workgroup per (query block of 64 rows, head): 4 subgroups of 16 query rows each. A subgroup
// keeps its Q rows as HD/16 left matrices and walks the key blocks of its sequence twice:
//   pass 1: S = Q K^T per 64-key block (4 result tiles), stored to workgroup memory; each lane
//           pair owns one query row (32 columns each) and keeps the row's running max m and sum l;
//   pass 2: S again, P = exp(S - m) in f16 (in [0, 1]), O += P V in HD/16 result tiles.
// Two passes instead of the online rescaling of FlashAttention-2: a subgroup matrix cannot be
// scaled row by row, and a known max needs none (1.5x the multiplies, all on tensor cores).
// out = O / l scaled back by v's shift; lse = m + log l.
// Emulated form (tests on lavapipe): {{...}} parts replace the subgroup-matrix builtins with plain
// loops over the same memory, each lane holding what the real result matrices' layout gives it
// (row lane/2, columns (lane%2)*8..+7 of each 16x16 tile).
{{ENABLES}}
#include "common/bf16.wgsl"

const HD: u32 = {{HD}}u;
const DT: u32 = HD / 16u;  // 16-wide head-dim tiles
const BR: u32 = 64u;       // query rows per workgroup (16 per subgroup)
const BC: u32 = 64u;       // keys per block (4 tiles)
const SS: u32 = BC + 4u;   // f32 score row stride in workgroup memory
const PS: u32 = BC + 8u;   // f16 probability row stride
const NEG: f32 = -3.0e38;

struct Params { heads: u32, kvHeads: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qh: array<f16>;
@group(0) @binding(2) var<storage, read> kh: array<f16>;
@group(0) @binding(3) var<storage, read> vh: array<f16>;
@group(0) @binding(4) var<storage, read> blocks: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> out: array<u32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;
@group(0) @binding(7) var<storage, read> shifts: array<i32>;

var<workgroup> Ss: array<f32, 4u * 16u * SS>;
var<workgroup> Ps: array<f16, 4u * 16u * PS>;

fn pow2(s: i32) -> f32 { return bitcast<f32>(u32(s + 127) << 23u); }

// Lane (row lr, head dims half*8..+7) of O tile dt, staged row-major at sbase: scaled by f, to out.
fn write_tile(dt: u32, sbase: u32, lr: u32, half: u32, row: u32, rowOk: bool, h: u32, f: f32) {
  if (!rowOk) { return; }
  let src = sbase + lr * SS + half * 8u;
  let w0 = (row * p.heads * HD + h * HD + dt * 16u + half * 8u) / 2u;
  for (var w = 0u; w < 4u; w++) { out[w0 + w] = bf16_pack(Ss[src + 2u * w] * f, Ss[src + 2u * w + 1u] * f); }
}

{{EMU_FNS}}

@compute @workgroup_size(128)
fn attn_fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32{{SG_ARGS}}) {
{{SG}}
  let blk = blocks[wid.x];
  let h = wid.y;
  let r0 = blk.x;
  let r1 = blk.y;
  let s0 = blk.z;
  if (r0 >= r1) { return; } // empty table entry: the whole workgroup leaves
  let g = h / (p.heads / p.kvHeads);
  let qStride = p.heads * HD;
  let kvStride = p.kvHeads * HD;
  let qr = r0 + 16u * sg;       // the subgroup's first query row
  let sbase = sg * 16u * SS;    // its score strip
  let pbase = sg * 16u * PS;    // its probability strip
  let lr = lane / 2u;           // the lane's row in the strip
  let half = lane % 2u;         // which 32 of the 64 columns
  let row = qr + lr;
  let rowOk = row < r1;
  // Scores in natural units: the q and k shifts folded into the softmax scale.
  let sc = p.scale * pow2(-(shifts[0] + shifts[1]));
  let qoff = qr * qStride + h * HD;
  let koff = g * HD;

{{Q_LOAD}}

  // Pass 1: row max and sum.
  var m = NEG;
  var l = 0.0;
  for (var c0 = s0; c0 < r1; c0 += BC) {
{{S_BLOCK}}
    workgroupBarrier();
    var mx = NEG;
    for (var c = 0u; c < 32u; c++) {
      let key = c0 + half * 32u + c;
      if (key <= row) { mx = max(mx, Ss[sbase + lr * SS + half * 32u + c] * sc); }
    }
    mx = max(mx, subgroupShuffleXor(mx, 1u));
    let mn = max(m, mx);
    var sum = 0.0;
    for (var c = 0u; c < 32u; c++) {
      let key = c0 + half * 32u + c;
      if (key <= row) { sum += exp(Ss[sbase + lr * SS + half * 32u + c] * sc - mn); }
    }
    sum += subgroupShuffleXor(sum, 1u);
    l = l * exp(m - mn) + sum;
    m = mn;
    workgroupBarrier();
  }

  // Pass 2: O = sum over key blocks of exp(S - m) V.
{{O_DECL}}
  for (var c0 = s0; c0 < r1; c0 += BC) {
{{S_BLOCK}}
    workgroupBarrier();
    for (var c = 0u; c < 32u; c++) {
      let key = c0 + half * 32u + c;
      var pr = 0.0;
      if (key <= row && rowOk) { pr = exp(Ss[sbase + lr * SS + half * 32u + c] * sc - m); }
      Ps[pbase + lr * PS + half * 32u + c] = f16(pr);
    }
    workgroupBarrier();
{{PV}}
    workgroupBarrier();
  }

  // Write-out: each O tile through the score strip, scaled by 1/l and back from v's shift.
  let f = pow2(-shifts[2]) / l;
{{WRITE_OUT}}
  if (rowOk && half == 0u) { lse[row * p.heads + h] = m + log(l); }
}
