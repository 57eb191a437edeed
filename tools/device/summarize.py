"""Summarise a device run's JSON files into Markdown (summary.md): card, driver, date, kernel
checks, transformers agreement, our benchmarks beside torch's on the same card, the 14B layer."""
import json, os, sys, subprocess

out = sys.argv[1]
load = lambda n: json.load(open(os.path.join(out, n))) if os.path.exists(os.path.join(out, n)) else None
gpu = subprocess.run(['nvidia-smi', '--query-gpu=name,driver_version', '--format=csv,noheader'], capture_output=True, text=True).stdout.strip()
bench, peer, layer, check, hf, info = (load(n) for n in ('bench.json', 'torch.json', 'layer.json', 'check.json', 'hf.json', 'gpu-info.json'))
print(f"# Device run\n\ncard, driver: {gpu}")
if info:
    print(f"adapter: {info['adapter']['description']} | subgroup matrix configs: {len(info.get('subgroupMatrixConfigs', []))}")
if peer:
    print(f"torch {peer['torch']} (CUDA {peer['cuda']}), date {peer['date']}")
if check:
    print('\n## Kernel checks on this card (vs float64 reference)\n')
    for c in check['checks']:
        print(f"- {'ok  ' if c['ok'] else 'FAIL'} {c['name']}: {c['detail']}")
if hf:
    print('\n## transformers Qwen3ForCausalLM vs ours, tiny random checkpoint\n')
    print(json.dumps(hf.get('summary', hf))[:2000])
if bench:
    c = bench['ceilings']
    print(f"\n## Kernels ({bench['scale']} shapes), ours vs torch on the same card\n")
    print(f"ceilings measured in this run: copy {c.get('copyGBs') or 0:.0f} GB/s, best GEMM {c.get('bestGemmTFLOPs') or 0:.1f} TFLOP/s\n")
    print('| case | shape | ours ms | TFLOP/s | GB/s | torch ms | torch/ours time |')
    print('|---|---|---|---|---|---|---|')
    for r in bench['results']:
        t = (peer or {}).get('results', {}).get(r['name'], {})
        tm = t.get('ms')
        ratio = f"{tm / r['ms']:.3f}" if tm and r.get('ms') else '-'
        tf = f"{r['tflops']:.1f}" if r.get('tflops') else '-'
        gb = f"{r['gbs']:.0f}" if r.get('gbs') else '-'
        ms = f"{r['ms']:.3f}" if r.get('ms') == r.get('ms') and r.get('ms') is not None else 'ERR ' + r.get('error', '')[:60]
        print(f"| {r['name']} | {r.get('shape', '')} | {ms} | {tf} | {gb} | {tm if tm is None else round(tm, 3)} | {ratio} |")
if layer:
    print('\n## One Qwen3-14B layer (T tokens), forward and forward+backward with recompute\n')
    print(json.dumps(layer, indent=1))
