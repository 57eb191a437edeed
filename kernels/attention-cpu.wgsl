// Causal GQA attention over packed sequences, forward and backward, shaped for a CPU adapter
// (llvmpipe / lavapipe; src/ops/attention-cpu.ts). Same semantics and tensors as
// kernels/attention-fwd.wgsl and attention-bwd-*.wgsl (src/ops/ref/attention.ts).
// On llvmpipe a workgroup of LANES invocations is one SIMD vector and every load whose address
// is not a compile-time constant is a loop over the lanes (architecture.md; src/ops/matmul-cpu.ts):
// loads, not arithmetic, set the pace. So: no workgroup memory, no barriers; each invocation owns
// whole rows of the computation with its state in registers, reads head rows as vec4 words (8 bf16
// each: HD % 8 == 0), and one workgroup serves all G query heads of a kv head, so every K/V row it
// loads feeds G x TQ rows per invocation. The rows every invocation needs (the forward's and dq's
// keys, dk/dv's queries) are walked LANES at a time: each invocation loads one of them, and all
// take each in turn by subgroupBroadcast from a constant lane (an element extract on llvmpipe);
// that unrolled part is generated in TypeScript (src/ops/attention-cpu.ts; without subgroups it
// loads every row in every invocation instead).
//   attn_fwd:  a block of LANES * TQ query rows x G heads; walks the keys of its sequence up to
//              its last row, BK at a time, with an online softmax (one rescale per BK keys).
//   attn_dq:   the same rows; rebuilds P = exp(S - lse), dS = P (dP - D), dq = scale dS K.
//   attn_dkdv: a block of LANES * TQ key rows; walks the query rows from its first key to the end
//              of its sequence, for each of the G query heads: dv += P^T dO, dk = scale dS^T Q.
// Rows past a block's end duplicate its last row and write nothing.
{{ENABLE}}
#include "common/bf16.wgsl"

const LANES = {{LANES}}u;
const TQ = {{TQ}}u;            // rows per invocation
const G = {{G}}u;              // query heads per kv head
const HD = {{HD}}u;
const H4 = HD / 4u;            // vec4<f32> per head row
const W4 = HD / 8u;            // vec4<u32> words per head row
const NP = TQ * G;             // (row, head) pairs per invocation
const BK = {{BK}}u;            // keys per step of the forward (a multiple of LANES)
const OUT_F32 = {{OUT_F32}};   // backward outputs f32 (else bf16)
const NEG = -3.0e38;

