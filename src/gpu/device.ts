// Opening the device: one Dawn instance with our toggles, the first (high-performance) adapter,
// and a device with every optional feature we use that the adapter has and the adapter's values of
// the limits compute work depends on (COMPUTE_LIMITS). `DawnDevice` holds what was opened and what
// it offers (features, limits, subgroup-matrix configs, whether it is a CPU adapter) and watches
// for device loss and uncaptured errors; recording (src/gpu/recorder.ts) and buffers
// (src/gpu/gpu.ts) build on it.
import { create, globals } from 'webgpu';
import { dawnFlags } from './toggles.js';
import { withFilteredStderr } from './quiet-stderr.js';
import { COMPUTE_LIMITS } from './limits.js';
import { adapterHelp, prepareVulkanEnv, type VulkanEnvReport } from './vulkan-env.js';
import { GpuDeviceLostError, GpuUnavailableError } from './errors.js';

export interface GpuFeatures {
  f16: boolean;
  subgroups: boolean;
  subgroupMatrix: boolean;
  timestamps: boolean;
}

export interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

const OPTIONAL_FEATURES = ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix', 'timestamp-query'] as const;

/** One Dawn device and what it offers. */
export class DawnDevice {
  readonly features: GpuFeatures;
  readonly limits: Record<string, number>;
  readonly subgroupMatrixConfigs: SubgroupMatrixConfig[];
  private lostInfo: { reason: string; message: string } | null = null;
  /** Messages of uncaptured errors since the last sync (raised by sync, src/gpu/recorder.ts). */
  protected uncaptured: string[] = [];

  constructor(
    /** The Dawn instance must stay reachable: if it is garbage-collected while the device lives,
     *  dawn.node aborts the process (seen on lavapipe: std::system_error / futex errors). */
    readonly instance: GPU,
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly adapterInfo: GPUAdapterInfo,
    readonly toggles: string[],
    readonly vulkanEnv: VulkanEnvReport,
  ) {
    const f = device.features;
    this.features = {
      f16: f.has('shader-f16'),
      subgroups: f.has('subgroups'),
      subgroupMatrix: f.has('chromium-experimental-subgroup-matrix'),
      timestamps: f.has('timestamp-query'),
    };
    const limits: Record<string, number> = {};
    for (const k in device.limits) limits[k] = (device.limits as unknown as Record<string, number>)[k];
    this.limits = limits;
    const info = adapterInfo as unknown as { subgroupMatrixConfigs?: SubgroupMatrixConfig[] };
    this.subgroupMatrixConfigs = this.features.subgroupMatrix ? [...(info.subgroupMatrixConfigs ?? [])] : [];
    device.lost.then((l) => {
      this.lostInfo = { reason: l.reason ?? 'unknown', message: l.message };
    });
    device.addEventListener('uncapturederror', (e) => {
      this.uncaptured.push((e as GPUUncapturedErrorEvent).error.message);
    });
  }

  get isSoftware(): boolean {
    return /llvmpipe|lavapipe|swiftshader/i.test(`${this.adapterInfo.description} ${this.adapterInfo.device}`);
  }

  /** A CPU adapter (lavapipe / llvmpipe, SwiftShader): Dawn reports it as the fallback adapter
   *  with architecture 'software'. Kernels shaped for a CPU run there (src/ops/matmul.ts). */
  get isCpu(): boolean {
    const i = this.adapterInfo as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return i.isFallbackAdapter === true || i.architecture === 'software' || this.isSoftware;
  }

  /** f32 lanes of the CPU's SIMD vector, which llvmpipe runs a subgroup as (8 with AVX2). */
  get cpuLanes(): number {
    const i = this.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number };
    return i.subgroupMinSize && i.subgroupMinSize > 0 ? i.subgroupMinSize : 8;
  }

  get maxBinding(): number {
    return this.limits.maxStorageBufferBindingSize;
  }

  describe(): string {
    const i = this.adapterInfo;
    return `${i.vendor} ${i.architecture} ${i.description || i.device}`.trim();
  }

  /** Throws once the device is lost, with Dawn's reason and message. */
  protected checkLost(): void {
    if (this.lostInfo) throw new GpuDeviceLostError(this.lostInfo.reason, this.lostInfo.message);
  }
}

/** What opening a device gives: the arguments of DawnDevice's constructor, in order. */
export type OpenedDevice = ConstructorParameters<typeof DawnDevice>;

/** Dawn instance with our toggles, the first adapter, a device with every optional feature we use
 *  that the adapter has, and the adapter's values of the limits compute work depends on
 *  (COMPUTE_LIMITS). Without an adapter: GpuUnavailableError saying what is missing. */
export async function openDevice(): Promise<OpenedDevice> {
  const vulkanEnv = prepareVulkanEnv();
  Object.assign(globalThis, globals);
  const toggles = dawnFlags();
  const instance = create(toggles);
  // Adapter discovery prints Dawn's lavapipe limit warnings to fd 2 (src/gpu/quiet-stderr.ts).
  const adapter = await withFilteredStderr(() => instance.requestAdapter({ powerPreference: 'high-performance' }));
  if (!adapter) throw new GpuUnavailableError(adapterHelp(vulkanEnv));
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  for (const k of COMPUTE_LIMITS) requiredLimits[k] = adapter.limits[k];
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  return [instance, adapter, device, adapter.info, toggles, vulkanEnv];
}
