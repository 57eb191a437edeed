// Which GPU each rank's process gets. dawn.node always takes the first adapter the Vulkan loader
// offers, so a process is pointed at its GPU before it starts: Mesa's device-select layer (an
// implicit Vulkan layer from mesa-vulkan-drivers) honours DRI_PRIME=pci-DDDD_BB_SS_F! and puts that
// GPU first (architecture.md: seen working over the NVIDIA EGL ICD on one H200; never yet tried with
// several GPUs). PCI addresses come from nvidia-smi. Without nvidia-smi (no NVIDIA GPU: lavapipe on
// CPU machines) there is nothing to select: every rank gets its own device on the default adapter.
import { execFileSync } from 'node:child_process';

export interface DevicePlan {
  /** Environment added to each rank's process, by rank. */
  env: Record<string, string>[];
  /** One line for the log: how devices were chosen. */
  note: string;
}

/** "00000000:00:06.0" (nvidia-smi) -> "pci-0000_00_06_0!" (Mesa device-select). */
export function driPrime(busId: string): string {
  const m = /^([0-9a-fA-F]{4,8}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])$/.exec(busId.trim());
  if (!m) throw new Error(`unrecognised PCI bus id '${busId}' (expected DDDDDDDD:BB:SS.F)`);
  return `pci-${m[1]!.slice(-4).toLowerCase()}_${m[2]!.toLowerCase()}_${m[3]!.toLowerCase()}_${m[4]}!`;
}

/** Bus ids by nvidia-smi index, or null where nvidia-smi is absent or fails. */
function nvidiaBusIds(): Map<number, string> | null {
  try {
    return parseBusIds(execFileSync('nvidia-smi', ['--query-gpu=index,pci.bus_id', '--format=csv,noheader'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 15_000 }));
  } catch {
    return null;
  }
}

/** `nvidia-smi --query-gpu=index,pci.bus_id --format=csv,noheader` output -> bus id by index. */
export function parseBusIds(out: string): Map<number, string> | null {
  const ids = new Map<number, string>();
  for (const line of out.split('\n')) {
    const [i, bus] = line.split(',').map((s) => s.trim());
    if (i && bus && /^\d+$/.test(i)) ids.set(Number(i), bus);
  }
  return ids.size > 0 ? ids : null;
}

export function planDevices(devices: readonly number[], busIds: Map<number, string> | null = nvidiaBusIds()): DevicePlan {
  if (devices.length === 0) throw new Error('--devices: no device given');
  for (const d of devices) if (!Number.isInteger(d) || d < 0) throw new Error(`--devices: '${d}' is not a device index`);
  // A GPU listed more than once takes several ranks, each with a device of its own there
  // (architecture.md: three devices on one H200 work): the sharded path on a one-GPU machine.
  const ranksOf = new Map<number, number[]>();
  devices.forEach((d, r) => ranksOf.set(d, [...(ranksOf.get(d) ?? []), r]));
  const shared = [...ranksOf].filter(([, rs]) => rs.length > 1);
  const sharing = shared.map(([d, rs]) => `ranks ${rs.join(', ')} share GPU ${d} (a device each; their memory adds up on it)`).join('; ');
  if (!busIds) {
    return {
      env: devices.map(() => ({})),
      note: devices.length === 1 ? 'default adapter' : `no nvidia-smi: each of the ${devices.length} ranks opens its own device on the default adapter (lavapipe on a machine without a GPU)`,
    };
  }
  const env = devices.map((d) => {
    const bus = busIds.get(d);
    if (!bus) throw new Error(`--devices: GPU ${d} does not exist (nvidia-smi lists ${[...busIds.keys()].join(', ')})`);
    return { DRI_PRIME: driPrime(bus), MESA_VK_DEVICE_SELECT_FORCE_DEFAULT_DEVICE: '1' };
  });
  const each = devices.map((d, r) => `rank ${r}: GPU ${d} (${busIds.get(d)}, DRI_PRIME=${env[r]!.DRI_PRIME})`).join('; ');
  return { env, note: sharing ? `${each}; ${sharing}` : each };
}
