// A vec4 copy shaped for a CPU adapter (llvmpipe / lavapipe): a workgroup of LANES invocations
// (one SIMD vector), each copying PER vec4 words, LANES apart, in one loop: on llvmpipe every load
// and store is a loop over the lanes with bounds checks (src/ops/matmul-cpu.ts) and every
// workgroup costs ~1 us, so long runs per invocation win. A workgroup whose whole block is in range
// (all but the last) loops without the per-word check (a workgroup-uniform branch). The CPU
// counterpart of kernels/copy.wgsl (bench/cases/copy.ts: copy.ceiling vs copy.cpu).
struct Params { n4: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read_write> dst: array<vec4<u32>>;

const LANES = {{LANES}}u;
const PER = {{PER}}u;

@compute @workgroup_size(LANES)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let block = (wid.x + wid.y * nwg.x) * LANES * PER;
  let base = block + lane;
  if (block + LANES * PER <= p.n4) {
    for (var j = 0u; j < PER; j++) {
      let i = base + j * LANES;
      dst[i] = src[i];
    }
  } else {
    for (var j = 0u; j < PER; j++) {
      let i = base + j * LANES;
      if (i < p.n4) { dst[i] = src[i]; }
    }
  }
}
