// bf16 stored two per u32 (element 2i in the low half, 2i+1 in the high half: little-endian).
// Compute is f32; packing rounds to nearest, ties to even.
fn bf16_lo(w: u32) -> f32 { return bitcast<f32>(w << 16u); }
fn bf16_hi(w: u32) -> f32 { return bitcast<f32>(w & 0xffff0000u); }
fn bf16_unpack(w: u32) -> vec2<f32> { return vec2<f32>(bf16_lo(w), bf16_hi(w)); }
fn bf16_bits(f: f32) -> u32 {
  let u = bitcast<u32>(f);
  if ((u & 0x7f800000u) == 0x7f800000u && (u & 0x7fffffu) != 0u) { return 0x7fc0u; }
  return (u + 0x7fffu + ((u >> 16u) & 1u)) >> 16u;
}
fn bf16_pack(a: f32, b: f32) -> u32 { return bf16_bits(a) | (bf16_bits(b) << 16u); }
fn bf16_pack2(v: vec2<f32>) -> u32 { return bf16_pack(v.x, v.y); }
