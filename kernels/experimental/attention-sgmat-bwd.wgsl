// Causal GQA attention backward on f16 subgroup matrices (tensor cores), packed sequences. Same
// contract as attention-bwd-dq.wgsl / attention-bwd-dkdv.wgsl (D = rowsum(dO * O) from
// attention-bwd-d.wgsl; lse from the forward); q, k, v, dO come as f16 copies scaled by powers of
// two (src/ops/f16-stage.ts; shifts[0..3] = a, b, c, e), each followed by >= 64 zero rows.
//   P = exp(scale q.k - lse), dP = dO.v, dS = P (dP - D),
//   dQ = scale dS K, dK = scale dS^T Q (summed over the group's heads), dV = P^T dO (likewise).
// dS goes through f16: dS'' = P (dP' - D 2^(e+c)) 2^-DS_SHIFT, dP' = dO'.v' being dP 2^(e+c).
// |dO'|, |v'| < 2^15 bound |dP'| and |D 2^(e+c)| by HD 2^30, so DS_SHIFT = 16 + ceil(log2 HD)
// keeps |dS''| <= 2^15 (no overflow); everything is scaled back exactly with ldexp.
// attn_dq: one workgroup per (64 query rows, head), 16 rows per subgroup; dQ in HD/16 result
//   tiles; per 64-key block: S (4 tiles) -> P (f16), dP (4 tiles) -> dS (f16), dQ += dS K.
// attn_dkdv: one workgroup per (64 keys, kv head), 16 keys per subgroup; dK, dV in 2 HD/16 result
//   tiles; per head of the group and 64-query block from the diagonal on: S^T -> P^T, dV += P^T dO,
//   dP^T -> dS^T, dK += dS^T Q.
// Strips go through workgroup memory (Ss f32, Ps f16, 16 rows per subgroup), where each lane pair
// owns one row (32 columns each). Emulated form (tests on lavapipe): {{...}} parts replace the
// subgroup-matrix builtins with plain loops over the same memory.
{{ENABLES}}
#include "common/bf16.wgsl"

const HD: u32 = {{HD}}u;
const DT: u32 = HD / 16u;
const BB: u32 = 64u;       // rows per block (queries or keys), 16 per subgroup
const SS: u32 = BB + 4u;   // f32 strip row stride
const PS: u32 = BB + 8u;   // f16 strip row stride
const OUT_F32: bool = {{OUT_F32}};
const DS_SHIFT: i32 = {{DS_SHIFT}};

struct Params { heads: u32, kvHeads: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> qh: array<f16>;
@group(0) @binding(2) var<storage, read> kh: array<f16>;
@group(0) @binding(3) var<storage, read> vh: array<f16>;
@group(0) @binding(4) var<storage, read> doh: array<f16>;
@group(0) @binding(5) var<storage, read> lse: array<f32>;
@group(0) @binding(6) var<storage, read> dterm: array<f32>;
@group(0) @binding(7) var<storage, read> blocks: array<vec4<u32>>;
@group(0) @binding(8) var<storage, read> shifts: array<i32>;
@group(0) @binding(9) var<storage, read_write> out_a: array<u32>;  // dq, or dk
@group(0) @binding(10) var<storage, read_write> out_b: array<u32>; // dv

var<workgroup> Ss: array<f32, 4u * 16u * SS>;
var<workgroup> Ps: array<f16, 4u * 16u * PS>;

// The lane's 8 values of a 16x16 tile staged at src (row-major, stride SS), times 2^ex * mul, to
// out_a / out_b at element e0 of a row-major tensor (f32 or bf16). Two functions: an entry point
// must not reference the binding it does not have.
fn out_val(i: u32, mul: f32, ex: i32) -> f32 { return ldexp(Ss[i] * mul, ex); }
fn write_a(e0: u32, src: u32, mul: f32, ex: i32) {
  if (OUT_F32) {
    for (var e = 0u; e < 8u; e++) { out_a[e0 + e] = bitcast<u32>(out_val(src + e, mul, ex)); }
  } else {
    for (var w = 0u; w < 4u; w++) { out_a[e0 / 2u + w] = bf16_pack(out_val(src + 2u * w, mul, ex), out_val(src + 2u * w + 1u, mul, ex)); }
  }
}
fn write_b(e0: u32, src: u32, mul: f32, ex: i32) {
  if (OUT_F32) {
    for (var e = 0u; e < 8u; e++) { out_b[e0 + e] = bitcast<u32>(out_val(src + e, mul, ex)); }
  } else {
    for (var w = 0u; w < 4u; w++) { out_b[e0 / 2u + w] = bf16_pack(out_val(src + 2u * w, mul, ex), out_val(src + 2u * w + 1u, mul, ex)); }
  }
}

{{EMU_FNS}}

@compute @workgroup_size(128)
fn attn_dq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32{{SG_ARGS}}) {
{{SG}}
  let blk = blocks[wid.x];
  let h = wid.y;
  let r0 = blk.x;
  let r1 = blk.y;
  let s0 = blk.z;
  if (r0 >= r1) { return; }
  let g = h / (p.heads / p.kvHeads);
  let qStride = p.heads * HD;
  let kvStride = p.kvHeads * HD;
  let qr = r0 + 16u * sg;
  let sbase = sg * 16u * SS;
  let pbase = sg * 16u * PS;
  let lr = lane / 2u;
  let half = lane % 2u;
  let row = qr + lr;
  let rowOk = row < r1;
  let sc = ldexp(p.scale, -(shifts[0] + shifts[1]));
  var lrow = 0.0;
  var drow = 0.0;
  if (rowOk) {
    lrow = lse[row * p.heads + h];
    drow = ldexp(dterm[row * p.heads + h], shifts[3] + shifts[2]);
  }
  let qoff = qr * qStride + h * HD; // also dO's
  let koff = g * HD;
{{DQ_DECL}}
  for (var c0 = s0; c0 < r1; c0 += BB) {
{{DQ_S}}
    workgroupBarrier();
    for (var c = 0u; c < 32u; c++) {
      let key = c0 + half * 32u + c;
      var pr = 0.0;
      if (key <= row && rowOk) { pr = exp(Ss[sbase + lr * SS + half * 32u + c] * sc - lrow); }
      Ps[pbase + lr * PS + half * 32u + c] = f16(pr);
    }
    workgroupBarrier();
{{DQ_DP}}
    workgroupBarrier();
    for (var c = 0u; c < 32u; c++) {
      let i = pbase + lr * PS + half * 32u + c;
      Ps[i] = f16(ldexp(f32(Ps[i]) * (Ss[sbase + lr * SS + half * 32u + c] - drow), -DS_SHIFT));
    }
    workgroupBarrier();
{{DQ_MMA}}
    workgroupBarrier();
  }
  // dQ = scale 2^(DS_SHIFT - e - c - b) (dS'' K').
  let ex = DS_SHIFT - shifts[3] - shifts[2] - shifts[1];
  let e0 = row * qStride + h * HD + half * 8u;
{{DQ_WRITE}}
}

