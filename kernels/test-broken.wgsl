// Deliberately invalid when T is not a type: used by the runtime's error-reporting test.
@group(0) @binding(0) var<storage, read_write> x: array<{{T}}>;
@compute @workgroup_size(1)
fn main() { x[0] = x[0]; }
