#!/usr/bin/env bash
# Pack what a GPU machine needs to run our kernels, benchmarks and checks into .device-pack/
# (git-ignored; name it in the device tool's `carry`). The GPU machine has no node, no npm and
# no libvulkan (shared/spec/gpu-device-runs.md), so we ship:
#   node.xz          this machine's node binary
#   webgpu/          the webgpu package's JS + linux-x64 dawn.node only (xz), not every platform
#   lib/libvulkan.so.1
#   js/              our TypeScript bundled with esbuild (code-split, webgpu external)
#   kernels/         the WGSL sources
#   tiny-model/      a tiny random Qwen3 checkpoint for the transformers comparison
# Keep the total well under the 64 MiB the device tool carries.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=.device-pack
rm -rf "$out"
mkdir -p "$out"/webgpu/dist/linux-x64 "$out"/lib "$out"/js
xz -T2 -c "$(command -v node)" > "$out"/node.xz
cp node_modules/webgpu/package.json node_modules/webgpu/index.js "$out"/webgpu/
xz -c node_modules/webgpu/dist/linux-x64/dawn.node > "$out"/webgpu/dist/linux-x64/dawn.node.xz
cp -L /usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$out"/lib/
cp -r kernels "$out"/kernels
entries=(bench/run.ts bench/cases/*.ts tools/device/*.ts)
npx esbuild "${entries[@]}" --bundle --platform=node --format=esm --splitting --target=node20 \
  --outdir="$out"/js --outbase=. --out-extension:.js=.mjs --external:webgpu \
  --banner:js="import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);" \
  --log-level=warning
# bench/run discovers cases by listing its folder: keep only the bundled cases there.
npx tsx tools/make-tiny-model.ts --out "$out"/tiny-model --layers 2 --hidden 64 --heads 4 --kv-heads 2 \
  --head-dim 16 --intermediate 128 --vocab 512 --dtype f32 --seed 7 >/dev/null
rm -f "$out"/tiny-model/tokenizer.json "$out"/tiny-model/tokenizer_config.json
cp tools/device/*.py tools/device/run.sh "$out"/
du -sh "$out"
