// Causal GQA attention forward over packed sequences, FlashAttention-2 style: one workgroup per
// (query block of BR rows, query head); it walks the key blocks of its own sequence up to the causal
// limit with an online softmax in f32, K/V tiles in workgroup memory, and writes out (bf16) and the
// natural-log logsumexp (f32) per (token, head). Nothing of size tokens x tokens is stored.
// Threads: TPR per query row. Scores: thread (r, j) computes columns j, j+TPR, ...; the P.V
// product: thread (r, j) owns output words j, j+TPR, ... (whole bf16 pairs: no shared words).
// Tiles hold packed bf16 words; rows are padded by one word against bank conflicts.
#include "common/bf16.wgsl"

const BR: u32 = {{BR}}u;
const BC: u32 = {{BC}}u;
const TPR: u32 = {{TPR}}u;
const HD: u32 = {{HD}}u;
const W: u32 = HD / 2u;      // words per head row
const WS: u32 = W + 1u;      // padded tile row stride (words)
const SS: u32 = BC + 1u;     // padded score row stride
const NT: u32 = BR * TPR;
const CPT: u32 = BC / TPR;   // score columns per thread
const WPT: u32 = W / TPR;    // output words per thread
const NEG: f32 = -3.0e38;

struct Params { heads: u32, kvHeads: u32, scale: f32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<u32>;
@group(0) @binding(2) var<storage, read> k: array<u32>;
@group(0) @binding(3) var<storage, read> v: array<u32>;
@group(0) @binding(4) var<storage, read> blocks: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> out: array<u32>;
@group(0) @binding(6) var<storage, read_write> lse: array<f32>;

var<workgroup> qs: array<u32, BR * WS>;
var<workgroup> ks: array<u32, BC * WS>;
var<workgroup> vs: array<u32, BC * WS>;
var<workgroup> ss: array<f32, BR * SS>;

@compute @workgroup_size(NT)
fn attn_fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let blk = blocks[wid.x];
  let h = wid.y;
  let r0 = blk.x;
  let r1 = blk.y;
  let s0 = blk.z;
  if (r0 >= r1) { return; } // empty table entry: the whole workgroup leaves
  let g = h / (p.heads / p.kvHeads);
  let qStride = p.heads * W;
  let kvStride = p.kvHeads * W;
  let nRows = r1 - r0;
  let rl = lid / TPR;
  let j = lid % TPR;
  let rc = min(rl, nRows - 1u); // rows past the block duplicate its last row and write nothing
  let row = r0 + rc;

  for (var e = lid; e < BR * W; e += NT) {
    let rr = e / W;
    let w = e % W;
    var x = 0u;
    if (rr < nRows) { x = q[(r0 + rr) * qStride + h * W + w]; }
    qs[rr * WS + w] = x;
  }

  var m = NEG;
  var l = 0.0;
  var o: array<vec2<f32>, WPT>;
  for (var i = 0u; i < WPT; i++) { o[i] = vec2<f32>(0.0); }

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
    for (var i = 0u; i < CPT; i++) { sc[i] = 0.0; }
    for (var w = 0u; w < W; w++) {
      let qw = bf16_unpack(qs[rc * WS + w]);
      for (var i = 0u; i < CPT; i++) {
        sc[i] += dot(qw, bf16_unpack(ks[(j + i * TPR) * WS + w]));
      }
    }
    for (var i = 0u; i < CPT; i++) {
      let c = j + i * TPR;
      ss[rl * SS + c] = select(NEG, sc[i] * p.scale, c0 + c <= row);
    }
    workgroupBarrier();

    // Online softmax; every thread of a row computes the same m, l from the shared score row.
    let nValid = min(BC, row + 1u - c0); // c0 <= row for the first tile; may be 0 (u32 wrap guarded)
    var mx = m;
    for (var c = 0u; c < BC; c++) { mx = max(mx, ss[rl * SS + c]); }
    let alpha = exp(m - mx);
    l *= alpha;
    for (var i = 0u; i < WPT; i++) { o[i] *= alpha; }
    if (c0 <= row) {
      for (var c = 0u; c < nValid; c++) {
        let pc = exp(ss[rl * SS + c] - mx);
        l += pc;
        for (var i = 0u; i < WPT; i++) { o[i] += pc * bf16_unpack(vs[c * WS + j + i * TPR]); }
      }
    }
    m = mx;
  }

  if (rl < nRows) {
    let inv = 1.0 / l;
    let base = row * qStride + h * W;
    for (var i = 0u; i < WPT; i++) { out[base + j + i * TPR] = bf16_pack2(o[i] * inv); }
    if (j == 0u) { lse[row * p.heads + h] = m + log(l); }
  }
}
