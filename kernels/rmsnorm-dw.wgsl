// The second stage of the RMSNorm dw reduction (see rmsnorm.wgsl): dw[c] += the sum over `rows`
// partial rows [rows, dim] (f32), in a fixed order. No constants: one pipeline for every layout.
struct Params { rows: u32, dim: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> part_in: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw: array<f32>;

var<workgroup> red: array<f32, 256>;

// dw[c] += sum over the p.rows partial rows, in a fixed order: 8 row groups x 32 columns per
// workgroup; row group r sums rows r, r + 8, ...; then the 8 group sums are added in order.
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let rg = lid / 32u;
  let c = wid.x * 32u + lid % 32u;
  var s = 0.0;
  if (c < p.dim) {
    for (var i = rg; i < p.rows; i += 8u) { s += part_in[i * p.dim + c]; }
  }
  red[lid] = s;
  workgroupBarrier();
  if (rg == 0u && c < p.dim) {
    var t = 0.0;
    for (var k = 0u; k < 8u; k++) { t += red[k * 32u + lid]; }
    dw[c] += t;
  }
}