struct Params { heads: u32, kvHeads: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;

alias Row = array<vec4<f32>, H4>;

fn unpack_row(w: array<vec4<u32>, W4>) -> Row {
  var r: Row;
  for (var i = 0u; i < W4; i++) {
    let x = w[i];
    r[2u * i] = vec4<f32>(bf16_lo(x.x), bf16_hi(x.x), bf16_lo(x.y), bf16_hi(x.y));
    r[2u * i + 1u] = vec4<f32>(bf16_lo(x.z), bf16_hi(x.z), bf16_lo(x.w), bf16_hi(x.w));
  }
  return r;
}

fn dot_row(a: Row, b: Row) -> f32 {
  var acc = vec4<f32>(0.0);
  for (var i = 0u; i < H4; i++) { acc = fma(a[i], b[i], acc); }
  return acc.x + acc.y + acc.z + acc.w;
}

// ---------------------------------------------------------------- forward
@group(0) @binding(1) var<storage, read> fq: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> fk: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> fv: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read> fblocks: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> fout: array<vec4<u32>>;
@group(0) @binding(6) var<storage, read_write> flse: array<f32>;

alias Words = array<vec4<u32>, W4>;

fn fwd_words(buf_sel: u32, at: u32) -> Words {
  var w: Words;
  for (var i = 0u; i < W4; i++) {
    if (buf_sel == 0u) { w[i] = fq[at + i]; } else if (buf_sel == 1u) { w[i] = fk[at + i]; } else { w[i] = fv[at + i]; }
  }
  return w;
}
fn fwd_row(buf_sel: u32, at: u32) -> Row { return unpack_row(fwd_words(buf_sel, at)); }

@compute @workgroup_size(LANES)
fn attn_fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let blk = fblocks[wid.x];
  let r0 = blk.x;
  let r1 = blk.y;
  let s0 = blk.z;
  if (r0 >= r1) { return; }
  let g = wid.y;
  var rows: array<u32, TQ>;
  var q: array<Row, NP>;
  var o: array<Row, NP>;
  var m: array<f32, NP>;
  var l: array<f32, NP>;
  for (var t = 0u; t < TQ; t++) {
    rows[t] = min(r0 + lane + t * LANES, r1 - 1u);
    for (var hh = 0u; hh < G; hh++) {
      let pp = t * G + hh;
      let qr = fwd_row(0u, (rows[t] * p.heads + g * G + hh) * W4);
      for (var i = 0u; i < H4; i++) { q[pp][i] = qr[i] * p.scale; o[pp][i] = vec4<f32>(0.0); }
      m[pp] = NEG;
      l[pp] = 0.0;
    }
  }
  for (var c0 = s0; c0 < r1; c0 += BK) {
    var sc: array<array<f32, BK>, NP>;
{{FWD_SCORES}}
    for (var pp = 0u; pp < NP; pp++) {
      var mx = m[pp];
      for (var j = 0u; j < BK; j++) { mx = max(mx, sc[pp][j]); }
      let alpha = exp(m[pp] - mx);
      var sum = 0.0;
      for (var j = 0u; j < BK; j++) {
        let e = exp(sc[pp][j] - mx);
        sc[pp][j] = e;
        sum += e;
      }
      l[pp] = l[pp] * alpha + sum;
      m[pp] = mx;
      for (var i = 0u; i < H4; i++) { o[pp][i] *= alpha; }
    }
{{FWD_PV}}
  }
  for (var t = 0u; t < TQ; t++) {
    if (r0 + lane + t * LANES >= r1) { continue; }
    for (var hh = 0u; hh < G; hh++) {
      let pp = t * G + hh;
      let h = g * G + hh;
      let inv = 1.0 / l[pp];
      let at = (rows[t] * p.heads + h) * W4;
      for (var i = 0u; i < W4; i++) {
        let a = o[pp][2u * i] * inv;
        let b = o[pp][2u * i + 1u] * inv;
        fout[at + i] = vec4<u32>(bf16_pack(a.x, a.y), bf16_pack(a.z, a.w), bf16_pack(b.x, b.y), bf16_pack(b.z, b.w));
      }
      flse[rows[t] * p.heads + h] = m[pp] + log(l[pp]);
    }
  }
}

// ---------------------------------------------------------------- backward
@group(0) @binding(1) var<storage, read> bq: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> bk: array<vec4<u32>>;
@group(0) @binding(3) var<storage, read> bv: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read> bdo: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read> blse: array<f32>;
@group(0) @binding(6) var<storage, read> bdterm: array<f32>;
@group(0) @binding(7) var<storage, read> bblocks: array<vec4<u32>>;
@group(0) @binding(8) var<storage, read_write> bout0: array<u32>; // dq, or dk
@group(0) @binding(9) var<storage, read_write> bout1: array<u32>; // dv

fn bwd_words(buf_sel: u32, at: u32) -> Words {
  var w: Words;
  for (var i = 0u; i < W4; i++) {
    if (buf_sel == 0u) { w[i] = bq[at + i]; } else if (buf_sel == 1u) { w[i] = bk[at + i]; } else if (buf_sel == 2u) { w[i] = bv[at + i]; } else { w[i] = bdo[at + i]; }
  }
  return w;
}
fn bwd_row(buf_sel: u32, at: u32) -> Row { return unpack_row(bwd_words(buf_sel, at)); }

