// Next-token sampling shaped for a CPU adapter (llvmpipe / lavapipe; src/ops/sample.ts runs it where
// the device's sample variant is 'cpu'): the algorithm, bindings and outputs of kernels/sample.wgsl,
// and the same bits: every f32 sum is added in the portable kernel's order, so tokens, logprobs and
// statuses are identical (test/ops/sample-cpu.test.ts).
//
// One workgroup of LANES invocations (one SIMD vector) per row instead of 256. The portable kernel's
// sums have a fixed order: its thread t adds elements t, t + 256, t + 512, ... in turn, then a tree
// over the 256 partial sums (s = 128, 64, ..., 1). Here those 256 "virtual threads" are kept: in a
// sweep q (0..64/LANES-1) invocation l owns the 4 consecutive virtual threads 4g..4g+3 of vec4 group
// g = l + LANES q, loops over the row's 256-element blocks adding one vec4 per block (component c is
// virtual thread 4g + c: the same sequence of adds), parks the 4 sums in workgroup memory, and after
// the last sweep the invocations run the same tree. Maxima, counts and the draw's argmax are exact
// in any order, so those loops just stride over the row.
//
// Less work than the portable kernel, same results:
//   - the max pass tracks per component the largest order key, where it first occurs and the
//     smallest key (a NaN shows as a key above +inf's or below -inf's; only then the portable
//     kernel's exact pass runs, for the first NaN);
//   - the softmax sums and, when no top-k / top-p cut applies, the draw share one pass (the draw
//     needs only the max); at T = 1 the two sums are one (exp(d * 1) is exp(d));
//   - the draw computes a token's score (two logarithms) only for groups of tokens that may beat the
//     best score so far, by a bound on the noise that needs no logarithm (draw4);
//   - the top-k / top-p bisections measure three candidates per pass (two bits) and replay the
//     portable kernel's two one-bit steps on them: 25 passes instead of 50.
// llvmpipe runs a divergent branch's body for every lane under a mask, so the loops hold none:
// their variants are specialised by literal arguments, and draw4's skip is a subgroup vote.
//
// rows[5 r ..]: 1/T as f32 bits (0 = greedy), top_k (0 = all), top_p as f32 bits, seed, step.
// out[4 r ..]: token, logprob (f32 bits), model logprob (f32 bits), status:
//   0 ok; 1 NaN in the row (token = its first index); 2 largest logit not finite.

enable subgroups;
// draw4's subgroup operations run in subgroup-uniform control flow (every call site is uniform, its
// branch is a subgroupAny vote), which Tint's analysis cannot see through the vote.
diagnostic(off, subgroup_uniformity);

struct Params { V: u32, lo_bits: u32, row0: u32 }
@group(0) @binding(0) var<uniform> p: Params;
// f32, or vec4<f32> when V % 4 == 0 (each row starts on a vec4).
@group(0) @binding(1) var<storage, read> logits: array<{{L_T}}>;
@group(0) @binding(2) var<storage, read> rows: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;

#include "common/sample-keys.wgsl"

const LANES: u32 = {{LANES}}u;
// vec4 groups of a 256-element block, and sweeps (groups per invocation).
const GROUPS: u32 = 64u;
const SWEEPS: u32 = GROUPS / LANES;
const HI: u32 = 0x80000000u;

var<workgroup> red_f: array<f32, 256>;
var<workgroup> red_g: array<f32, 256>;
var<workgroup> red_h: array<f32, 256>;
var<workgroup> red_a: array<u32, LANES>;
var<workgroup> red_b: array<u32, LANES>;
var<workgroup> red_flag: u32;

// The draw's running winner (dh, dl) per component, and the best score drawn so far in the
// subgroup (every lane holds it).
var<private> dh: vec4<u32>;
var<private> dl: vec4<u32>;
var<private> thr: f32;

// Elements e .. e + 3 of the bound chunk (e % 4 == 0 in the vec4 layout).
fn ld4(e: u32) -> vec4<f32> { return {{LD4}}; }
fn ld1(e: u32) -> f32 { return {{LD1}}; }
// Elements e .. e + 3 where below `end` (others 0; the caller masks them).
fn ld4_tail(e: u32, end: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var c = 0u; c < 4u; c = c + 1u) {
    if (e + c < end) { v[c] = ld1(e + c); }
  }
  return v;
}

