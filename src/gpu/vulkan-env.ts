// Vulkan loader setup that must happen before Dawn creates its instance.
//
// Headless NVIDIA hosts: the stock ICD json points at libGLX_nvidia.so.0, which fails without an X
// server ("Could not get 'vkCreateInstance'"). An ICD json pointing at libEGL_nvidia.so.0 works
// (architecture.md). We write one and point VK_DRIVER_FILES at it, unless the user chose a driver.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface VulkanEnvReport {
  nvidia: boolean;
  icdWritten?: string;
  note?: string;
}

function hasNvidiaGpu(): boolean {
  return existsSync('/proc/driver/nvidia/version') || existsSync('/dev/nvidia0');
}

function libraryVisible(name: string): boolean {
  try {
    return execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes(name);
  } catch {
    return false;
  }
}

export function prepareVulkanEnv(env: NodeJS.ProcessEnv = process.env): VulkanEnvReport {
  const nvidia = hasNvidiaGpu();
  if (!nvidia) return { nvidia };
  if (env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES) return { nvidia, note: 'VK_DRIVER_FILES set by the user' };
  if (env.DISPLAY) return { nvidia, note: 'DISPLAY set: using the stock NVIDIA ICD' };
  if (!libraryVisible('libEGL_nvidia.so.0')) {
    return { nvidia, note: 'NVIDIA GPU found but libEGL_nvidia.so.0 is not in the linker cache' };
  }
  const dir = join(tmpdir(), 'rlvr-webgpu-icd');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nvidia_egl_icd.json');
  writeFileSync(
    file,
    JSON.stringify({ file_format_version: '1.0.1', ICD: { library_path: 'libEGL_nvidia.so.0', api_version: '1.4.312' } }),
  );
  env.VK_DRIVER_FILES = file;
  env.VK_ICD_FILENAMES = file;
  return { nvidia, icdWritten: file };
}

/** The fix to print when no adapter was found, specific to what this host lacks. */
export function adapterHelp(report: VulkanEnvReport): string {
  const lines = ['No WebGPU adapter was found (Dawn over Vulkan).'];
  if (!libraryVisible('libvulkan.so.1')) {
    lines.push('- The Vulkan loader libvulkan.so.1 is missing.');
  }
  if (report.nvidia) {
    lines.push(`- An NVIDIA GPU is present. ${report.note ?? ''}`);
    lines.push('  Check that libEGL_nvidia.so.0 is installed (NVIDIA driver) and visible to ldconfig, or set');
    lines.push('  VK_DRIVER_FILES to an ICD json for your driver.');
  } else {
    lines.push('- No GPU driver: install the software Vulkan driver (Mesa lavapipe). On Debian 12:');
    lines.push('  run `npm run setup:gpu` (installs libvulkan1 and mesa-vulkan-drivers from bookworm-backports;');
    lines.push('  the Mesa 22 in bookworm is refused by Dawn).');
  }
  return lines.join('\n');
}
