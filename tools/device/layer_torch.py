"""One Qwen3-14B decoder layer (hidden 5120, 40/8 heads, head_dim 128, intermediate 17408) in
PyTorch bf16, forward and forward+backward with the layer recomputed (activation checkpointing, as
the published run and our trainer do), timed with CUDA events on the same card as ours.

Usage: python3 layer_torch.py OUT.json [T] [SEQS]
"""
import json, sys
import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

H, NH, NKV, HD, I, EPS, THETA = 5120, 40, 8, 128, 17408, 1e-6, 1e6
T = int(sys.argv[2]) if len(sys.argv) > 2 else 4096
SEQS = int(sys.argv[3]) if len(sys.argv) > 3 else 2
S = T // SEQS
dev, bf = 'cuda', torch.bfloat16
torch.manual_seed(0)
p = lambda *s: torch.nn.Parameter(torch.randn(*s, device=dev, dtype=torch.float32).mul_(0.02).to(bf))
W = dict(q=p(NH * HD, H), k=p(NKV * HD, H), v=p(NKV * HD, H), o=p(H, NH * HD), g=p(I, H), u=p(I, H), d=p(H, I),
         ln1=torch.nn.Parameter(torch.ones(H, device=dev, dtype=bf)), ln2=torch.nn.Parameter(torch.ones(H, device=dev, dtype=bf)),
         qn=torch.nn.Parameter(torch.ones(HD, device=dev, dtype=bf)), kn=torch.nn.Parameter(torch.ones(HD, device=dev, dtype=bf)))
inv = 1.0 / THETA ** (torch.arange(0, HD, 2, device=dev, dtype=torch.float32) / HD)
ang = torch.arange(S, device=dev, dtype=torch.float32)[:, None] * inv[None]
cos = torch.cat((ang.cos(), ang.cos()), -1).to(bf)[None, None]
sin = torch.cat((ang.sin(), ang.sin()), -1).to(bf)[None, None]


def rope(x):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2:]
    return x * cos + torch.cat((-x2, x1), -1) * sin


def layer(x):  # x [SEQS, S, H]
    n = F.rms_norm(x, (H,), W['ln1'], EPS)
    q = F.rms_norm((n @ W['q'].t()).view(SEQS, S, NH, HD), (HD,), W['qn'], EPS).transpose(1, 2)
    k = F.rms_norm((n @ W['k'].t()).view(SEQS, S, NKV, HD), (HD,), W['kn'], EPS).transpose(1, 2)
    v = (n @ W['v'].t()).view(SEQS, S, NKV, HD).transpose(1, 2)
    a = F.scaled_dot_product_attention(rope(q), rope(k), v, is_causal=True, enable_gqa=True)
    h = x + a.transpose(1, 2).reshape(SEQS, S, NH * HD) @ W['o'].t()
    m = F.rms_norm(h, (H,), W['ln2'], EPS)
    return h + (F.silu(m @ W['g'].t()) * (m @ W['u'].t())) @ W['d'].t()


x = torch.randn(SEQS, S, H, device=dev, dtype=bf).requires_grad_()
dy = torch.randn(SEQS, S, H, device=dev, dtype=bf)


def timed(fn, reps=5):
    fn(); torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(reps):
        fn()
    b.record(); torch.cuda.synchronize()
    return a.elapsed_time(b) / reps


with torch.no_grad():
    fwd = timed(lambda: layer(x))
fb = timed(lambda: checkpoint(layer, x, use_reentrant=False).backward(dy))
flops_fwd = 2 * T * (H * (NH + 2 * NKV) * HD + NH * HD * H + 3 * H * I) + 2 * 2 * SEQS * (S * S / 2) * HD * NH
res = {'device': torch.cuda.get_device_name(), 'torch': torch.__version__, 'T': T, 'seqs': SEQS,
       'fwd_ms': fwd, 'fwd_bwd_recompute_ms': fb, 'flops_fwd': flops_fwd,
       'fwd_tflops': flops_fwd / fwd / 1e9, 'fwd_bwd_tflops': 4 * flops_fwd / fb / 1e9}
print(json.dumps(res))
json.dump(res, open(sys.argv[1], 'w'))
