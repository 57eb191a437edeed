// Our GPU Qwen3 against Hugging Face transformers' Qwen3ForCausalLM on the same checkpoint:
// tools/device/hf_compare.py writes the token sequences it scored and its per-token logprobs (fp32
// and bf16 weights); this loads the same directory with our loader, scores the same sequences
// packed into one batch, and reports the differences.
// Usage: node hf-compare.mjs MODEL_DIR HF.json OUT.json
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { getGpu } from '../../src/gpu/gpu.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { packSequences } from '../../src/model/qwen3-batch.js';

const PeerFile = z.object({
  seqs: z.array(z.array(z.number().int().nonnegative()).min(1)).min(1),
  fp32: z.array(z.array(z.number())),
  bf16: z.array(z.array(z.number())).optional(),
  transformers: z.string().optional(),
});
export type PeerFile = z.infer<typeof PeerFile>;

export interface Diff {
  maxAbs: number;
  meanAbs: number;
  n: number;
}

/** Per-token |ours - peer| over every scored position (each sequence's last token has none). */
export function compareLogprobs(ours: Float32Array, cu: ArrayLike<number>, peer: number[][]): Diff {
  let maxAbs = 0;
  let sum = 0;
  let n = 0;
  peer.forEach((lp, s) => {
    const start = cu[s]!;
    const len = cu[s + 1]! - start;
    if (lp.length !== len - 1) throw new Error(`sequence ${s}: peer has ${lp.length} logprobs for ${len} tokens (expected ${len - 1})`);
    lp.forEach((want, t) => {
      const d = Math.abs(ours[start + t]! - want);
      maxAbs = Math.max(maxAbs, d);
      sum += d;
      n++;
    });
  });
  return { maxAbs, meanAbs: sum / n, n };
}

export async function hfCompare(modelDir: string, peerPath: string): Promise<{ vsFp32: Diff; vsBf16?: Diff; tokens: number; device: string }> {
  const peer = PeerFile.parse(JSON.parse(readFileSync(peerPath, 'utf8')));
  const gpu = await getGpu();
  const model = await Qwen3Model.load(gpu, modelDir);
  const batch = packSequences(peer.seqs);
  const { logprobs } = await model.forward(batch);
  const out = {
    device: gpu.describe(),
    tokens: batch.tokens.length,
    vsFp32: compareLogprobs(logprobs, batch.cuSeqlens, peer.fp32),
    vsBf16: peer.bf16 ? compareLogprobs(logprobs, batch.cuSeqlens, peer.bf16) : undefined,
  };
  model.destroy();
  return out;
}

async function main(): Promise<void> {
  const [dir, peerPath, outPath] = process.argv.slice(2);
  if (!dir || !peerPath) throw new Error('usage: hf-compare MODEL_DIR HF.json [OUT.json]');
  const r = await hfCompare(dir, peerPath);
  const f = (d?: Diff) => (d ? `max |diff| ${d.maxAbs.toExponential(2)}, mean ${d.meanAbs.toExponential(2)} over ${d.n} tokens` : '-');
  console.log(`ours (bf16 weights on ${r.device}) vs transformers fp32: ${f(r.vsFp32)}`);
  console.log(`ours vs transformers bf16: ${f(r.vsBf16)}`);
  if (outPath) writeFileSync(outPath, JSON.stringify({ summary: r }, null, 1));
}

if (process.argv[1]?.endsWith('hf-compare.mjs') || process.argv[1]?.endsWith('hf-compare.ts')) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