fn order_key4(x: vec4<f32>) -> vec4<u32> {
  let b = bitcast<vec4<u32>>(x);
  return select(b | vec4<u32>(HI), ~b, (b & vec4<u32>(HI)) != vec4<u32>(0u));
}

fn comp_ge4(h: vec4<u32>, l: vec4<u32>, ch: vec4<u32>, cl: vec4<u32>) -> vec4<bool> {
  return (h > ch) | ((h == ch) & (l >= cl));
}

fn mix4(v: vec4<u32>) -> vec4<u32> {
  var x = v;
  x = x ^ (x >> vec4<u32>(16u));
  x = x * 0x7feb352du;
  x = x ^ (x >> vec4<u32>(15u));
  x = x * 0x846ca68bu;
  return x ^ (x >> vec4<u32>(16u));
}

// kernels/sample.wgsl's gumbel() per component (both branches computed, the same one kept).
fn gumbel4(h: vec4<u32>) -> vec4<f32> {
  let u = (vec4<f32>(h >> vec4<u32>(9u)) + 0.5) * (1.0 / 8388608.0);
  let d = 1.0 - u;
  let s = d * (1.0 + d * (1.0 / 2.0 + d * (1.0 / 3.0 + d * (1.0 / 4.0 + d * (1.0 / 5.0 + d * (1.0 / 6.0 + d * (1.0 / 7.0)))))));
  let e = select(-log(u), s, d < vec4<f32>(0.0625));
  return -log(e);
}

// An upper bound of gumbel4(h) as computed, without a logarithm: -log(-log u) <= -log(d) for
// d = 1 - u (as -log u >= d, and the f32 -log u is too: both branches round up from d), and
// log2(d) >= the exponent of d plus its mantissa - 1 (the chord under log2 on [1, 2)), i.e.
// f32(bits(d)) / 2^23 - 127; 1e-3 covers the f32 logarithms' errors (~1e-5) and this rounding.
fn gumbel_ub4(h: vec4<u32>) -> vec4<f32> {
  let u = (vec4<f32>(h >> vec4<u32>(9u)) + 0.5) * (1.0 / 8388608.0);
  let d = 1.0 - u;
  let l2 = vec4<f32>(bitcast<vec4<u32>>(d)) * (1.0 / 8388608.0) - 127.0;
  return l2 * -0.6931472 + 1e-3;
}

// Token indices i .. i + 3 and their rank-key low halves V - 1 - i.
fn idx4(i: u32) -> vec4<u32> { return vec4<u32>(i, i + 1u, i + 2u, i + 3u); }

// One draw candidate group: the portable kernel's score per token, kept where `keep`. The score
// (two logarithms) is computed only when some lane's group may beat the best score drawn so far
// (subgroupAny makes that a real branch): a bound of its noise says when it cannot, so the
// winner is the same (ties go on to the index comparison: only a strictly lower bound skips;
// |a| 1e-6 covers a compiler that fuses the score's multiply-add, leaving the product unrounded).
fn draw4(x: vec4<f32>, i: u32, keep: vec4<bool>, m: f32, inv_t: f32, key: u32) {
  let ii = idx4(i);
  let hh = mix4(vec4<u32>(key) ^ mix4(ii));
  let a = (x - m) * inv_t;
  let need = keep & (a + gumbel_ub4(hh) + abs(a) * 1e-6 >= vec4<f32>(thr));
  if (subgroupAny(any(need))) {
    let s = (x - m) * inv_t + gumbel4(hh);
    let l = vec4<u32>(p.V - 1u) - ii;
    let take = keep & comp_ge4(order_key4(s), l, dh, dl);
    dh = select(dh, order_key4(s), take);
    dl = select(dl, l, take);
    let ks = select(vec4<f32>(-3.0e38), s, keep);
    thr = max(thr, subgroupMax(max(max(ks.x, ks.y), max(ks.z, ks.w))));
  }
}

// The draw's winner over the workgroup (lexicographic max of (dh, dl)).
fn draw_result(lid: u32) -> vec2<u32> {
  var h = dh.x;
  var l = dl.x;
  for (var c = 1u; c < 4u; c = c + 1u) {
    if (comp_ge(dh[c], dl[c], h, l)) { h = dh[c]; l = dl[c]; }
  }
  return max_comp_lanes(lid, h, l);
}

