// Element "units" for bandwidth-bound kernels over bf16 (packed u32) or f32 buffers.
// VEC = true: a unit is 8 elements, loaded/stored as one vec4<u32> word group (bf16) or two
// vec4<f32> (f32): 128-bit accesses (a plain vec4 copy reaches the copy ceiling on the H200, one
// u32 per thread ~20% of it). The unit must start on a multiple of 8 elements.
// VEC = false: a unit is a pair of elements (one bf16 word), for tails and odd row lengths; an f32
// pair's second element is skipped past `lim`.
// Each buffer P has consts P_T (scalar type u32|f32), P_BF (bf16?), P_A (array element: P_T or
// vec4<P_T>, by VEC) and P_W ('' or '.x'): a kernel declares `array<P_A>` and writes one ld/st
// pair per buffer with the helpers below. The code of both modes must type-check in both, hence
// the splat/convert constructors `vec4<P_T>(x)` (identity on vec4, splat on a scalar).
// Requires `const VEC: bool` and common/bf16.wgsl.

// Elements 0-3 and 4-7 of a unit (a pair uses a.xy).
struct V8 { a: vec4<f32>, b: vec4<f32> }
// Raw words of a unit: a (and b for f32 units).
struct W8 { a: vec4<u32>, b: vec4<u32> }

// Elements per unit.
fn unit_len() -> u32 { if (VEC) { return 8u; } return 2u; }

// Array index of the unit starting at element e, for a bf16 or f32 buffer.
fn unit_ix(bf: bool, e: u32) -> u32 {
  if (VEC) { if (bf) { return e >> 3u; } return e >> 2u; }
  if (bf) { return e >> 1u; }
  return e;
}

// Whether the unit at e has a second array element to read/write (f32 only).
fn unit_has_b(bf: bool, e: u32, lim: u32) -> bool { return !bf && (VEC || e + 1u < lim); }

fn unit_decode(bf: bool, w: W8) -> V8 {
  if (VEC) {
    if (bf) {
      return V8(vec4<f32>(bf16_unpack(w.a.x), bf16_unpack(w.a.y)), vec4<f32>(bf16_unpack(w.a.z), bf16_unpack(w.a.w)));
    }
    return V8(bitcast<vec4<f32>>(w.a), bitcast<vec4<f32>>(w.b));
  }
  if (bf) { return V8(vec4<f32>(bf16_unpack(w.a.x), 0.0, 0.0), vec4<f32>(0.0)); }
  return V8(vec4<f32>(bitcast<f32>(w.a.x), bitcast<f32>(w.b.x), 0.0, 0.0), vec4<f32>(0.0));
}

// Round to the buffer's dtype (round-to-nearest-even for bf16) and pack into words.
fn unit_encode(bf: bool, v: V8) -> W8 {
  if (VEC) {
    if (bf) {
      return W8(vec4<u32>(bf16_pack(v.a.x, v.a.y), bf16_pack(v.a.z, v.a.w), bf16_pack(v.b.x, v.b.y), bf16_pack(v.b.z, v.b.w)), vec4<u32>(0u));
    }
    return W8(bitcast<vec4<u32>>(v.a), bitcast<vec4<u32>>(v.b));
  }
  if (bf) { return W8(vec4<u32>(bf16_pack(v.a.x, v.a.y)), vec4<u32>(0u)); }
  return W8(vec4<u32>(bitcast<u32>(v.a.x)), vec4<u32>(bitcast<u32>(v.a.y)));
}

// v rounded to the dtype of a buffer (identity for f32).
fn unit_round(bf: bool, v: V8) -> V8 {
  if (bf) { return unit_decode(true, unit_encode(true, v)); }
  return v;
}

fn v8_add(x: V8, y: V8) -> V8 { return V8(x.a + y.a, x.b + y.b); }
fn v8_mul(x: V8, y: V8) -> V8 { return V8(x.a * y.a, x.b * y.b); }
fn v8_scale(x: V8, s: f32) -> V8 { return V8(x.a * s, x.b * s); }
fn v8_dot(x: V8, y: V8) -> f32 { return dot(x.a, y.a) + dot(x.b, y.b); }
