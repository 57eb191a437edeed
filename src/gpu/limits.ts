// What a device is requested with, besides the optional features (src/gpu/device.ts openDevice).

/** The limits the runtime and the kernels depend on, requested at the adapter's best value: buffer
 *  and binding sizes, offset alignments (lavapipe's 16 bytes instead of the default 256), bindings
 *  per shader, workgroup size and memory. Render-pipeline, texture and dynamic-offset limits are
 *  left at their defaults: nothing here uses them. */
export const COMPUTE_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxUniformBufferBindingSize',
  'minStorageBufferOffsetAlignment',
  'minUniformBufferOffsetAlignment',
  'maxBindGroups',
  'maxBindingsPerBindGroup',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBuffersPerShaderStage',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
] as const;
