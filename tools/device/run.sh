#!/usr/bin/env bash
# On the GPU machine (no node, no npm, no libvulkan): unpack .device-pack and run, each step with a
# time limit, writing results to $OUT. Usage from the repo root: bash .device-pack/run.sh [steps...]
# steps: info check hf bench torch layer ranks (default: all but ranks). Results are summarised in
# $OUT/summary.md.
# One device command may run 600 s at most: run `info check hf layer` and `bench torch` as two calls
# (BENCH_ARGS="--skip .portable" leaves out the portable GEMMs, measured on 2026-11-26).
set -u
P=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$P/out}
mkdir -p "$OUT"
W=/tmp/rlvr
mkdir -p $W/node_modules/webgpu/dist/linux-x64
xz -dc "$P"/node.xz > $W/node && chmod +x $W/node
cp "$P"/webgpu/index.js "$P"/webgpu/package.json $W/node_modules/webgpu/
xz -dc "$P"/webgpu/dist/linux-x64/dawn.node.xz > $W/node_modules/webgpu/dist/linux-x64/dawn.node
tar -C $W/node_modules -xJf "$P"/tokenizer-qwen3.tar.xz
rm -rf $W/js && cp -r "$P"/js $W/js
export LD_LIBRARY_PATH="$P/lib:${LD_LIBRARY_PATH:-}"
export RLVR_KERNELS_DIR="$P/kernels"
export RLVR_RANK_WORKER=$W/js/src/train/rank-worker.mjs  # the sharded-training tests fork this bundled rank worker
NODE=$W/node
steps=${*:-info check hf bench torch layer}
log() { echo "[$(date +%T)] $*" | tee -a "$OUT"/run.log; }
has() { [[ " $steps " == *" $1 "* ]]; }

nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > $W/gpu.txt 2>&1
log "gpu: $(cat $W/gpu.txt)"
if has info; then
  if ! timeout 60 $NODE $W/js/src/cli/gpu-info.mjs --json > "$OUT"/gpu-info.json 2>>"$OUT"/run.log; then
    # Fallback: the driver's own ICD json (some images ship it under /usr/local/nvidia).
    for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json; do
      [ -f "$f" ] || continue
      export VK_DRIVER_FILES=$f VK_ICD_FILENAMES=$f
      [ -f /usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json ] && export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
      timeout 60 $NODE $W/js/src/cli/gpu-info.mjs --json > "$OUT"/gpu-info.json 2>>"$OUT"/run.log && break
    done
  fi
  log "adapter: $(grep -m1 '"description"' "$OUT"/gpu-info.json)"
fi
if has check; then
  log "kernel checks"
  timeout ${CHECK_TIMEOUT:-150} $NODE $W/js/tools/device/check.mjs "$OUT"/check.json 2>&1 | grep -v '^Warning' | tee -a "$OUT"/run.log
fi
if has hf; then
  log "transformers vs ours on the tiny checkpoint"
  timeout 90 python3 "$P"/hf_compare.py "$P"/tiny-model "$W"/hf.json 2>&1 | tail -3 | tee -a "$OUT"/run.log
  timeout 60 $NODE $W/js/tools/device/hf-compare.mjs "$P"/tiny-model "$W"/hf.json "$OUT"/hf.json 2>&1 | grep -v '^Warning' | tee -a "$OUT"/run.log
fi
if has bench; then
  log "benchmarks (ours)"
  timeout ${BENCH_TIMEOUT:-360} $NODE $W/js/bench/run.mjs ${BENCH_ARGS:-} --json "$OUT"/bench.json 2>&1 | grep -v '^Warning' | tee -a "$OUT"/run.log
fi
if has torch; then
  log "benchmarks (torch, same shapes)"
  timeout ${TORCH_TIMEOUT:-180} python3 "$P"/torch_peer.py "$OUT"/bench.json "$OUT"/torch.json 2>&1 | tail -40 | tee -a "$OUT"/run.log
fi
if has layer; then
  log "one Qwen3-14B layer forward+backward"
  timeout 90 python3 "$P"/layer_torch.py "$W"/layer-torch.json 2>&1 | tail -5 | tee -a "$OUT"/run.log
  timeout 120 $NODE $W/js/tools/device/layer-bench.mjs "$W"/layer-torch.json "$OUT"/layer.json 2>&1 | grep -v '^Warning' | tee -a "$OUT"/run.log
fi
if has ranks; then
  # Issue 12 (d): the sharded path on one GPU, three ranks each with a device of its own there,
  # beside one rank: the tiny config (its 30 warm-start steps are sharded steps too) cut to 3 RL steps.
  log "3 ranks on one GPU (--devices 0,0,0) beside 1 rank, tiny config"
  python3 - "$PWD" $W/ranks.json <<'EOF'
import json, sys
root, out = sys.argv[1], sys.argv[2]
c = json.load(open(f'{root}/configs/tiny-cpu.json'))
c['model']['path'] = '/tmp/rlvr/tiny-qwen3-untied'
c['data']['train'] = f'{root}/data/train.jsonl'
c['steps'], c['saveEvery'] = 3, 3
json.dump(c, open(out, 'w'), indent=1)
EOF
  for d in 0 0,0,0; do
    rm -rf $W/ranks-$d
    timeout ${RANKS_TIMEOUT:-200} $NODE $W/js/src/cli/train.mjs --config $W/ranks.json --devices $d --out $W/ranks-$d 2>&1 | grep -v '^Warning' | tail -n 12 | tee -a "$OUT"/run.log
    cp $W/ranks-$d/metrics.jsonl "$OUT"/ranks-$d.metrics.jsonl 2>/dev/null
  done
  # Losses and final weights side by side (within a few bf16 ulps: the clip norm's and the
  # passes' summation order differ between 1 and 3 ranks; compare_ranks.py says why).
  python3 "$P"/compare_ranks.py $W/ranks-0 $W/ranks-0,0,0 > "$OUT"/ranks.md 2>>"$OUT"/run.log
  log "ranks: $(tail -n 1 "$OUT"/ranks.md)"
fi
python3 "$P"/summarize.py "$OUT" > "$OUT"/summary.md 2>>"$OUT"/run.log
log "done"