@compute @workgroup_size(128)
fn attn_dkdv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) tid: u32{{SG_ARGS}}) {
{{SG}}
  let blk = blocks[wid.x];
  let g = wid.y;
  let k0 = blk.x;
  let k1 = blk.y;
  let s1 = blk.w;
  if (k0 >= k1) { return; }
  let group = p.heads / p.kvHeads;
  let qStride = p.heads * HD;
  let kvStride = p.kvHeads * HD;
  let kr = k0 + 16u * sg;
  let sbase = sg * 16u * SS;
  let pbase = sg * 16u * PS;
  let lr = lane / 2u;
  let half = lane % 2u;
  let key = kr + lr;
  let keyOk = key < k1;
  let sc = ldexp(p.scale, -(shifts[0] + shifts[1]));
  let dsc = shifts[3] + shifts[2];
  let koff = kr * kvStride + g * HD; // also v's
{{KV_DECL}}
  for (var hh = 0u; hh < group; hh++) {
    let h = g * group + hh;
    for (var q0 = k0; q0 < s1; q0 += BB) {
{{KV_ST}}
      workgroupBarrier();
      for (var c = 0u; c < 32u; c++) {
        let qq = q0 + half * 32u + c;
        var pr = 0.0;
        if (qq >= key && qq < s1 && keyOk) { pr = exp(Ss[sbase + lr * SS + half * 32u + c] * sc - lse[qq * p.heads + h]); }
        Ps[pbase + lr * PS + half * 32u + c] = f16(pr);
      }
      workgroupBarrier();
{{KV_DV}}
{{KV_DPT}}
      workgroupBarrier();
      for (var c = 0u; c < 32u; c++) {
        let qq = q0 + half * 32u + c;
        let i = pbase + lr * PS + half * 32u + c;
        var d = 0.0;
        if (qq < s1) { d = ldexp(dterm[qq * p.heads + h], dsc); }
        Ps[i] = f16(ldexp(f32(Ps[i]) * (Ss[sbase + lr * SS + half * 32u + c] - d), -DS_SHIFT));
      }
      workgroupBarrier();
{{KV_DK}}
      workgroupBarrier();
    }
  }
  // dK = scale 2^(DS_SHIFT - e - c - a) (dS''^T Q'); dV = 2^-e (P^T dO').
  let exk = DS_SHIFT - shifts[3] - shifts[2] - shifts[0];
  let exv = -shifts[3];
  let e0 = key * kvStride + g * HD + half * 8u;
{{KV_WRITE}}
}
