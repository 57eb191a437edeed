// `npm run gpu:info`: the adapter, features, limits and Dawn toggles in force.
import { getGpu } from '../gpu/gpu.js';
import { GpuUnavailableError } from '../gpu/errors.js';
import { parseCli, usage, type CliSpec } from './args.js';

const SPEC = {
  command: 'npm run gpu:info --',
  summary: "Opens the default adapter's device as every run does and prints the adapter, the Dawn toggles, the\nfeatures (and which ones the kernels use), subgroup-matrix configs and the main limits. Exit code 2: no adapter.",
  options: { json: { type: 'boolean', help: 'everything as JSON, every limit included' } },
} satisfies CliSpec;

async function main(): Promise<void> {
  const parsed = parseCli(SPEC, process.argv.slice(2));
  if (parsed.help) {
    console.log(usage(SPEC));
    return;
  }
  let gpu;
  try {
    gpu = await getGpu();
  } catch (e) {
    if (e instanceof GpuUnavailableError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const info = gpu.adapterInfo;
  const json = parsed.values.json === true;
  const report = {
    adapter: { vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description, software: gpu.isSoftware },
    toggles: gpu.toggles,
    vulkan: gpu.vulkanEnv,
    features: [...gpu.device.features].sort(),
    used: gpu.features,
    subgroupMatrixConfigs: gpu.subgroupMatrixConfigs,
    limits: gpu.limits,
  };
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`adapter:   ${gpu.describe()}${gpu.isSoftware ? ' (software Vulkan: Mesa lavapipe)' : ''}`);
    console.log(`toggles:   ${gpu.toggles.join(' ')}`);
    if (gpu.vulkanEnv.icdWritten) console.log(`vulkan:    headless NVIDIA ICD written to ${gpu.vulkanEnv.icdWritten}`);
    console.log(`features:  ${report.features.join(', ')}`);
    console.log(`used:      f16=${gpu.features.f16} subgroups=${gpu.features.subgroups} subgroup-matrix=${gpu.features.subgroupMatrix} timestamps=${gpu.features.timestamps}`);
    for (const c of gpu.subgroupMatrixConfigs) console.log(`  subgroup matrix: ${c.componentType} -> ${c.resultComponentType} ${c.M}x${c.N}x${c.K}`);
    const keys = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupsPerDimension', 'maxStorageBuffersPerShaderStage', 'minStorageBufferOffsetAlignment'];
    for (const k of keys) console.log(`  ${k.padEnd(36)} ${gpu.limits[k]}`);
  }
  gpu.destroy();
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
