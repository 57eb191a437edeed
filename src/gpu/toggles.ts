// Dawn toggles, all in ONE `enable-dawn-features=` string: a repeated key overwrites the previous
// one and unknown names are silently ignored (architecture.md, measured on an H200).
export const DAWN_ENABLE = [
  'allow_unsafe_apis', // subgroup matrices (chromium-experimental-subgroup-matrix) are "unsafe"
  'vulkan_enable_f16_on_nvidia', // shader-f16 and f16 subgroup-matrix configs on NVIDIA
] as const;
export const DAWN_DISABLE = [
  'timestamp_quantization', // else timestamps are quantised to ~65 us (Dawn still converts ticks to ns)
] as const;

export function dawnFlags(): string[] {
  return [`enable-dawn-features=${DAWN_ENABLE.join(',')}`, `disable-dawn-features=${DAWN_DISABLE.join(',')}`];
}
