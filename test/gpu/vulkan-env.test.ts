// The headless-NVIDIA Vulkan setup, with the host probed through a stand-in (no NVIDIA GPU here).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { adapterHelp, prepareVulkanEnv, type HostProbe } from '../../src/gpu/vulkan-env.js';

function host(nvidia: boolean, egl: string | null): HostProbe {
  return { nvidia: () => nvidia, findLibrary: (name) => (name === 'libEGL_nvidia.so.0' ? egl : null), icdDir: mkdtempSync(join(tmpdir(), 'icd-')) };
}

describe('prepareVulkanEnv', () => {
  it('points the loader at libEGL_nvidia on a headless NVIDIA host', () => {
    const env: NodeJS.ProcessEnv = {};
    const r = prepareVulkanEnv(env, host(true, '/usr/local/nvidia/lib64/libEGL_nvidia.so.0'));
    expect(r.icdWritten).toBe(env.VK_DRIVER_FILES);
    expect(env.VK_ICD_FILENAMES).toBe(env.VK_DRIVER_FILES);
    const icd = JSON.parse(readFileSync(r.icdWritten!, 'utf8'));
    expect(icd.ICD.library_path).toBe('/usr/local/nvidia/lib64/libEGL_nvidia.so.0');
    expect(icd.file_format_version).toBe('1.0.1');
  });
  it('uses the bare soname when only the linker cache knows the library', () => {
    const env: NodeJS.ProcessEnv = {};
    const r = prepareVulkanEnv(env, host(true, 'cache'));
    expect(JSON.parse(readFileSync(r.icdWritten!, 'utf8')).ICD.library_path).toBe('libEGL_nvidia.so.0');
  });
  it("leaves the user's driver choice, an X display, and non-NVIDIA hosts alone", () => {
    const user: NodeJS.ProcessEnv = { VK_DRIVER_FILES: '/mine.json' };
    expect(prepareVulkanEnv(user, host(true, 'cache')).icdWritten).toBe(undefined);
    expect(user.VK_DRIVER_FILES).toBe('/mine.json');
    const x: NodeJS.ProcessEnv = { DISPLAY: ':0' };
    expect(prepareVulkanEnv(x, host(true, 'cache')).icdWritten).toBe(undefined);
    expect(x.VK_DRIVER_FILES).toBe(undefined);
    const cpu: NodeJS.ProcessEnv = {};
    expect(prepareVulkanEnv(cpu, host(false, null))).toEqual({ nvidia: false });
  });
  it('says what is missing when the NVIDIA EGL library cannot be found', () => {
    const env: NodeJS.ProcessEnv = {};
    const r = prepareVulkanEnv(env, host(true, null));
    expect(r.note).toMatch(/libEGL_nvidia\.so\.0/);
    expect(adapterHelp(r)).toMatch(/NVIDIA GPU is present[\s\S]*VK_DRIVER_FILES/);
    expect(adapterHelp({ nvidia: false })).toMatch(/setup:gpu[\s\S]*bookworm-backports/);
  });
});
