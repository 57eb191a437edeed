// Next-token sampling on the GPU: one workgroup per row of f32 logits [B, V], so only 16 bytes per
// sequence come back to the host instead of V floats. The algorithm, token for token, is
// src/ops/ref/sample.ts; in short:
//   - tokens are ranked by a composite key (order_key(logit), V - 1 - index): all distinct, larger
//     logit first, lower index first on ties;
//   - top-k: the k-th largest composite, found by bisection on its bits (one counting pass per
//     bit: 32 key bits + enough index bits); top-p: the largest composite whose "weight of all
//     tokens at or above it" still reaches topP times the top-k set's weight, by the same
//     bisection on weights (sums over nested sets are monotone in f32 too, so bisection is sound);
//   - the draw: argmax over kept tokens of (logit - max) / T + Gumbel noise from a counter-based
//     hash of (seed, step, token).
// All branches that hold barriers depend only on per-row parameters (uniform in the workgroup);
// reduction results steer values through select(), never control flow.
//
// rows[5 r ..]: 1/T as f32 bits (0 = greedy), top_k (0 = all), top_p as f32 bits, seed, step.
// out[4 r ..]: token, logprob (f32 bits), model logprob (f32 bits), status:
//   0 ok; 1 NaN in the row (token = its first index); 2 largest logit not finite.

// logits is bound per chunk of rows (the binding cap); row0 is the chunk's first row.
struct Params { V: u32, lo_bits: u32, row0: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

#include "common/sample-keys.wgsl"

const WG: u32 = 256u;
var<workgroup> red_a: array<u32, 256>;
var<workgroup> red_b: array<u32, 256>;
var<workgroup> red_f: array<f32, 256>;

// -log(-log u) for u = (h >> 9 + 0.5) / 2^23. -log u is a series in d = 1 - u (exact in f32)
// when d < 1/16: WGSL's log is only good to ~2^-21 absolute near 1, which would swamp the small
// values the winners' noise comes from.
fn gumbel(h: u32) -> f32 {
  let u = (f32(h >> 9u) + 0.5) * (1.0 / 8388608.0);
  let d = 1.0 - u;
  var e: f32;
  if (d < 0.0625) {
    e = d * (1.0 + d * (1.0 / 2.0 + d * (1.0 / 3.0 + d * (1.0 / 4.0 + d * (1.0 / 5.0 + d * (1.0 / 6.0 + d * (1.0 / 7.0)))))));
  } else {
    e = -log(u);
  }
  return -log(e);
}

fn sum_f(lid: u32, v: f32) -> f32 {
  red_f[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { red_f[lid] = red_f[lid] + red_f[lid + s]; }
    workgroupBarrier();
  }
  let r = red_f[0];
  workgroupBarrier();
  return r;
}

fn sum_u(lid: u32, v: u32) -> u32 {
  red_a[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { red_a[lid] = red_a[lid] + red_a[lid + s]; }
    workgroupBarrier();
  }
  let r = red_a[0];
  workgroupBarrier();
  return r;
}

fn min_u(lid: u32, v: u32) -> u32 {
  red_a[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) { red_a[lid] = min(red_a[lid], red_a[lid + s]); }
    workgroupBarrier();
  }
  let r = red_a[0];
  workgroupBarrier();
  return r;
}

// Lexicographic max of (h, l) pairs.
fn max_comp(lid: u32, h: u32, l: u32) -> vec2<u32> {
  red_a[lid] = h;
  red_b[lid] = l;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s = s >> 1u) {
    if (lid < s) {
      let h2 = red_a[lid + s];
      let l2 = red_b[lid + s];
      if (comp_ge(h2, l2, red_a[lid], red_b[lid])) {
        red_a[lid] = h2;
        red_b[lid] = l2;
      }
    }
    workgroupBarrier();
  }
  let r = vec2<u32>(red_a[0], red_b[0]);
  workgroupBarrier();
  return r;
}

