// The device-side transformers comparison (tools/device/hf-compare.ts), exercised here with the
// float64 reference Qwen3 standing in for transformers: same file format, same code path.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ShardedSafetensors } from '../../src/io/safetensors/index.js';
import { viewAs } from '../../src/io/dtype.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { referenceForward, type RefWeights } from '../../src/model/reference.js';
import { makeTinyModel, tinyConfig } from '../../src/model/tiny.js';
import { refConfigOf } from '../model/qwen3-helpers.js';
import { hfCompare, compareLogprobs } from '../../tools/device/hf-compare.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('hf-compare', () => {
  it('agrees with a peer that computes the same model, and flags one that does not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hf-compare-'));
    dirs.push(dir);
    const opts = { vocab: 512, hidden: 64, heads: 4, kvHeads: 2, headDim: 16, intermediate: 128, layers: 2, dtype: 'f32', seed: 5 } as const;
    await makeTinyModel(dir, opts);
    const ck = await ShardedSafetensors.open(dir);
    const host: RefWeights = {};
    for (const name of ck.names) host[name] = Float64Array.from(viewAs(Float32Array, await ck.read(name)));
    await ck.close();
    const seqs = [[1], [5, 9, 200, 3, 77, 4, 8], [11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]];
    const batch = packSequences(seqs);
    const ref = referenceForward(refConfigOf(tinyConfig(opts)), host, batch.tokens, batch.cuSeqlens);
    const peer = seqs.map((s, i) => Array.from(ref.logprobs.slice(batch.cuSeqlens[i]!, batch.cuSeqlens[i]! + s.length - 1)));
    const peerPath = join(dir, 'hf.json');
    await writeFile(peerPath, JSON.stringify({ seqs, fp32: peer }));
    const r = await hfCompare(dir, peerPath);
    expect(r.vsFp32.n).toBe(0 + 6 + 10);
    expect(r.vsFp32.maxAbs).toBeLessThan(2e-2); // bf16 weights and activations vs float64
    const bad = peer.map((p) => p.slice());
    bad[2]![3]! += 0.5;
    const ours = Float32Array.from(ref.logprobs);
    expect(compareLogprobs(ours, batch.cuSeqlens, bad).maxAbs).toBeCloseTo(0.5, 5);
    expect(() => compareLogprobs(ours, batch.cuSeqlens, [[0], [], []])).toThrow(/sequence 0/);
  });
});
