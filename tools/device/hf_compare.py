"""Per-token logprobs of a tiny random Qwen3 checkpoint from Hugging Face transformers, the peer our
GPU model is compared against (tools/device/hf-compare.ts reads this file).

Usage: python3 hf_compare.py MODEL_DIR OUT.json
Writes the token sequences it used and, for fp32 and bf16 weights, logprob[t] = log p(x[t+1] | x[:t+1]).
"""
import json, sys
import torch
from transformers import AutoConfig, Qwen3ForCausalLM

model_dir, out_path = sys.argv[1], sys.argv[2]
cfg = AutoConfig.from_pretrained(model_dir)
V = cfg.vocab_size
lengths = [1, 7, 19, 40]
seqs = [[(37 * i + 11 * j * j + 5 * i * j) % V for j in range(n)] for i, n in enumerate(lengths)]
result = {'vocab': V, 'seqs': seqs, 'transformers': __import__('transformers').__version__}
for name, dtype in (('fp32', torch.float32), ('bf16', torch.bfloat16)):
    model = Qwen3ForCausalLM.from_pretrained(model_dir, torch_dtype=dtype, attn_implementation='eager').cuda().eval()
    lps = []
    with torch.no_grad():
        for s in seqs:
            ids = torch.tensor([s], device='cuda')
            logits = model(ids).logits[0].float()
            lp = torch.log_softmax(logits, -1)
            lps.append([lp[t, s[t + 1]].item() for t in range(len(s) - 1)])
    result[name] = lps
    print(name, 'first logprobs', [round(x, 4) for x in lps[1][:4]])
json.dump(result, open(out_path, 'w'))
