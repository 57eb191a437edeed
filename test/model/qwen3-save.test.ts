// Saving GPU weights as a HF directory: bytes identical to the checkpoint they were loaded from
// (bf16), sharded with an index when asked, loadable again with identical logprobs; config and
// tokenizer files copied verbatim; an existing directory is refused, or replaced only whole; a
// failed save leaves the old checkpoint and no temporary files.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getGpu } from '../../src/gpu/gpu.js';
import { ShardedSafetensors } from '../../src/io/safetensors/index.js';
import { packSequences } from '../../src/model/qwen3-batch.js';
import { Qwen3Model } from '../../src/model/qwen3.js';
import { makeTinyModel } from '../../src/model/tiny.js';
import { seqOf } from './qwen3-helpers.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function tensorBytes(dir: string): Promise<Map<string, Uint8Array>> {
  const ck = await ShardedSafetensors.open(dir);
  const out = new Map<string, Uint8Array>();
  for (const n of ck.names) out.set(n, await ck.read(n));
  await ck.close();
  return out;
}

describe('Qwen3Model.save', () => {
  it('round-trips a bf16 checkpoint byte for byte, sharded, and loads back to the same logprobs', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'qwen3-save-'));
    dirs.push(root);
    const src = join(root, 'src');
    await makeTinyModel(src, { vocab: 512, seed: 3, dtype: 'bf16', tied: false });
    const model = await Qwen3Model.load(gpu, src);
    const out = join(root, 'out');
    const progress: number[] = [];
    const res = await model.save(out, { copyFrom: src, maxShardBytes: 40_000, pieceBytes: 4096 + 2, onProgress: (d, t) => progress.push(d / t) });
    expect(res.files).toContain('model.safetensors.index.json');
    expect(res.files.filter((f) => /^model-\d{5}-of-\d{5}\.safetensors$/.test(f)).length).toBeGreaterThan(2);
    expect(progress[progress.length - 1]).toBe(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
    // Every tensor's bytes as in the source; config and tokenizer files verbatim.
    const [a, b] = [await tensorBytes(src), await tensorBytes(out)];
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [n, bytes] of a) expect(Buffer.compare(Buffer.from(b.get(n)!), Buffer.from(bytes)), n).toBe(0);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json']) {
      expect(await readFile(join(out, f), 'utf8'), f).toBe(await readFile(join(src, f), 'utf8'));
    }
    expect((await readdir(root)).sort()).toEqual(['out', 'src']); // no temporary directory left
    // Loaded again: the same logprobs, bit for bit.
    const again = await Qwen3Model.load(gpu, out);
    const batch = packSequences([seqOf(9, 1, 512), seqOf(5, 2, 512)]);
    const [x, y] = [await model.forward(batch), await again.forward(batch)];
    expect(Array.from(y.logprobs)).toEqual(Array.from(x.logprobs));
    model.destroy();
    again.destroy();
  });

  it('refuses an existing directory, replaces it only whole, and keeps it when the save fails', async () => {
    const gpu = await getGpu();
    const root = await mkdtemp(join(tmpdir(), 'qwen3-save-'));
    dirs.push(root);
    const src = join(root, 'src');
    await makeTinyModel(src, { vocab: 512, seed: 4, tied: true });
    const model = await Qwen3Model.load(gpu, src);
    const out = join(root, 'out');
    await model.save(out);
    await expect(model.save(out)).rejects.toThrow(/already exists \(pass overwrite/);
    // A failing save (copyFrom's config describes another model) leaves the old one as it was.
    await writeFile(join(out, 'marker'), 'old');
    const other = join(root, 'other');
    await makeTinyModel(other, { vocab: 512, seed: 4, layers: 3 });
    await expect(model.save(out, { overwrite: true, copyFrom: other })).rejects.toThrow(/describes another model/);
    expect(await readFile(join(out, 'marker'), 'utf8')).toBe('old');
    expect((await readdir(root)).sort()).toEqual(['other', 'out', 'src']);
    // Overwrite: the whole directory is the new checkpoint (the marker is gone); tied: no lm_head.
    await model.save(out, { overwrite: true, copyFrom: src });
    expect(await readdir(out)).not.toContain('marker');
    expect([...(await tensorBytes(out)).keys()]).not.toContain('lm_head.weight');
    expect(await readFile(join(out, 'config.json'), 'utf8')).toBe(await readFile(join(src, 'config.json'), 'utf8'));
    model.destroy();
  });
});
