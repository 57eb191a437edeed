// Copy shapes for bench/copy-sweep.ts (a measurement tool: nothing else runs this file): a workgroup
// of LANES invocations whose body, BODY, copies vec4 words (EL elements) from src to dst in one of
// the shapes the tool names; `wg` is the workgroup's linear index.
struct Params { n4: u32 }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<{{EL}}>;
@group(0) @binding(2) var<storage, read_write> dst: array<{{EL}}>;

const LANES = {{LANES}}u;
const PER = {{PER}}u;

@compute @workgroup_size(LANES)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lane: u32) {
  let wg = wid.x + wid.y * nwg.x;
  _ = p.n4; // every body reads the uniform (some only through this)
  {{BODY}}
}
