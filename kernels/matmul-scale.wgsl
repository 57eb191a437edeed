// Per-tensor power-of-two scales for the f16 tensor-core kernels (src/ops/f16-stage.ts): the max-abs of
// a bf16 tensor, reduced in two passes without atomics in global memory (so no buffer needs
// zeroing between GEMMs recorded back to back): `partial` writes one max per workgroup, `finish`
// reduces a range of them to an exponent shift s with max * 2^s in [2^14, 2^15) (f16 max 65504).
// |bf16| compares like its bit pattern with the sign cleared, so the max is taken on u32 bits.
struct Params { n_words: u32, out_index: u32, first: u32, count: u32, slot: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> partials: array<u32>;
@group(0) @binding(1) var<storage, read> partials_in: array<u32>;
@group(0) @binding(2) var<storage, read_write> shifts: array<i32>;

var<workgroup> wmax: atomic<u32>;

@compute @workgroup_size(256)
fn partial(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
           @builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { atomicStore(&wmax, 0u); }
  workgroupBarrier();
  var m = 0u;
  for (var i = wid.x * 256u + lid; i < p.n_words; i += nwg.x * 256u) {
    let w = src[i];
    m = max(m, max(w & 0x7fffu, (w >> 16u) & 0x7fffu));
  }
  atomicMax(&wmax, m);
  workgroupBarrier();
  if (lid == 0u) { partials[p.out_index + wid.x] = atomicLoad(&wmax); }
}

@compute @workgroup_size(256)
fn finish(@builtin(local_invocation_index) lid: u32) {
  if (lid == 0u) { atomicStore(&wmax, 0u); }
  workgroupBarrier();
  var m = 0u;
  for (var i = lid; i < p.count; i += 256u) { m = max(m, partials_in[p.first + i]); }
  atomicMax(&wmax, m);
  workgroupBarrier();
  if (lid == 0u) {
    let bits = atomicLoad(&wmax);
    let e = i32((bits >> 7u) & 0xffu); // biased exponent of the max
    var s = 0;
    // zero, or Inf/NaN (let them through unscaled): no shift. Else max < 2^(e-126).
    if (bits != 0u && e != 255) { s = clamp(14 - (e - 127), -100, 100); }
    shifts[p.slot] = s;
  }
}

// f16 copies for the tensor-core kernels (src/ops/f16-stage.ts recordToF16): bf16 words to f16
// words scaled by 2^shifts[slot] (power of two: exact for every value f16 holds as a normal), so
// the consumer loads f16 words with no conversion. Bandwidth-bound: 4 words per thread.
@group(0) @binding(2) var<storage, read_write> f16_out: array<u32>;
@group(0) @binding(3) var<storage, read> shifts_in: array<i32>;

@compute @workgroup_size(256)
fn to_f16(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
          @builtin(local_invocation_index) lid: u32) {
  let f = bitcast<f32>(u32(shifts_in[p.slot] + 127) << 23u);
  for (var i = (wid.x * 256u + lid) * 4u; i < p.n_words; i += nwg.x * 1024u) {
    for (var j = 0u; j < 4u; j++) {
      if (i + j < p.n_words) {
        let w = src[i + j];
        f16_out[i + j] = pack2x16float(vec2<f32>(bitcast<f32>(w << 16u), bitcast<f32>(w & 0xffff0000u)) * f);
      }
    }
  }
}
