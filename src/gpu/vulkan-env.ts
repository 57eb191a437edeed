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

/** Where the dynamic loader would find `name`: a directory on LD_LIBRARY_PATH or the usual driver
 *  folders (containers often mount NVIDIA's libraries under /usr/local/nvidia/lib64), else the
 *  linker cache. Returns the path, 'cache' when only ldconfig knows it, or null. */
function findLibrary(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const dirs = [...(env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/local/nvidia/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64'];
  for (const d of dirs) if (existsSync(join(d, name))) return join(d, name);
  try {
    if (execFileSync('ldconfig', ['-p'], { encoding: 'utf8' }).includes(name)) return 'cache';
  } catch {
    // no ldconfig: fall through
  }
  return null;
}

function libraryVisible(name: string): boolean {
  return findLibrary(name) !== null;
}

/** What prepareVulkanEnv asks of the host (replaceable in tests). */
export interface HostProbe {
  nvidia(): boolean;
  findLibrary(name: string, env: NodeJS.ProcessEnv): string | null;
  icdDir: string;
}

const realHost: HostProbe = { nvidia: hasNvidiaGpu, findLibrary, icdDir: join(tmpdir(), 'rlvr-webgpu-icd') };

export function prepareVulkanEnv(env: NodeJS.ProcessEnv = process.env, host: HostProbe = realHost): VulkanEnvReport {
  const nvidia = host.nvidia();
  if (!nvidia) return { nvidia };
  if (env.VK_DRIVER_FILES || env.VK_ICD_FILENAMES) return { nvidia, note: 'VK_DRIVER_FILES set by the user' };
  if (env.DISPLAY) return { nvidia, note: 'DISPLAY set: using the stock NVIDIA ICD' };
  const egl = host.findLibrary('libEGL_nvidia.so.0', env);
  if (!egl) {
    return { nvidia, note: 'NVIDIA GPU found but libEGL_nvidia.so.0 is neither on LD_LIBRARY_PATH nor in the linker cache' };
  }
  mkdirSync(host.icdDir, { recursive: true });
  const file = join(host.icdDir, 'nvidia_egl_icd.json');
  writeFileSync(
    file,
    JSON.stringify({ file_format_version: '1.0.1', ICD: { library_path: egl === 'cache' ? 'libEGL_nvidia.so.0' : egl, api_version: '1.4.312' } }),
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
