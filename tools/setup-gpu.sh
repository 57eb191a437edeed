#!/usr/bin/env bash
# Make a WebGPU adapter available to Dawn (the webgpu npm package) on this machine.
# - An adapter already works: nothing to do.
# - NVIDIA GPU, headless: src/gpu/vulkan-env.ts points the Vulkan loader at libEGL_nvidia.so.0 by
#   itself at startup; here we only make sure the loader (libvulkan1) is installed.
# - No GPU (CI, laptops without Vulkan): install Mesa's software Vulkan driver (lavapipe) from
#   bookworm-backports (Mesa 25). Debian 12's own Mesa 22 is refused by Dawn.
set -euo pipefail
cd "$(dirname "$0")/.."

probe() {
  node --input-type=module -e "
    import { create, globals } from 'webgpu';
    Object.assign(globalThis, globals);
    const gpu = create([]);
    const a = await gpu.requestAdapter();
    if (!a) process.exit(1);
    console.log('adapter: ' + a.info.vendor + ' ' + a.info.description);
    process.exit(0);
  " 2>/dev/null
}

if [ -d node_modules/webgpu ] && probe; then exit 0; fi

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if [ -r /etc/os-release ]; then . /etc/os-release; fi
if [ "${ID:-}" = debian ] && [ "${VERSION_CODENAME:-}" = bookworm ]; then
  echo "setup-gpu: installing libvulkan1 + mesa-vulkan-drivers (lavapipe) from bookworm-backports"
  echo "deb http://deb.debian.org/debian bookworm-backports main" | as_root tee /etc/apt/sources.list.d/bookworm-backports.list >/dev/null
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq -t bookworm-backports libvulkan1 mesa-vulkan-drivers >/dev/null
elif command -v apt-get >/dev/null; then
  echo "setup-gpu: installing libvulkan1 + mesa-vulkan-drivers"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq libvulkan1 mesa-vulkan-drivers >/dev/null
else
  echo "setup-gpu: no apt-get here. Install the Vulkan loader (libvulkan.so.1) and a Vulkan driver" >&2
  echo "  (your GPU vendor's, or Mesa >= 24 lavapipe for a software device), then rerun." >&2
  exit 1
fi

if [ -d node_modules/webgpu ]; then
  probe || { echo "setup-gpu: still no WebGPU adapter after installing lavapipe; run 'npm run gpu:info' for details" >&2; exit 1; }
fi
