// RMSNorm over rows of [rows, dim], HF Qwen3 semantics: n = x * rsqrt(mean(x^2) + eps) in f32,
// rounded to the input dtype (bf16 when X_BF), then y = w * n.
// A workgroup of 256 threads holds SEGS = 256 / S segments; a segment of S threads owns one row at a
// time, each thread PPT units of it (units of 8 elements with vec4 accesses when VEC, else element
// pairs: common/units.wgsl), kept in registers so that x and dy are read once.
// Row sums: with subgroups (SG mode), a segment is a group of lanes of one subgroup summed by a
// butterfly of subgroupShuffleXor (SHUF: S <= the subgroup size), or whole subgroups combined with
// subgroupAdd and workgroup memory (S >= the subgroup size). Segments are laid out over a virtual
// thread index slot * subgroup_size + lane, with the slot taken from a workgroup counter, so no
// assumption is made on how local_invocation_index maps to subgroups. Without subgroups, a
// workgroup-memory tree over local_invocation_index.
// Lines starting {{SG}} exist in SG mode only, lines starting {{WG}} in the fallback only (the
// placeholders become '' or '//'): subgroup builtins must not appear without `enable subgroups`.
// Backward: dx per row; dw via one partial row per workgroup (its segments summed in a fixed order
// through workgroup memory) that rmsnorm-dw.wgsl adds into dw in a fixed order: deterministic.
// (lavapipe compiles each barrier inside a loop into much slower shader builds: keep them few.)
{{SG_ENABLE}}
#include "common/bf16.wgsl"
#include "common/units.wgsl"

const VEC = {{VEC}};
const S = {{S}}u;
const SEGS = 256u / S;
const PPT = {{PPT}}u;     // units per thread per row: ceil(units per row / S)
const SHUF = {{SHUF}};    // SG mode: segments inside one subgroup
const DWN = {{DWN}}u;     // vec4 slots parking the dw sums of all threads (2 * 256 * PPT, or 1)

struct Params { rows: u32, dim: u32, eps: f32, rps: u32, segs: u32 } // segs = SEGS, as a runtime loop bound
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<{{X_A}}>;
@group(0) @binding(2) var<storage, read> w: array<{{W_A}}>;
@group(0) @binding(3) var<storage, read_write> rstd_out: array<f32>;  // fwd
@group(0) @binding(4) var<storage, read_write> y: array<{{X_A}}>;     // fwd
@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;         // bwd
@group(0) @binding(4) var<storage, read> dy: array<{{X_A}}>;          // bwd
@group(0) @binding(5) var<storage, read_write> dx: array<{{X_A}}>;    // bwd
@group(0) @binding(6) var<storage, read_write> part: array<{{P_A}}>;  // bwd: [nPart, dim] f32

var<workgroup> red: array<f32, 256>;
var<workgroup> slots: atomic<u32>;
var<workgroup> dwbuf: array<vec4<f32>, DWN>;

// v: the virtual thread index that segments are laid out over.
struct Lane { v: u32, sid: u32, sgs: u32, slot: u32 }

#include "common/rmsnorm-io.wgsl"

fn st_y(e: u32, lim: u32, v: V8) {
  let i = unit_ix({{X_BF}}, e);
  let q = unit_encode({{X_BF}}, v);
  y[i] = bitcast<{{X_A}}>(q.a{{X_W}});
  if (unit_has_b({{X_BF}}, e, lim)) { y[i + 1u] = bitcast<{{X_A}}>(q.b{{X_W}}); }
}

{{SG}} fn lane_of(sid: u32, sgs: u32) -> Lane {
{{SG}}   var slot = 0u;
{{SG}}   if (sid == 0u) { slot = atomicAdd(&slots, 1u); }
{{SG}}   slot = subgroupBroadcast(slot, 0u);
{{SG}}   return Lane(slot * sgs + sid, sid, sgs, slot);
{{SG}} }

// Sum of v over this thread's segment; every thread of the workgroup must call it (barriers).
fn seg_sum(ln: Lane, v: f32) -> f32 {
{{SG}}   if (SHUF) {
{{SG}}     var s = v;
{{SG}}     for (var m = 1u; m < S; m <<= 1u) { s += subgroupShuffleXor(s, m); }
{{SG}}     return s;
{{SG}}   }
{{SG}}   let t = subgroupAdd(v);
{{SG}}   if (ln.sid == 0u) { red[ln.slot] = t; }
{{SG}}   workgroupBarrier();
{{SG}}   let per = S / ln.sgs;
{{SG}}   let first = (ln.v / S) * per;
{{SG}}   var s = 0.0;
{{SG}}   for (var k = 0u; k < per; k++) { s += red[first + k]; }
{{SG}}   workgroupBarrier();
{{SG}}   return s;
{{WG}}   red[ln.v] = v;
{{WG}}   workgroupBarrier();
{{WG}}   for (var s = S / 2u; s > 0u; s >>= 1u) {
{{WG}}     if ((ln.v % S) < s) { red[ln.v] += red[ln.v + s]; }
{{WG}}     workgroupBarrier();
{{WG}}   }
{{WG}}   let r = red[ln.v - ln.v % S];
{{WG}}   workgroupBarrier();
{{WG}}   return r;
}