// The portable kernel's tree over the 256 partial sums in red_f (and red_g, red_h: n arrays).
fn tree(lid: u32, n: u32) {
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    for (var k = lid; k < s; k = k + LANES) {
      red_f[k] = red_f[k] + red_f[k + s];
      if (n > 1u) { red_g[k] = red_g[k] + red_g[k + s]; }
      if (n > 2u) { red_h[k] = red_h[k] + red_h[k + s]; }
    }
    workgroupBarrier();
  }
}

// Virtual threads 4g .. 4g + 3's sums into the first n arrays.
fn park(g: u32, a: vec4<f32>, b: vec4<f32>, c: vec4<f32>, n: u32) {
  let v = 4u * g;
  red_f[v] = a.x;
  red_f[v + 1u] = a.y;
  red_f[v + 2u] = a.z;
  red_f[v + 3u] = a.w;
  if (n > 1u) {
    red_g[v] = b.x;
    red_g[v + 1u] = b.y;
    red_g[v + 2u] = b.z;
    red_g[v + 3u] = b.w;
  }
  if (n > 2u) {
    red_h[v] = c.x;
    red_h[v + 1u] = c.y;
    red_h[v + 2u] = c.z;
    red_h[v + 3u] = c.w;
  }
}

// The softmax sums in the portable order: sum exp(x - m) into red_f[0], and when `two` sum
// exp((x - m) inv_t) into red_g[0]; with `draw`, the Gumbel-max draw over every token as well.
fn sums(lid: u32, base: u32, m: f32, inv_t: f32, key: u32, two: bool, draw: bool) {
  let V = p.V;
  let nfull = V / 256u;
  for (var q = 0u; q < SWEEPS; q = q + 1u) {
    let g = lid + LANES * q;
    var s1 = vec4<f32>(0.0);
    var st = vec4<f32>(0.0);
    for (var j = 0u; j < nfull; j = j + 1u) {
      let i = 256u * j + 4u * g;
      let x = ld4(base + i);
      let d = x - m;
      s1 = s1 + exp(d);
      if (two) { st = st + exp(d * inv_t); }
      if (draw) { draw4(x, i, vec4<bool>(true), m, inv_t, key); }
    }
    // The ragged last block (a lane's group past V is masked; every lane runs it, for draw4's vote).
    let i = 256u * nfull + 4u * g;
    let x = ld4_tail(base + i, base + V);
    let ok = idx4(i) < vec4<u32>(V);
    let d = x - m;
    s1 = select(s1, s1 + exp(d), ok);
    if (two) { st = select(st, st + exp(d * inv_t), ok); }
    if (draw) { draw4(x, i, ok, m, inv_t, key); }
    park(g, s1, st, st, select(1u, 2u, two));
  }
  tree(lid, select(1u, 2u, two));
}

// Rank test: token composites (h, l) >= c; with `keyonly` (a literal) on the key alone, right while
// the bisection is in the key bits (c's index half is 0 there, so comp_ge is h >= c.x). Only the
// counting passes take that specialisation (compares are most of their work; each specialised
// copy of a loop costs seconds of llvmpipe compile).
fn ge4k(h: vec4<u32>, l: vec4<u32>, c: vec2<u32>, keyonly: bool) -> vec4<bool> {
  if (keyonly) { return h >= vec4<u32>(c.x); }
  return comp_ge4(h, l, vec4<u32>(c.x), vec4<u32>(c.y));
}

fn ge4(h: vec4<u32>, l: vec4<u32>, c: vec2<u32>) -> vec4<bool> { return ge4k(h, l, c, false); }

