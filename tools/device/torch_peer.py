"""Time the PyTorch equivalent of every case in our bench JSON, on the same card, same run.

Usage: python3 torch_peer.py bench.json torch.json
Each of our results carries torch = {op, args}; this runs that op in bf16 (what cuBLAS/cuDNN/flash
kernels give PyTorch users) and writes {name: {ms, op, args}} plus ratios ours/torch.
"""
import json, sys, time
import torch
import torch.nn.functional as F

dev = 'cuda'
bf = torch.bfloat16


def timed(fn, reps=10):
    fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(reps):
        fn()
    end.record()
    torch.cuda.synchronize()
    return start.elapsed_time(end) / reps


def r(*shape, dtype=bf):
    return torch.randn(*shape, device=dev, dtype=torch.float32).mul_(0.05).to(dtype)


def case(op, a):
    g = lambda k: int(a[k])
    if op == 'copy':
        src = torch.empty(g('bytes'), dtype=torch.uint8, device=dev); dst = torch.empty_like(src)
        return lambda: dst.copy_(src)
    if op == 'mm':
        M, N, K = g('M'), g('N'), g('K')
        lay = a.get('layout', 'xwT')
        if lay == 'xwT':
            x, w = r(M, K), r(N, K); return lambda: x @ w.t()
        if lay == 'dyW':
            dy, w = r(M, N), r(N, K); return lambda: dy @ w
        dy, x = r(M, N), r(M, K); return lambda: dy.t() @ x
    if op == 'sdpa':
        S, H, KV, D, B = g('seqlen'), g('heads'), g('kv'), g('hd'), g('seqs')
        q = r(B, H, S, D).requires_grad_(); k = r(B, KV, S, D).requires_grad_(); v = r(B, KV, S, D).requires_grad_()
        f = lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
        if a.get('pass', 'fwd') == 'fwd':
            return lambda: f()
        o = f(); do = torch.randn_like(o)
        return lambda: torch.autograd.grad(o, (q, k, v), do, retain_graph=True)
    if op == 'rmsnorm':
        x = r(g('rows'), g('dim')).requires_grad_(); w = r(g('dim')).requires_grad_()
        f = lambda: F.rms_norm(x, (g('dim'),), w, 1e-6)
        if a.get('pass', 'fwd') == 'fwd':
            return f
        y = f(); dy = torch.randn_like(y)
        return lambda: torch.autograd.grad(y, (x, w), dy, retain_graph=True)
    if op == 'swiglu':
        gte, up = r(g('n')).requires_grad_(), r(g('n')).requires_grad_()
        f = lambda: F.silu(gte) * up
        if a.get('pass', 'fwd') == 'fwd':
            return f
        y = f(); dy = torch.randn_like(y)
        return lambda: torch.autograd.grad(y, (gte, up), dy, retain_graph=True)
    if op == 'add':
        x, y = r(g('n')), r(g('n')); return lambda: x + y
    if op == 'rope':
        T, H, D = g('T'), g('heads'), g('hd')
        x = r(T, H, D); cos = r(T, 1, D); sin = r(T, 1, D)
        def f():
            x1, x2 = x[..., : D // 2], x[..., D // 2:]
            return x * cos + torch.cat((-x2, x1), -1) * sin
        return f
    if op == 'embedding':
        T, V, H = g('T'), g('V'), g('H')
        ids = torch.randint(0, V, (T,), device=dev); tab = r(V, H).requires_grad_()
        f = lambda: F.embedding(ids, tab)
        if a.get('pass', 'fwd') == 'fwd':
            return f
        y = f(); dy = torch.randn_like(y)
        return lambda: torch.autograd.grad(y, (tab,), dy, retain_graph=True)
    if op == 'lmhead':
        T, H, V = g('T'), g('H'), g('V')
        h = r(T, H).requires_grad_(); W = r(V, H).requires_grad_(); tgt = torch.randint(0, V, (T,), device=dev)
        def f():
            logits = (h @ W.t()).float()
            return torch.log_softmax(logits, -1).gather(1, tgt[:, None])[:, 0]
        if a.get('pass', 'fwd') == 'fwd':
            return f
        y = f(); dy = torch.randn_like(y)
        return lambda: torch.autograd.grad(y, (h, W), dy, retain_graph=True)
    if op == 'adamw':
        p = torch.nn.Parameter(torch.randn(g('numel'), device=dev)); p.grad = torch.randn_like(p)
        opt = torch.optim.AdamW([p], lr=1e-5, fused=True)
        return opt.step
    if op == 'sample':
        # What a PyTorch sampler does per decode step (HF / vLLM style): temperature, top-k by
        # torch.topk, top-p by a full sort + cumsum, then multinomial; greedy is an argmax.
        B, V, k, p, T = g('B'), g('V'), g('topK'), float(a['topP']), float(a['temperature'])
        logits = torch.randn(B, V, device=dev) * 3
        if T == 0:
            return lambda: logits.argmax(-1)
        def f():
            l = logits / T
            if 0 < k < V:
                kth = torch.topk(l, k, dim=-1).values[:, -1:]
                l = l.masked_fill(l < kth, float('-inf'))
            if p < 1:
                s, idx = torch.sort(l, descending=True, dim=-1)
                pr = s.softmax(-1)
                drop = (pr.cumsum(-1) - pr) >= p * pr.sum(-1, keepdim=True)
                l = l.scatter(-1, idx, s.masked_fill(drop, float('-inf')))
            probs = l.softmax(-1)
            tok = torch.multinomial(probs, 1)
            return tok, probs.gather(1, tok).log()
        return f
    raise ValueError(f'unknown op {op}')


def main():
    ours = json.load(open(sys.argv[1]))
    out = {'device': torch.cuda.get_device_name(), 'torch': torch.__version__, 'cuda': torch.version.cuda,
           'date': time.strftime('%Y-%m-%dT%H:%M:%S'), 'results': {}}
    for res in ours['results']:
        t = res.get('torch')
        if not t or res.get('error'):
            continue
        try:
            ms = timed(case(t['op'], t['args']))
            out['results'][res['name']] = {'ms': ms, **t}
            ratio = ms / res['ms']
            print(f"{res['name']:40s} ours {res['ms']:9.3f} ms  torch {ms:9.3f} ms  ours/torch speed {ratio:6.3f}")
        except Exception as e:  # keep going: one unsupported op must not lose the others
            out['results'][res['name']] = {'error': str(e).splitlines()[0], **t}
            print(f"{res['name']:40s} torch error: {str(e).splitlines()[0]}")
        torch.cuda.empty_cache()
    json.dump(out, open(sys.argv[2], 'w'), indent=1)


if __name__ == '__main__':
    main()
