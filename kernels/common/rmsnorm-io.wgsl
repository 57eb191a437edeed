// The row loads and stores RMSNorm's backward shares between kernels/rmsnorm.wgsl and
// kernels/rmsnorm-cpu.wgsl: x, dy, w as units of V8 (common/units.wgsl), dx and the f32 partial dw
// rows. The including kernel declares the bindings x, w, dy, dx, part and the X_/W_/P_ placeholders.
fn ld_x(e: u32, lim: u32) -> V8 {
  let i = unit_ix({{X_BF}}, e);
  var q = W8(bitcast<vec4<u32>>(vec4<{{X_T}}>(x[i])), vec4<u32>(0u));
  if (unit_has_b({{X_BF}}, e, lim)) { q.b = bitcast<vec4<u32>>(vec4<{{X_T}}>(x[i + 1u])); }
  return unit_decode({{X_BF}}, q);
}
fn ld_dy(e: u32, lim: u32) -> V8 {
  let i = unit_ix({{X_BF}}, e);
  var q = W8(bitcast<vec4<u32>>(vec4<{{X_T}}>(dy[i])), vec4<u32>(0u));
  if (unit_has_b({{X_BF}}, e, lim)) { q.b = bitcast<vec4<u32>>(vec4<{{X_T}}>(dy[i + 1u])); }
  return unit_decode({{X_BF}}, q);
}
fn ld_w(e: u32) -> V8 {
  let i = unit_ix({{W_BF}}, e);
  var q = W8(bitcast<vec4<u32>>(vec4<{{W_T}}>(w[i])), vec4<u32>(0u));
  if (unit_has_b({{W_BF}}, e, p.dim)) { q.b = bitcast<vec4<u32>>(vec4<{{W_T}}>(w[i + 1u])); }
  return unit_decode({{W_BF}}, q);
}
fn st_dx(e: u32, lim: u32, v: V8) {
  let i = unit_ix({{X_BF}}, e);
  let q = unit_encode({{X_BF}}, v);
  dx[i] = bitcast<{{X_A}}>(q.a{{X_W}});
  if (unit_has_b({{X_BF}}, e, lim)) { dx[i + 1u] = bitcast<{{X_A}}>(q.b{{X_W}}); }
}
// part is f32.
fn st_part(e: u32, lim: u32, v: V8) {
  let i = unit_ix(false, e);
  let q = unit_encode(false, v);
  part[i] = bitcast<{{P_A}}>(q.a{{P_W}});
  if (unit_has_b(false, e, lim)) { part[i + 1u] = bitcast<{{P_A}}>(q.b{{P_W}}); }
}
