// What both sampling kernels (kernels/sample.wgsl, kernels/sample-cpu.wgsl) compute alike: a row's
// parameters, the order key that ranks floats as u32, the composite (key, index) comparison, the
// hash behind the Gumbel noise, and a bisection's candidate composite. The including kernel
// declares `p: Params` (V, lo_bits, row0) and `rows: array<u32>`.

// rows[5 r ..]: 1/T as f32 bits (0 = greedy), top_k (0 = all), top_p as f32 bits, seed, step; the
// noise key mixes seed and step.
struct RowParams { inv_t: f32, top_k: u32, top_p: f32, key: u32 }
fn row_params(row: u32) -> RowParams {
  return RowParams(bitcast<f32>(rows[5u * row]), rows[5u * row + 1u], bitcast<f32>(rows[5u * row + 2u]),
                   mix32(mix32(rows[5u * row + 3u]) ^ rows[5u * row + 4u]));
}

// Larger float -> larger u32 (negatives bit-flipped), as orderKey in the reference.
fn order_key(x: f32) -> u32 {
  let b = bitcast<u32>(x);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}

fn key_value(k: u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
}

fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }

// (h, l) >= (ch, cl) lexicographically.
fn comp_ge(h: u32, l: u32, ch: u32, cl: u32) -> bool { return h > ch || (h == ch && l >= cl); }

fn mix32(v: u32) -> u32 {
  var x = v;
  x = x ^ (x >> 16u);
  x = x * 0x7feb352du;
  x = x ^ (x >> 15u);
  x = x * 0x846ca68bu;
  return x ^ (x >> 16u);
}

// The candidate composite for bit b of a bisection (key bits first, then lo_bits index bits).
fn with_bit(c: vec2<u32>, b: u32) -> vec2<u32> {
  if (b < 32u) { return vec2<u32>(c.x | (1u << (31u - b)), c.y); }
  return vec2<u32>(c.x, c.y | (1u << (p.lo_bits - 1u - (b - 32u))));
}