// sum exp((x - m) inv_t) over the tokens ranked at or above c1, c2 and c3 (n of them), each in the
// portable order (the same exp per token, a sum per candidate).
fn weigh3(lid: u32, base: u32, m: f32, inv_t: f32, c1: vec2<u32>, c2: vec2<u32>, c3: vec2<u32>, n: u32) -> vec3<f32> {
  let V = p.V;
  let nfull = V / 256u;
  for (var q = 0u; q < SWEEPS; q = q + 1u) {
    let g = lid + LANES * q;
    var w1 = vec4<f32>(0.0);
    var w2 = vec4<f32>(0.0);
    var w3 = vec4<f32>(0.0);
    for (var j = 0u; j < nfull; j = j + 1u) {
      let i = 256u * j + 4u * g;
      let x = ld4(base + i);
      let h = order_key4(x);
      let l = vec4<u32>(V - 1u) - idx4(i);
      let e = exp((x - m) * inv_t);
      w1 = select(w1, w1 + e, ge4(h, l, c1));
      if (n > 1u) { w2 = select(w2, w2 + e, ge4(h, l, c2)); }
      if (n > 2u) { w3 = select(w3, w3 + e, ge4(h, l, c3)); }
    }
    let i = 256u * nfull + 4u * g;
    let x = ld4_tail(base + i, base + V);
    let ok = idx4(i) < vec4<u32>(V);
    let h = order_key4(x);
    let l = vec4<u32>(V - 1u) - idx4(i);
    let e = exp((x - m) * inv_t);
    w1 = select(w1, w1 + e, ok & ge4(h, l, c1));
    if (n > 1u) { w2 = select(w2, w2 + e, ok & ge4(h, l, c2)); }
    if (n > 2u) { w3 = select(w3, w3 + e, ok & ge4(h, l, c3)); }
    park(g, w1, w2, w3, n);
  }
  tree(lid, n);
  let r = vec3<f32>(red_f[0], red_g[0], red_h[0]);
  workgroupBarrier();
  return r;
}

// How many tokens rank at or above c1, c2 and c3 (exact in any order).
fn count3(lid: u32, base: u32, c1: vec2<u32>, c2: vec2<u32>, c3: vec2<u32>, keyonly: bool) -> vec3<u32> {
  let V = p.V;
  let n4 = V / 4u;
  var n1 = vec4<u32>(0u);
  var n2 = vec4<u32>(0u);
  var n3 = vec4<u32>(0u);
  for (var k = lid; k < n4; k = k + LANES) {
    let h = order_key4(ld4(base + 4u * k));
    let l = vec4<u32>(V - 1u) - idx4(4u * k);
    n1 = n1 + select(vec4<u32>(0u), vec4<u32>(1u), ge4k(h, l, c1, keyonly));
    n2 = n2 + select(vec4<u32>(0u), vec4<u32>(1u), ge4k(h, l, c2, keyonly));
    n3 = n3 + select(vec4<u32>(0u), vec4<u32>(1u), ge4k(h, l, c3, keyonly));
  }
  var t = vec3<u32>(n1.x + n1.y + n1.z + n1.w, n2.x + n2.y + n2.z + n2.w, n3.x + n3.y + n3.z + n3.w);
  if (lid == 0u) {
    for (var i = 4u * n4; i < V; i = i + 1u) {
      let h = order_key(ld1(base + i));
      let l = V - 1u - i;
      t = t + vec3<u32>(u32(comp_ge(h, l, c1.x, c1.y)), u32(comp_ge(h, l, c2.x, c2.y)), u32(comp_ge(h, l, c3.x, c3.y)));
    }
  }
  red_a[lid] = t.x;
  red_b[lid] = t.y;
  workgroupBarrier();
  var r = vec3<u32>(0u);
  for (var k = 0u; k < LANES; k = k + 1u) { r = r + vec3<u32>(red_a[k], red_b[k], 0u); }
  workgroupBarrier();
  red_a[lid] = t.z;
  workgroupBarrier();
  for (var k = 0u; k < LANES; k = k + 1u) { r.z = r.z + red_a[k]; }
  workgroupBarrier();
  return r;
}

// The draw over the tokens ranked at or above c.
fn draw_kept(lid: u32, base: u32, m: f32, inv_t: f32, key: u32, c: vec2<u32>) {
  let V = p.V;
  let n4 = V / 4u;
  let ch = vec4<u32>(c.x);
  let cl = vec4<u32>(c.y);
  // Uniform trip count (draw4's vote): the last round's lanes past n4 reread group n4 - 1, unkept.
  for (var k0 = 0u; k0 < n4; k0 = k0 + LANES) {
    let k = min(k0 + lid, n4 - 1u);
    let x = ld4(base + 4u * k);
    let keep = vec4<bool>(k0 + lid < n4) & comp_ge4(order_key4(x), vec4<u32>(V - 1u) - idx4(4u * k), ch, cl);
    draw4(x, 4u * k, keep, m, inv_t, key);
  }
  // The < 4 last tokens: lane 0's (every lane runs it, for draw4).
  let i = 4u * n4;
  let x = ld4_tail(base + i, base + V);
  let keep = vec4<bool>(lid == 0u) & (idx4(i) < vec4<u32>(V)) & comp_ge4(order_key4(x), vec4<u32>(V - 1u) - idx4(i), ch, cl);
  draw4(x, i, keep, m, inv_t, key);
}

