// RMSNorm backward (kernels/rmsnorm.wgsl's bwd: same formula, parameters and bindings, dw through
// one partial row per workgroup that rmsnorm-dw.wgsl adds into dw in a fixed order) shaped for a
// CPU adapter (llvmpipe / lavapipe; src/ops/rmsnorm.ts runs it where the device's memory variant is
// 'cpu' and a row has at most 128 elements): a workgroup is one subgroup of LANES invocations that
// walks its block of rows in a loop, keeping a row's units (8 elements with vec4 accesses when VEC,
// else element pairs: common/units.wgsl) in registers, with no workgroup memory and no barriers:
//   - bwd (rows of fewer than LANES units, e.g. q/k norms of head dim 16): an invocation owns
//     whole rows, rps of them LANES apart (the workgroup covers rps * LANES consecutive rows); its
//     dw terms are summed over its rows, then over the lanes by subgroupAdd;
//   - bwd_wide (rows of at least LANES units): the lanes share one row at a time, lane l owning
//     units l, l + LANES, ... (PPT of them); the row's sum is a subgroupAdd and each lane sums the
//     dw terms of its own units over the workgroup's rps consecutive rows.
// (A forward of either shape measured slower than the portable one on lavapipe, whose forward
// already keeps a row's 4 threads in one subgroup: bench/results/2026-12-03-lavapipe.)
enable subgroups;
#include "common/bf16.wgsl"
#include "common/units.wgsl"

const VEC = {{VEC}};
const LANES = {{LANES}}u;
const UNITS = {{UNITS}}u; // units per row: ceil(dim / unit_len())
const PPT = {{PPT}}u;     // bwd_wide: units per lane, ceil(UNITS / LANES)

struct Params { rows: u32, dim: u32, eps: f32, rps: u32, segs: u32 } // eps, segs unused here
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<{{X_A}}>;
@group(0) @binding(2) var<storage, read> w: array<{{W_A}}>;
@group(0) @binding(3) var<storage, read> rstd_in: array<f32>;
@group(0) @binding(4) var<storage, read> dy: array<{{X_A}}>;
@group(0) @binding(5) var<storage, read_write> dx: array<{{X_A}}>;
@group(0) @binding(6) var<storage, read_write> part: array<{{P_A}}>;  // [workgroups, dim] f32

#include "common/rmsnorm-io.wgsl"

// dx = s dy w - s^3 x (sum dy w x) / dim; the workgroup's dw partial row = sum over its rows of dy x s.
@compute @workgroup_size(LANES)
fn bwd(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
       @builtin(local_invocation_index) lane: u32) {
  let g = wid.x + wid.y * nwg.x;
  if (g * p.rps * LANES >= p.rows) { return; } // workgroup-uniform: a grid-padding workgroup
  var ws: array<V8, UNITS>;
  var acc: array<V8, UNITS>;
  for (var q = 0u; q < UNITS; q++) { ws[q] = ld_w(unit_len() * q); }
  for (var k = 0u; k < p.rps; k++) {
    let row = (g * p.rps + k) * LANES + lane;
    if (row < p.rows) {
      let base = row * p.dim;
      let lim = base + p.dim;
      var xs: array<V8, UNITS>;
      var ds: array<V8, UNITS>;
      var gx = 0.0;
      for (var q = 0u; q < UNITS; q++) {
        xs[q] = ld_x(base + unit_len() * q, lim);
        ds[q] = ld_dy(base + unit_len() * q, lim);
        gx += v8_dot(v8_mul(ds[q], ws[q]), xs[q]);
      }
      let s = rstd_in[row];
      let cf = s * s * s * gx / f32(p.dim);
      for (var q = 0u; q < UNITS; q++) {
        let dxv = V8(s * ds[q].a * ws[q].a - cf * xs[q].a, s * ds[q].b * ws[q].b - cf * xs[q].b);
        st_dx(base + unit_len() * q, lim, dxv);
        acc[q] = v8_add(acc[q], v8_scale(v8_mul(ds[q], xs[q]), s));
      }
    }
  }
  for (var q = 0u; q < UNITS; q++) {
    let t = V8(subgroupAdd(acc[q].a), subgroupAdd(acc[q].b));
    if (lane == q % LANES) { st_part(g * p.dim + unit_len() * q, (g + 1u) * p.dim, t); }
  }
}

@compute @workgroup_size(LANES)
fn bwd_wide(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
            @builtin(local_invocation_index) lane: u32) {
  let g = wid.x + wid.y * nwg.x;
  let row0 = g * p.rps;
  if (row0 >= p.rows) { return; } // workgroup-uniform: a grid-padding workgroup
  let rows = min(p.rps, p.rows - row0);
  var ws: array<V8, PPT>;
  var acc: array<V8, PPT>;
  for (var q = 0u; q < PPT; q++) {
    let c = unit_len() * (lane + q * LANES);
    if (c < p.dim) { ws[q] = ld_w(c); }
  }
  for (var k = 0u; k < rows; k++) {
    let row = row0 + k;
    let base = row * p.dim;
    let lim = base + p.dim;
    var xs: array<V8, PPT>;
    var ds: array<V8, PPT>;
    var gx = 0.0;
    for (var q = 0u; q < PPT; q++) {
      let c = unit_len() * (lane + q * LANES);
      if (c < p.dim) {
        xs[q] = ld_x(base + c, lim);
        ds[q] = ld_dy(base + c, lim);
        gx += v8_dot(v8_mul(ds[q], ws[q]), xs[q]);
      }
    }
    let s = rstd_in[row];
    let cf = s * s * s * subgroupAdd(gx) / f32(p.dim);
    for (var q = 0u; q < PPT; q++) {
      let c = unit_len() * (lane + q * LANES);
      if (c < p.dim) {
        st_dx(base + c, lim, V8(s * ds[q].a * ws[q].a - cf * xs[q].a, s * ds[q].b * ws[q].b - cf * xs[q].b));
        acc[q] = v8_add(acc[q], v8_scale(v8_mul(ds[q], xs[q]), s));
      }
    }
  }
  for (var q = 0u; q < PPT; q++) {
    let c = unit_len() * (lane + q * LANES);
    if (c < p.dim) { st_part(g * p.dim + c, (g + 1u) * p.dim, acc[q]); }
  }
}
