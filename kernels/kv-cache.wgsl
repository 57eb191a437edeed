// Row copies between bf16 (or any 32-bit-word) matrices through index lists:
//   dst[dst_rows[i], :] = src[src_rows[i], :]   for i < n
// Used to write a step's keys/values into the KV cache (src rows 0..n-1, dst rows slot*maxT+pos)
// and to gather the last token of each prefilled prompt. One thread per u32 word of a row, so no
// two threads write the same word.
struct Params { n: u32, words: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read> src_rows: array<u32>;
@group(0) @binding(3) var<storage, read> dst_rows: array<u32>;
@group(0) @binding(4) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(256)
fn copy_rows(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
             @builtin(local_invocation_index) lid: u32) {
  let g = (wid.x + wid.y * nwg.x) * 256u + lid;
  if (g >= p.n * p.words) { return; }
  let i = g / p.words;
  let w = g % p.words;
  dst[dst_rows[i] * p.words + w] = src[src_rows[i] * p.words + w];
}
