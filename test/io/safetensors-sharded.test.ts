import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  INDEX_FILE,
  ShardedSafetensors,
  type TensorSource,
  planShards,
  shardFileName,
  writeSafetensors,
  writeShardedSafetensors,
} from '../../src/io/safetensors/index.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'st-shard-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Tensor i holds bytes all equal to i (easy to check), `elems` bf16 elements. */
function tensor(name: string, elems: number, fill: number): TensorSource {
  return { name, dtype: 'BF16', shape: [elems], data: new Uint8Array(elems * 2).fill(fill) };
}

const TENSORS = [
  tensor('model.embed_tokens.weight', 400, 1),
  tensor('model.layers.0.mlp.up_proj.weight', 300, 2),
  tensor('model.layers.0.mlp.down_proj.weight', 300, 3),
  tensor('model.layers.1.mlp.up_proj.weight', 300, 4),
  tensor('model.norm.weight', 10, 5),
  tensor('lm_head.weight', 400, 6),
];

describe('shard planning', () => {
  const sizes = (xs: number[]) => xs.map((bytes, i) => ({ name: `t${i}`, bytes }));
  it('greedy by max size, oversized tensors alone', () => {
    expect(planShards(sizes([4, 4, 4, 4]), { maxShardBytes: 8 })).toEqual([[0, 1], [2, 3]]);
    expect(planShards(sizes([4, 20, 4, 3, 2]), { maxShardBytes: 8 })).toEqual([[0], [1], [2, 3], [4]]);
    expect(planShards(sizes([4, 4]), {})).toEqual([[0, 1]]);
  });
  it('exact shard count, contiguous and balanced', () => {
    expect(planShards(sizes([1, 1, 1, 1, 1, 1]), { shards: 3 })).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(planShards(sizes([100, 1, 1]), { shards: 3 })).toEqual([[0], [1], [2]]);
    expect(planShards(sizes([1, 1, 100]), { shards: 2 })).toEqual([[0, 1], [2]]);
    expect(planShards(sizes([1, 1]), { shards: 5 })).toEqual([[0], [1]]);
  });
  it('HF shard names', () => {
    expect(shardFileName(0, 3)).toBe('model-00001-of-00003.safetensors');
    expect(shardFileName(11, 12)).toBe('model-00012-of-00012.safetensors');
  });
});

describe('sharded checkpoints', () => {
  it('writes shards + index and reads every tensor back lazily', async () => {
    const dir = await mkdtemp(join(root, 'a-'));
    const res = await writeShardedSafetensors(dir, TENSORS, { maxShardBytes: 1400, metadata: { format: 'pt' } });
    // bytes in order 800 600 600 600 20 800; greedy under 1400: 800 600 | 600 600 20 | 800
    expect(res.files).toEqual([
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
    ]);
    expect(res.totalSize).toBe((400 + 300 * 3 + 10 + 400) * 2);
    const indexText = await readFile(join(dir, INDEX_FILE), 'utf8');
    const index = JSON.parse(indexText);
    expect(index.metadata).toEqual({ total_size: res.totalSize });
    expect(Object.keys(index.weight_map)).toEqual(TENSORS.map((t) => t.name).sort());
    expect(index.weight_map['model.embed_tokens.weight']).toBe('model-00001-of-00003.safetensors');
    expect(index.weight_map['lm_head.weight']).toBe('model-00003-of-00003.safetensors');
    expect(indexText).toMatch(/^\{\n {2}"metadata": \{\n {4}"total_size": 3420\n {2}\},\n {2}"weight_map": \{\n/);
    expect(indexText.endsWith('}\n')).toBe(true);

    const ckpt = await ShardedSafetensors.open(dir);
    try {
      expect(ckpt.totalSize).toBe(res.totalSize);
      expect(ckpt.names).toEqual(TENSORS.map((t) => t.name).sort());
      for (const [i, t] of TENSORS.entries()) {
        const bytes = await ckpt.read(t.name);
        expect(bytes.byteLength).toBe(t.shape[0]! * 2);
        expect(bytes.every((b) => b === i + 1)).toBe(true);
        expect((await ckpt.info(t.name)).shape).toEqual(t.shape);
      }
      await ckpt.verify();
      await expect(ckpt.read('nope')).rejects.toMatchObject({ code: 'missing_tensor', tensor: 'nope' });
    } finally {
      await ckpt.close();
    }
    expect((await readdir(dir)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('one shard means a plain model.safetensors, and stale layouts are cleaned up', async () => {
    const dir = await mkdtemp(join(root, 'b-'));
    await writeShardedSafetensors(dir, TENSORS, { shards: 2 });
    expect((await readdir(dir)).sort()).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
      INDEX_FILE,
    ]);
    await writeFile(join(dir, 'config.json'), '{}');
    const res = await writeShardedSafetensors(dir, TENSORS, {});
    expect(res.indexWritten).toBe(false);
    expect((await readdir(dir)).sort()).toEqual(['config.json', 'model.safetensors']);
    const ckpt = await ShardedSafetensors.open(dir);
    expect(ckpt.files).toEqual(['model.safetensors']);
    expect([...(await ckpt.read('model.norm.weight'))].every((b) => b === 5)).toBe(true);
    await ckpt.close();
  });

  it('index pointing at a shard that lacks the tensor -> missing_tensor naming the shard', async () => {
    const dir = await mkdtemp(join(root, 'c-'));
    await writeShardedSafetensors(dir, TENSORS, { shards: 2 });
    const indexPath = join(dir, INDEX_FILE);
    const index = JSON.parse(await readFile(indexPath, 'utf8'));
    index.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors'; // it lives in shard 2
    index.weight_map['ghost.weight'] = 'model-00003-of-00003.safetensors';
    await writeFile(indexPath, JSON.stringify(index));
    const ckpt = await ShardedSafetensors.open(dir);
    try {
      const e = await ckpt.read('model.norm.weight').catch((x) => x);
      expect(e).toMatchObject({ code: 'missing_tensor', tensor: 'model.norm.weight' });
      expect(e.message).toContain('model-00001-of-00002.safetensors');
      await expect(ckpt.read('ghost.weight')).rejects.toThrow(/ENOENT/);
      await expect(ckpt.verify()).rejects.toThrow();
    } finally {
      await ckpt.close();
    }
  });

  it('rejects a malformed index and shard paths outside the directory', async () => {
    const dir = await mkdtemp(join(root, 'd-'));
    await writeSafetensors(join(dir, 'x.safetensors'), [TENSORS[4]!]);
    await writeFile(join(dir, INDEX_FILE), JSON.stringify({ weight_map: { a: '../x.safetensors' } }));
    await expect(ShardedSafetensors.open(dir)).rejects.toMatchObject({ code: 'bad_header' });
    await writeFile(join(dir, INDEX_FILE), '{"weight_map": 3}');
    await expect(ShardedSafetensors.open(dir)).rejects.toThrow(/invalid index/);
    await expect(ShardedSafetensors.open(join(root, 'nowhere'))).rejects.toThrow(/no model.safetensors.index.json or model.safetensors/);
  });
});
