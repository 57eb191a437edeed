"""Compares two training runs of the same config on different rank counts (run.sh `ranks`):
each step's loss and gradient norm from metrics.jsonl, and the final bf16 weights tensor by tensor
in bf16 ulps at each tensor's RMS magnitude. Judge by the losses and rewards: they should agree to
~1e-6 relative with the same sampled tokens. The weights do not stay bit-identical: with several
passes per step the ranks' f32 gradient sums group the passes differently from one device, and the
global norm adds per-rank sums of squares in another order, so the clip scale moves by an ulp;
AdamW then turns gradients at rounding-noise level into full lr steps (m / sqrt(v) ~ +-1), and
over 30 warm-start steps at lr 0.01 the runs drift apart. On lavapipe (2026-12-03, 30 + 3 steps):
losses equal to 1e-6, gradient norms within 2%, layers within ~25 ulps, rarely seen embedding rows
up to ~500 ulps (0.06). Far more than that on a GPU is a bug.
Usage: compare_ranks.py RUN_A RUN_B > ranks.md"""
import glob
import json
import os
import struct
import sys

import numpy as np


def tensors(run):
    files = sorted(glob.glob(os.path.join(run, 'checkpoints', '*', 'model', '*.safetensors')))
    if not files:
        raise SystemExit(f'{run}: no checkpoint model')
    last = os.path.dirname(files[-1])
    out = {}
    for f in glob.glob(os.path.join(last, '*.safetensors')):
        raw = open(f, 'rb').read()
        n = struct.unpack('<Q', raw[:8])[0]
        header = json.loads(raw[8:8 + n])
        for name, info in header.items():
            if name == '__metadata__':
                continue
            b, e = info['data_offsets']
            assert info['dtype'] == 'BF16', f'{name}: {info["dtype"]}'
            out[name] = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=np.uint16)
    return last, out


def metrics(run):
    return [json.loads(line) for line in open(os.path.join(run, 'metrics.jsonl'))]


a, b = sys.argv[1], sys.argv[2]
print(f'# {os.path.basename(a)} vs {os.path.basename(b)}\n')
print('| step | loss | loss | grad norm | grad norm |\n|---|---|---|---|---|')
for x, y in zip(metrics(a), metrics(b)):
    print(f"| {x['step']} | {x.get('loss')} | {y.get('loss')} | {x.get('gradNorm')} | {y.get('gradNorm')} |")
la, ta = tensors(a)
lb, tb = tensors(b)
print(f'\nfinal weights: {la} vs {lb}\n')
def values(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32).astype(np.float64)


# Differences in bf16 ulps at the tensor's RMS magnitude (near zero a bit-pattern distance means
# nothing: a weight crossing zero is thousands of ulps for a tiny change).
worst = (0.0, '')
same = 0
for name in sorted(ta):
    a, b = values(ta[name]), values(tb[name])
    d = np.abs(a - b)
    rms = float(np.sqrt(np.mean(a * a))) or 1.0
    ulp = 2.0 ** (np.floor(np.log2(rms)) - 7)
    r = float(d.max() / ulp)
    if d.max() == 0:
        same += 1
    if r > worst[0]:
        worst = (r, name)
    print(f'- {name}: max |a-b| {d.max():.3g} = {r:.2f} ulp at its RMS {rms:.3g}; elements differing {int((d > 0).sum())} of {d.size}')
print(f'\n{same} of {len(ta)} tensors bit-identical; largest difference {worst[0]:.2f} bf16 ulp at the tensor RMS ({worst[1] or "-"})')