@compute @workgroup_size(256)
fn fwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32 {{SG_ARGS}}) {
{{SG}}  let ln = lane_of(sid, sgs);
{{WG}}  let ln = Lane(lid, 0u, 0u, 0u);
  let l = ln.v % S;
  let row = (wid.x + wid.y * nwg.x) * SEGS + ln.v / S;
  let live = row < p.rows;
  let base = row * p.dim;
  let lim = base + p.dim;
  var xs: array<V8, PPT>;
  var ss = 0.0;
  for (var q = 0u; q < PPT; q++) {
    let c = unit_len() * (l + q * S);
    if (live && c < p.dim) { xs[q] = ld_x(base + c, lim); ss += v8_dot(xs[q], xs[q]); }
  }
  let r = inverseSqrt(seg_sum(ln, ss) / f32(p.dim) + p.eps);
  if (!live) { return; }
  if (l == 0u) { rstd_out[row] = r; }
  for (var q = 0u; q < PPT; q++) {
    let c = unit_len() * (l + q * S);
    if (c < p.dim) { st_y(base + c, lim, v8_mul(ld_w(c), unit_round({{X_BF}}, v8_scale(xs[q], r)))); }
  }
}

// Workgroup g owns rows [g * rps * SEGS, +rps * SEGS): pass k gives segment j row (g*rps + k)*SEGS + j.
// dx = s dy w - s^3 x (sum dy w x) / dim; the workgroup's dw partial row = sum over its rows of dy x s.
@compute @workgroup_size(256)
fn bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lid: u32 {{SG_ARGS}}) {
{{SG}}  let ln = lane_of(sid, sgs);
{{WG}}  let ln = Lane(lid, 0u, 0u, 0u);
  let l = ln.v % S;
  let seg = ln.v / S;
  let g = wid.x + wid.y * nwg.x;
  var ws: array<V8, PPT>;
  var acc: array<V8, PPT>;
  for (var q = 0u; q < PPT; q++) {
    let c = unit_len() * (l + q * S);
    if (c < p.dim) { ws[q] = ld_w(c); }
  }
  for (var k = 0u; k < p.rps; k++) {
    let row = (g * p.rps + k) * SEGS + seg;
    let live = row < p.rows;
    let base = row * p.dim;
    let lim = base + p.dim;
    var xs: array<V8, PPT>;
    var ds: array<V8, PPT>;
    var gx = 0.0;
    for (var q = 0u; q < PPT; q++) {
      let c = unit_len() * (l + q * S);
      if (live && c < p.dim) {
        xs[q] = ld_x(base + c, lim);
        ds[q] = ld_dy(base + c, lim);
        gx += v8_dot(v8_mul(ds[q], ws[q]), xs[q]);
      }
    }
    let tot = seg_sum(ln, gx);
    if (live) {
      let s = rstd_in[row];
      let cf = s * s * s * tot / f32(p.dim);
      for (var q = 0u; q < PPT; q++) {
        let c = unit_len() * (l + q * S);
        if (c < p.dim) {
          let dxv = V8(s * ds[q].a * ws[q].a - cf * xs[q].a, s * ds[q].b * ws[q].b - cf * xs[q].b);
          st_dx(base + c, lim, dxv);
          acc[q] = v8_add(acc[q], v8_scale(v8_mul(ds[q], xs[q]), s));
        }
      }
    }
  }
  // Combine the segments' sums in a fixed order: every thread parks its units at [q][v], then
  // thread k sums unit slot (q, l) = (k / S, k % S) over the segments and writes it out.
  if (g * p.rps * SEGS >= p.rows) { return; } // workgroup-uniform: a grid-padding workgroup
  if (SEGS == 1u) {
    for (var q = 0u; q < PPT; q++) {
      let c = unit_len() * (l + q * S);
      if (c < p.dim) { st_part(g * p.dim + c, (g + 1u) * p.dim, acc[q]); }
    }
    return;
  }
  for (var q = 0u; q < PPT; q++) {
    dwbuf[2u * (q * 256u + ln.v)] = acc[q].a;
    dwbuf[2u * (q * 256u + ln.v) + 1u] = acc[q].b;
  }
  workgroupBarrier();
  for (var k = ln.v; k < PPT * S; k += 256u) {
    let q = k / S;
    let c = unit_len() * (k % S + q * S);
    if (c < p.dim) {
      var t = V8(vec4<f32>(0.0), vec4<f32>(0.0));
      for (var j = 0u; j < p.segs; j++) { // runtime bound: unrolled, lavapipe builds took 10 s longer
        let at = 2u * (q * 256u + j * S + k % S);
        t = v8_add(t, V8(dwbuf[at], dwbuf[at + 1u]));
      }
      st_part(g * p.dim + c, (g + 1u) * p.dim, t);
    }
  }
}