// The workgroup's largest composite (h, l) and smallest u32 over its LANES invocations: every
// invocation calls them (barriers) and gets the result. Max and min do not depend on the order.
fn max_comp_lanes(lid: u32, h: u32, l: u32) -> vec2<u32> {
  red_a[lid] = h;
  red_b[lid] = l;
  workgroupBarrier();
  var th = red_a[0];
  var tl = red_b[0];
  for (var k = 1u; k < LANES; k = k + 1u) {
    if (comp_ge(red_a[k], red_b[k], th, tl)) { th = red_a[k]; tl = red_b[k]; }
  }
  workgroupBarrier();
  return vec2<u32>(th, tl);
}

fn min_lanes(lid: u32, v: u32) -> u32 {
  red_a[lid] = v;
  workgroupBarrier();
  var m = red_a[0];
  for (var k = 1u; k < LANES; k = k + 1u) { m = min(m, red_a[k]); }
  workgroupBarrier();
  return m;
}

@compute @workgroup_size(LANES)
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

  // Pass 1: the top composite (max logit, lowest index): per component the largest order key and
  // where it first occurs (a later equal key has a higher index), and the smallest key. A NaN has a
  // key above +inf's or below -inf's: then the exact pass below finds the first one (rare: the row
  // fails), with the portable kernel's top composite.
  let n4 = V / 4u;
  var bh = vec4<u32>(0u);
  var bi = vec4<u32>(0u);
  var lo = vec4<u32>(0xffffffffu);
  for (var k = lid; k < n4; k = k + LANES) {
    let h = order_key4(ld4(base + 4u * k));
    let take = h > bh;
    bh = select(bh, h, take);
    bi = select(bi, vec4<u32>(4u * k), take);
    lo = min(lo, h);
  }
  if (lid == 0u) {
    // The < 4 last tokens, in component x (their indices follow all of its others).
    for (var i = 4u * n4; i < V; i = i + 1u) {
      let h = order_key(ld1(base + i));
      if (h > bh.x) { bh.x = h; bi.x = i; }
      lo.x = min(lo.x, h);
    }
  }
  var th = 0u;
  var tl = 0u;
  var nan_first = 0xffffffffu;
  for (var c = 0u; c < 4u; c = c + 1u) {
    let l = V - 1u - (bi[c] + select(c, 0u, lid == 0u && c == 0u));
    if (comp_ge(bh[c], l, th, tl)) { th = bh[c]; tl = l; }
  }
  let top = max_comp_lanes(lid, th, tl);
  th = top.x;
  tl = top.y;
  let kmin = min_lanes(lid, min(min(lo.x, lo.y), min(lo.z, lo.w)));
  if (lid == 0u) { red_flag = u32(th > 0xff800000u || kmin < 0x007fffffu); }
  if (workgroupUniformLoad(&red_flag) != 0u) {
    // A NaN: kernels/sample.wgsl's pass 1, exactly (the first NaN, and the top composite with NaN keys).
    var nh = 0u;
    var nl = 0u;
    var nan_at = 0xffffffffu;
    for (var i = lid; i < V; i = i + LANES) {
      let x = ld1(base + i);
      if (is_nan(x)) { nan_at = min(nan_at, i); }
      if (comp_ge(order_key(x), V - 1u - i, nh, nl)) { nh = order_key(x); nl = V - 1u - i; }
    }
    let top_nan = max_comp_lanes(lid, nh, nl);
    th = top_nan.x;
    tl = top_nan.y;
    nan_first = min_lanes(lid, nan_at);
  }
  let m = key_value(th);
  let finite = (bitcast<u32>(m) & 0x7f800000u) != 0x7f800000u;

  // Pass 2: the softmax normalisers at temperature 1 and T (relative to the max), and the draw
  // when it ranges over every token.
  let cut = (top_k > 0u && top_k < V) || top_p < 1.0;
  dh = vec4<u32>(0u);
  dl = vec4<u32>(0u);
  thr = -3.0e38;
  var sum1: f32;
  var sum_t: f32;
  if (inv_t == 0.0) {
    sums(lid, base, m, inv_t, key, false, false);
    sum1 = red_f[0];
    sum_t = sum1; // unused
  } else if (inv_t == 1.0) {
    sums(lid, base, m, inv_t, key, false, true);
    sum1 = red_f[0];
    sum_t = sum1;
  } else {
    sums(lid, base, m, inv_t, key, true, true);
    sum1 = red_f[0];
    sum_t = red_g[0];
  }
  workgroupBarrier();

  var token = V - 1u - tl;
  var lp = 0.0;
  if (inv_t > 0.0) {
    var mass = sum_t;
    if (cut) {
      // The bisections take two bits per pass: the candidates c10 (bit b set), c01 (bit b + 1) and
      // c11 (both) are measured together, then the portable kernel's two one-bit steps are replayed
      // on them (only the first where bit b + 1 is past the last: c01 and c11 are then unused).
      // One call site per specialisation: llvmpipe compiles every inlined copy of these loops.
      // Top-k: the largest composite c with count(>= c) >= k.
      var ck = vec2<u32>(0u, 0u);
      var base_w = sum_t;
      if (top_k > 0u && top_k < V) {
        for (var b = 0u; b < nbits; b = b + 2u) {
          let two = b + 1u < nbits;
          let c10 = with_bit(ck, b);
          let c01 = select(c10, with_bit(ck, b + 1u), two);
          let c11 = select(c10, with_bit(c10, b + 1u), two);
          var n: vec3<u32>;
          if (b + 1u < 32u) { n = count3(lid, base, c10, c01, c11, true); } else { n = count3(lid, base, c10, c01, c11, false); }
          if (n.x >= top_k) {
            ck = c10;
            if (two && n.z >= top_k) { ck = c11; }
          } else if (two && n.y >= top_k) {
            ck = c01;
          }
        }
        base_w = weigh3(lid, base, m, inv_t, ck, ck, ck, 1u).x;
      }
      // Top-p: the largest composite c with weight(>= c) >= top_p * base_w.
      var cp = ck;
      mass = base_w;
      if (top_p < 1.0) {
        let goal = top_p * base_w;
        cp = vec2<u32>(0u, 0u);
        mass = sum_t;
        for (var b = 0u; b < nbits; b = b + 2u) {
          let two = b + 1u < nbits;
          let c10 = with_bit(cp, b);
          let c01 = select(c10, with_bit(cp, b + 1u), two);
          let c11 = select(c10, with_bit(c10, b + 1u), two);
          let w = weigh3(lid, base, m, inv_t, c10, c01, c11, 3u);
          if (w.x >= goal) {
            cp = c10;
            mass = w.x;
            if (two && w.z >= goal) { cp = c11; mass = w.z; }
          } else if (two && w.y >= goal) {
            cp = c01;
            mass = w.y;
          }
        }
      }
      dh = vec4<u32>(0u);
      dl = vec4<u32>(0u);
      thr = -3.0e38;
      draw_kept(lid, base, m, inv_t, key, cp);
    }
    let win = draw_result(lid);
    token = V - 1u - win.y;
    lp = (ld1(base + token) - m) * inv_t - log(mass);
  }
  if (lid == 0u) {
    var status = 0u;
    if (!finite) { status = 2u; }
    if (nan_first != 0xffffffffu) { status = 1u; token = nan_first; }
    out[4u * row] = token;
    out[4u * row + 1u] = bitcast<u32>(lp);
    out[4u * row + 2u] = bitcast<u32>(ld1(base + token) - m - log(sum1));
    out[4u * row + 3u] = status;
  }
}

// Test probe of the draw's skip rule: for every uniform (v = h >> 9 in 0 .. 2^23 - 1) the bound
// gumbel_ub4 minus the noise gumbel4 as computed here; invocation k writes the smallest over
// v = 1024 k .. 1024 k + 1023 (must be >= 0, test/ops/sample-cpu.test.ts).
@group(0) @binding(1) var<storage, read_write> margin_out: array<f32>;

@compute @workgroup_size(64)
fn bound_margin(@builtin(global_invocation_id) gid: vec3<u32>) {
  var lo = 3.0e38;
  for (var v = 1024u * gid.x; v < 1024u * gid.x + 1024u; v = v + 4u) {
    let h = (vec4<u32>(v, v + 1u, v + 2u, v + 3u) << vec4<u32>(9u)) | vec4<u32>(p.V & 511u);
    let d = gumbel_ub4(h) - gumbel4(h);
    lo = min(lo, min(min(d.x, d.y), min(d.z, d.w)));
  }
  margin_out[gid.x] = lo;
}