@compute @workgroup_size(256)
fn sample(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let row = p.row0 + wid.x;
  let V = p.V;
  let base = wid.x * V;
  let rp = row_params(row);
  let inv_t = rp.inv_t;
  let top_k = rp.top_k;
  let top_p = rp.top_p;
  let key = rp.key;
  let nbits = 32u + p.lo_bits;

  // Pass 1: the top composite (max logit, lowest index) and the first NaN.
  var bh = 0u;
  var bl = 0u;
  var nan_at = 0xffffffffu;
  for (var i = lid; i < V; i = i + WG) {
    let x = logits[base + i];
    if (is_nan(x)) { nan_at = min(nan_at, i); }
    let h = order_key(x);
    if (comp_ge(h, V - 1u - i, bh, bl)) { bh = h; bl = V - 1u - i; }
  }
  let nan_first = min_u(lid, nan_at);
  let top = max_comp(lid, bh, bl);
  let m = key_value(top.x);
  let finite = (bitcast<u32>(m) & 0x7f800000u) != 0x7f800000u;

  // Pass 2: softmax normalisers at temperature 1 and T (relative to the max).
  var s1 = 0.0;
  var st = 0.0;
  for (var i = lid; i < V; i = i + WG) {
    let d = logits[base + i] - m;
    s1 = s1 + exp(d);
    st = st + exp(d * inv_t);
  }
  let sum1 = sum_f(lid, s1);
  let sum_t = sum_f(lid, st);

  var token = V - 1u - top.y;
  var lp = 0.0;
  if (inv_t > 0.0) {
    // Top-k: the largest composite c with count(>= c) >= k.
    var ck = vec2<u32>(0u, 0u);
    var base_w = sum_t;
    if (top_k > 0u && top_k < V) {
      for (var b = 0u; b < nbits; b = b + 1u) {
        let c = with_bit(ck, b);
        var n = 0u;
        for (var i = lid; i < V; i = i + WG) {
          if (comp_ge(order_key(logits[base + i]), V - 1u - i, c.x, c.y)) { n = n + 1u; }
        }
        ck = select(ck, c, sum_u(lid, n) >= top_k);
      }
      var w = 0.0;
      for (var i = lid; i < V; i = i + WG) {
        let x = logits[base + i];
        if (comp_ge(order_key(x), V - 1u - i, ck.x, ck.y)) { w = w + exp((x - m) * inv_t); }
      }
      base_w = sum_f(lid, w);
    }
    // Top-p: the largest composite c with weight(>= c) >= top_p * base_w (>= ck, see the header).
    var cp = ck;
    var mass = base_w;
    if (top_p < 1.0) {
      let goal = top_p * base_w;
      cp = vec2<u32>(0u, 0u);
      mass = sum_t;
      for (var b = 0u; b < nbits; b = b + 1u) {
        let c = with_bit(cp, b);
        var w = 0.0;
        for (var i = lid; i < V; i = i + WG) {
          let x = logits[base + i];
          if (comp_ge(order_key(x), V - 1u - i, c.x, c.y)) { w = w + exp((x - m) * inv_t); }
        }
        let tot = sum_f(lid, w);
        let ok = tot >= goal;
        cp = select(cp, c, ok);
        mass = select(mass, tot, ok);
      }
    }
    // The draw: Gumbel-max over the kept tokens.
    var dh = 0u;
    var dl = 0u;
    for (var i = lid; i < V; i = i + WG) {
      let x = logits[base + i];
      let l = V - 1u - i;
      if (comp_ge(order_key(x), l, cp.x, cp.y)) {
        let h = order_key((x - m) * inv_t + gumbel(mix32(key ^ mix32(i))));
        if (comp_ge(h, l, dh, dl)) { dh = h; dl = l; }
      }
    }
    let win = max_comp(lid, dh, dl);
    token = V - 1u - win.y;
    lp = (logits[base + token] - m) * inv_t - log(mass);
  }
  if (lid == 0u) {
    var status = 0u;
    if (!finite) { status = 2u; }
    if (nan_first != 0xffffffffu) { status = 1u; token = nan_first; }
    out[4u * row] = token;
    out[4u * row + 1u] = bitcast<u32>(lp);
    out[4u * row + 2u] = bitcast<u32>(logits[base + token] - m - log(sum1));
    out[4u * row + 3u] = status;
  }
}

// The draw's noise of row p.row0 for tokens 0..V-1 (test probe of gumbel() against float64).
@group(0) @binding(1) var<storage, read_write> noise_out: array<f32>;

@compute @workgroup_size(256)
fn noise(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.V) { return; }
  let key = row_params(p.row0).key;
  noise_out[i] = gumbel(mix32(key ^ mix32(i)));
}