// A head row of results times `s` as output words: HD f32 bit patterns, or HD / 2 bf16 pairs.
fn out_words(r: Row, s: f32) -> array<u32, HD> {
  var w: array<u32, HD>;
  for (var i = 0u; i < H4; i++) {
    let x = r[i] * s;
    if (OUT_F32) {
      w[4u * i] = bitcast<u32>(x.x);
      w[4u * i + 1u] = bitcast<u32>(x.y);
      w[4u * i + 2u] = bitcast<u32>(x.z);
      w[4u * i + 3u] = bitcast<u32>(x.w);
    } else {
      w[2u * i] = bf16_pack(x.x, x.y);
      w[2u * i + 1u] = bf16_pack(x.z, x.w);
    }
  }
  return w;
}
const OUT_WORDS = select(HD / 2u, HD, OUT_F32);
// Word index of element e (a head row start) of an output.
fn out_at(e: u32) -> u32 { return select(e >> 1u, e, OUT_F32); }

@compute @workgroup_size(LANES)
fn attn_dq(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let blk = bblocks[wid.x];
  let r0 = blk.x;
  let r1 = blk.y;
  let s0 = blk.z;
  if (r0 >= r1) { return; }
  let g = wid.y;
  var rows: array<u32, TQ>;
  var q: array<Row, NP>;
  var dob: array<Row, NP>;
  var dq: array<Row, NP>;
  var lr: array<f32, NP>;
  var dr: array<f32, NP>;
  for (var t = 0u; t < TQ; t++) {
    rows[t] = min(r0 + lane + t * LANES, r1 - 1u);
    for (var hh = 0u; hh < G; hh++) {
      let pp = t * G + hh;
      let at = rows[t] * p.heads + g * G + hh;
      let qr = bwd_row(0u, at * W4);
      for (var i = 0u; i < H4; i++) { q[pp][i] = qr[i] * p.scale; dq[pp][i] = vec4<f32>(0.0); }
      dob[pp] = bwd_row(3u, at * W4);
      lr[pp] = blse[at];
      dr[pp] = bdterm[at];
    }
  }
  for (var c0 = s0; c0 < r1; c0 += LANES) {
{{DQ_KEYS}}
  }
  for (var t = 0u; t < TQ; t++) {
    if (r0 + lane + t * LANES >= r1) { continue; }
    for (var hh = 0u; hh < G; hh++) {
      let w = out_words(dq[t * G + hh], p.scale);
      let at = out_at((rows[t] * p.heads + g * G + hh) * HD);
      for (var i = 0u; i < OUT_WORDS; i++) { bout0[at + i] = w[i]; }
    }
  }
}

@compute @workgroup_size(LANES)
fn attn_dkdv(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lane: u32) {
  let blk = bblocks[wid.x];
  let c0 = blk.x;
  let c1 = blk.y;
  let s1 = blk.w;
  if (c0 >= c1) { return; }
  let g = wid.y;
  var keys: array<u32, TQ>;
  var kf: array<Row, TQ>;
  var vf: array<Row, TQ>;
  var dk: array<Row, TQ>;
  var dv: array<Row, TQ>;
  for (var t = 0u; t < TQ; t++) {
    keys[t] = min(c0 + lane + t * LANES, c1 - 1u);
    let at = (keys[t] * p.kvHeads + g) * W4;
    let kr = bwd_row(1u, at);
    for (var i = 0u; i < H4; i++) { kf[t][i] = kr[i] * p.scale; dk[t][i] = vec4<f32>(0.0); dv[t][i] = vec4<f32>(0.0); }
    vf[t] = bwd_row(2u, at);
  }
  for (var hh = 0u; hh < G; hh++) {
    let h = g * G + hh;
    for (var q0 = c0; q0 < s1; q0 += LANES) {
{{DKDV_ROWS}}
    }
  }
  for (var t = 0u; t < TQ; t++) {
    if (c0 + lane + t * LANES >= c1) { continue; }
    let at = out_at((keys[t] * p.kvHeads + g) * HD);
    let wk = out_words(dk[t], p.scale);
    let wv = out_words(dv[t], 1.0);
    for (var i = 0u; i < OUT_WORDS; i++) {
      bout0[at + i] = wk[i];
      bout1[at + i] = wv[i];
    }
  }
}
