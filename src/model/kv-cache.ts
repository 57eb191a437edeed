// KV cache for batched generation: per layer one K and one V matrix [slots * maxTokens, nkv*hd]
// bf16; sequence slot s owns rows [s * maxTokens, (s + 1) * maxTokens). Keys are stored after
// k_norm and RoPE (what attention consumes), so decoding never re-rotates them.
// Memory: 2 * layers * slots * maxTokens * nkv*hd * 2 bytes (Qwen3-14B: 160 KiB per token, so
// 64 slots x 8192 tokens = 80 GiB; size slots/maxTokens to the card).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import type { Qwen3Config } from './config.js';

const COPY_ROWS: KernelDef = { name: 'copy_rows', file: 'kv-cache.wgsl', entry: 'copy_rows', params: { n: 'u32', words: 'u32' } };

/** dst[dstRows[i]] = src[srcRows[i]] for i < n (rows of `rowElems` bf16 elements, even). */
export function copyRows(gpu: Gpu, src: Tensor, srcRows: Tensor, dst: Tensor, dstRows: Tensor, n: number): void {
  const op = 'copyRows';
  if (src.dtype !== 'bf16' || dst.dtype !== 'bf16') throw new Error(`${op}: ${src.describe()} and ${dst.describe()} must be bf16`);
  const cols = src.shape[src.shape.length - 1]!;
  if (dst.shape[dst.shape.length - 1] !== cols) throw new Error(`${op}: ${src.describe()} and ${dst.describe()} differ in row length`);
  if (srcRows.dtype !== 'u32' || dstRows.dtype !== 'u32' || srcRows.numel < n || dstRows.numel < n) {
    throw new Error(`${op}: ${srcRows.describe()} / ${dstRows.describe()} must be u32 with >= ${n} entries`);
  }
  if (n === 0) return;
  const words = cols / 2;
  gpu.dispatch(COPY_ROWS, { params: { n, words }, bindings: [src, srcRows, dstRows, dst], workgroups: Math.ceil((n * words) / 256) });
}

export interface DecodeAttentionDims {
  heads: number;
  kvHeads: number;
  headDim: number;
}

/**
 * out[b] = softmax(q[b] K_b^T / sqrt(hd)) V_b with K_b, V_b the cache rows meta[2b] ..
 * meta[2b] + meta[2b+1] - 1 (u32 pairs: start row, length). B = q.shape[0].
 */
export function attentionDecode(gpu: Gpu, q: Tensor, kCache: Tensor, vCache: Tensor, meta: Tensor, out: Tensor, d: DecodeAttentionDims): void {
  const op = 'attentionDecode';
  const B = q.shape[0]!;
  const Q = d.heads * d.headDim;
  const KV = d.kvHeads * d.headDim;
  for (const [t, cols] of [[q, Q], [out, Q], [kCache, KV], [vCache, KV]] as const) {
    if (t.dtype !== 'bf16' || t.shape.length !== 2 || t.shape[1] !== cols) throw new Error(`${op}: ${t.describe()} must be bf16 [*, ${cols}]`);
  }
  if (out.shape[0] !== B) throw new Error(`${op}: ${out.describe()} must have ${B} rows like ${q.describe()}`);
  if (meta.dtype !== 'u32' || meta.numel < 2 * B) throw new Error(`${op}: ${meta.describe()} must be u32 [2*${B}]`);
  if (d.heads % d.kvHeads !== 0) throw new Error(`${op}: heads ${d.heads} not a multiple of kvHeads ${d.kvHeads}`);
  if (d.headDim % 2 !== 0) throw new Error(`${op}: headDim ${d.headDim} must be even`);
  // 64 threads; a block of 512 scores (2 KiB) keeps workgroup memory small on every adapter.
  const def: KernelDef = { name: 'attention_decode', file: 'attention-decode.wgsl', consts: { HD: d.headDim, WG: 64, BLOCK: 512 }, params: { B: 'u32', nh: 'u32', nkv: 'u32', scale: 'f32' } };
  gpu.dispatch(def, {
    params: { B, nh: d.heads, nkv: d.kvHeads, scale: 1 / Math.sqrt(d.headDim) },
    bindings: [q, kCache, vCache, meta, out],
    workgroups: B * d.heads,
  });
}

export class KvCache {
  readonly k: Tensor[] = [];
  readonly v: Tensor[] = [];
  /** Tokens held by each slot. */
  readonly lengths: number[];

  constructor(
    gpu: Gpu,
    readonly config: Qwen3Config,
    readonly slots: number,
    readonly maxTokens: number,
  ) {
    const KV = config.num_key_value_heads * config.head_dim;
    const bytes = slots * maxTokens * KV * 2;
    if (bytes > gpu.maxBinding) {
      throw new Error(`KV cache: ${slots} slots x ${maxTokens} tokens x ${KV} = ${bytes} bytes per layer exceeds one binding (${gpu.maxBinding}); use fewer slots or tokens`);
    }
    for (let l = 0; l < config.num_hidden_layers; l++) {
      this.k.push(gpu.empty([slots * maxTokens, KV], 'bf16', `kv.k${l}`));
      this.v.push(gpu.empty([slots * maxTokens, KV], 'bf16', `kv.v${l}`));
    }
    this.lengths = new Array<number>(slots).fill(0);
  }

  /** The cache row of position `pos` in `slot`. */
  row(slot: number, pos: number): number {
    if (pos >= this.maxTokens) throw new Error(`KV cache: position ${pos} of slot ${slot} exceeds maxTokens ${this.maxTokens}`);
    return slot * this.maxTokens + pos;
  }

  destroy(): void {
    for (const t of [...this.k, ...this.v]) t.destroy();
  }
}
