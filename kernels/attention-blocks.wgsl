// Block table for packed-sequence attention, built on the GPU from cu_seqlens (no host sync):
// each sequence is cut into blocks of `block` rows that never straddle a sequence boundary.
// Entry = (start, end, seqStart, seqEnd). Entries past the real count are (0,0,0,0): the attention
// kernels dispatch an upper bound of blocks and return early on an empty one.
// desc = 1 lists each sequence's blocks last-first (query blocks: the last ones see the most keys,
// so the heaviest workgroups start first); desc = 0 first-first (key blocks: the first ones see the
// most queries).
struct Params { nSeq: u32, block: u32, nMax: u32, desc: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> cu: array<u32>;
@group(0) @binding(2) var<storage, read_write> table: array<vec4<u32>>;

var<workgroup> scan: array<u32, 256>;

@compute @workgroup_size(256)
fn attn_blocks(@builtin(local_invocation_index) lid: u32) {
  var base = 0u;
  for (var s0 = 0u; s0 < p.nSeq; s0 += 256u) {
    let s = s0 + lid;
    var n = 0u;
    var a = 0u;
    var b = 0u;
    if (s < p.nSeq) {
      a = cu[s];
      b = cu[s + 1u];
      n = (b - a + p.block - 1u) / p.block;
    }
    scan[lid] = n;
    workgroupBarrier();
    for (var off = 1u; off < 256u; off = off << 1u) { // inclusive prefix sum (Hillis-Steele)
      var x = scan[lid];
      if (lid >= off) { x += scan[lid - off]; }
      workgroupBarrier();
      scan[lid] = x;
      workgroupBarrier();
    }
    let first = base + scan[lid] - n;
    let total = scan[255];
    workgroupBarrier();
    for (var i = 0u; i < n; i++) {
      let bi = select(i, n - 1u - i, p.desc == 1u);
      let st = a + bi * p.block;
      table[first + i] = vec4<u32>(st, min(st + p.block, b), a, b);
    }
    base += total;
  }
  for (var e = base + lid; e < p.nMax; e += 256u) { table[e] = vec4<u32>(0u); }
}
