// Qwen3 weights as bf16 GPU tensors, loaded from a HF checkpoint directory (one file or shards) or
// from host arrays (tests). Each tensor is streamed from the safetensors file straight into its
// buffer while the buffer is mapped at creation (no whole-file copy in JS memory, no staging
// buffer); F32 and F16 checkpoints are rounded to bf16 (nearest even) piece by piece.
// Tied embeddings: lmHead is the same tensor as embed (its gradient adds into embed's).
import { join } from 'node:path';
import type { Gpu } from '../gpu/gpu.js';
import { Tensor, byteSizeOf, numelOf } from '../gpu/tensor.js';
import { f16ArrayToF32, f32ArrayToBf16, viewAs } from '../io/dtype.js';
import { ShardedSafetensors } from '../io/safetensors/index.js';
import { type Qwen3Config, checkTensorShapes, loadQwen3Config, qwen3Tensors } from './config.js';

export interface LayerWeights {
  readonly inputNorm: Tensor; // [H]
  readonly q: Tensor; // [nh*hd, H]
  readonly k: Tensor; // [nkv*hd, H]
  readonly v: Tensor; // [nkv*hd, H]
  readonly o: Tensor; // [H, nh*hd]
  readonly qNorm: Tensor; // [hd]
  readonly kNorm: Tensor; // [hd]
  readonly postNorm: Tensor; // [H]
  readonly gate: Tensor; // [I, H]
  readonly up: Tensor; // [I, H]
  readonly down: Tensor; // [H, I]
}

export type LayerKey = keyof LayerWeights;

/** HF names of layer i's tensors. */
export function layerTensorNames(i: number): Record<LayerKey, string> {
  const p = `model.layers.${i}.`;
  return {
    inputNorm: `${p}input_layernorm.weight`,
    q: `${p}self_attn.q_proj.weight`,
    k: `${p}self_attn.k_proj.weight`,
    v: `${p}self_attn.v_proj.weight`,
    o: `${p}self_attn.o_proj.weight`,
    qNorm: `${p}self_attn.q_norm.weight`,
    kNorm: `${p}self_attn.k_norm.weight`,
    postNorm: `${p}post_attention_layernorm.weight`,
    gate: `${p}mlp.gate_proj.weight`,
    up: `${p}mlp.up_proj.weight`,
    down: `${p}mlp.down_proj.weight`,
  };
}

export const EMBED_NAME = 'model.embed_tokens.weight';
export const FINAL_NORM_NAME = 'model.norm.weight';
export const LM_HEAD_NAME = 'lm_head.weight';

export interface Qwen3Weights {
  readonly embed: Tensor; // [V, H]
  readonly layers: readonly LayerWeights[];
  readonly finalNorm: Tensor; // [H]
  /** [V, H]; === embed when the embeddings are tied. */
  readonly lmHead: Tensor;
  /** Every distinct tensor by HF name (no lm_head.weight entry when tied). */
  readonly byName: ReadonlyMap<string, Tensor>;
}

/** Assembles the structured view from tensors keyed by HF name. */
export function assembleWeights(c: Qwen3Config, byName: Map<string, Tensor>): Qwen3Weights {
  const get = (n: string): Tensor => {
    const t = byName.get(n);
    if (!t) throw new Error(`Qwen3 weights: missing tensor ${n}`);
    return t;
  };
  const layers: LayerWeights[] = [];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const names = layerTensorNames(i);
    const lw = {} as Record<LayerKey, Tensor>;
    for (const k of Object.keys(names) as LayerKey[]) lw[k] = get(names[k]);
    layers.push(lw);
  }
  const embed = get(EMBED_NAME);
  return { embed, layers, finalNorm: get(FINAL_NORM_NAME), lmHead: c.tie_word_embeddings ? embed : get(LM_HEAD_NAME), byName };
}

/** Bytes per streamed piece when a tensor is converted from F32/F16 (bounded JS memory). */
const PIECE_BYTES = 32 << 20;

/** A bf16 tensor created mapped; `fill` writes its bf16 bits into the mapped range. */
async function mappedBf16(gpu: Gpu, shape: readonly number[], label: string, fill: (dst: Uint16Array) => Promise<void>): Promise<Tensor> {
  const buffer = gpu.device.createBuffer({
    label,
    size: byteSizeOf(shape, 'bf16'),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    mappedAtCreation: true,
  });
  try {
    await fill(new Uint16Array(buffer.getMappedRange(), 0, numelOf(shape)));
  } catch (e) {
    buffer.unmap();
    buffer.destroy();
    throw e;
  }
  buffer.unmap();
  return new Tensor(buffer, shape, 'bf16', label);
}

/**
 * Loads every tensor the config expects from `dir` (config.json is read when `config` is not
 * given). Shapes are checked against the config first, naming every mismatch.
 */
export async function loadWeights(gpu: Gpu, dir: string, config?: Qwen3Config): Promise<{ config: Qwen3Config; weights: Qwen3Weights }> {
  const c = config ?? (await loadQwen3Config(join(dir, 'config.json')));
  const ckpt = await ShardedSafetensors.open(dir);
  const byName = new Map<string, Tensor>();
  try {
    const shapes = new Map<string, readonly number[]>();
    for (const n of ckpt.names) shapes.set(n, (await ckpt.info(n)).shape);
    const problems = checkTensorShapes(c, shapes);
    if (problems.length) throw new Error(`${dir}: checkpoint does not match config.json:\n  ${problems.join('\n  ')}`);
    for (const t of qwen3Tensors(c)) {
      const info = await ckpt.info(t.name);
      const file = await ckpt.fileOf(t.name);
      const tensor = await mappedBf16(gpu, t.shape, t.name, async (dst) => {
        const bytes = new Uint8Array(dst.buffer, dst.byteOffset, dst.byteLength);
        if (info.dtype === 'BF16') {
          await file.read(t.name, bytes);
          return;
        }
        if (info.dtype !== 'F32' && info.dtype !== 'F16') {
          throw new Error(`${file.path}: tensor ${t.name} has dtype ${info.dtype}; expected BF16, F16 or F32`);
        }
        const esize = info.dtype === 'F32' ? 4 : 2;
        const perPiece = Math.floor(PIECE_BYTES / esize);
        const buf = new Uint8Array(perPiece * esize);
        let done = 0;
        for await (const piece of file.chunks(t.name, perPiece * esize, buf)) {
          const f32 = info.dtype === 'F32' ? viewAs(Float32Array, piece.bytes) : f16ArrayToF32(viewAs(Uint16Array, piece.bytes));
          f32ArrayToBf16(f32, dst.subarray(done, done + f32.length));
          done += f32.length;
        }
      });
      byName.set(t.name, tensor);
    }
  } catch (e) {
    for (const t of byName.values()) t.destroy();
    throw e;
  } finally {
    await ckpt.close();
  }
  return { config: c, weights: assembleWeights(c, byName) };
}

/** Weights from host float values keyed by HF name (rounded to bf16). For tests and tools. */
export function weightsFromHost(gpu: Gpu, c: Qwen3Config, host: Readonly<Record<string, ArrayLike<number>>>): Qwen3Weights {
  const byName = new Map<string, Tensor>();
  for (const t of qwen3Tensors(c)) {
    const v = host[t.name];
    if (!v) throw new Error(`weightsFromHost: missing tensor ${t.name} [${t.shape.join(', ')}]`);
    byName.set(t.name, gpu.upload(v, t.shape, 'bf16', t.name));
  }
  return assembleWeights(c, byName);
}
