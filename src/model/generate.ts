// Batched generation with a KV cache, continuous batching over a fixed number of sequence slots:
//   - admit: waiting requests take free slots; their prompts are prefilled together as one packed
//     forward that also writes each layer's keys (after k_norm + RoPE) and values into the cache,
//     and the last prompt position's logits give each one's first new token. Requests admitted
//     together with the same prompt (an RL group: n rollouts of one prompt) share one prefill: the
//     first computes it, and its keys and values are also written to the others' slots;
//   - decode: one token per step for every active sequence (each step's K/V appended to the cache,
//     attention of the one new query against the sequence's cached keys: kernels/attention-decode.wgsl);
//   - logits of the active rows go through lm_head and are sampled on the GPU (src/ops/sample.ts):
//     only token ids and logprobs come back; a sequence ends at a stop token or after
//     maxNewTokens, freeing its slot.
// A draw depends only on the logits, the request's seed and its step, so results do not depend on
// batching.
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { Rng } from '../io/rng.js';
import { attentionForward } from '../ops/attention.js';
import type { Qwen3Model } from './qwen3.js';
import { packedPositions } from './qwen3-batch.js';
import { KvCache, attentionDecode, copyRows } from './kv-cache.js';
import { SamplingParams, type Sampled, type SamplingInput } from '../ops/sampling.js';
import { sampleRows } from '../ops/sample.js';

export interface GenerateRequest {
  prompt: readonly number[];
  maxNewTokens: number;
  /** Generation ends after emitting one of these (it is included in the output), e.g. <|im_end|>. */
  stopTokens?: readonly number[];
  sampling?: SamplingInput;
  /** RNG seed of this request's stream (default: the generator's seed and the request's index). */
  seed?: number | string;
}

export interface GenerateResult {
  /** The new tokens (a stop token, when hit, is the last one). */
  tokens: number[];
  /** log mu(token) per new token: the sampler's own distribution (see sampling.ts). */
  logprobs: number[];
  /** log softmax(logits)[token] per new token, temperature 1, no truncation. */
  modelLogprobs: number[];
  finishReason: 'stop' | 'length';
}

export interface GeneratorOptions {
  /** Sequences decoded at once (KV-cache slots). */
  slots: number;
  /** Capacity of one slot: prompt + new tokens. */
  maxTokens: number;
  /** Prompt tokens per prefill forward (default 16384): admitted prompts are prefilled in groups
   *  of at most this many tokens (a longer prompt alone), which bounds the activation memory
   *  (~635 KB per token for Qwen3-14B: src/model/qwen3-activations.ts) whatever the batch. */
  maxPrefillTokens?: number;
  seed?: number | string;
}

interface Active {
  index: number;
  slot: number;
  req: GenerateRequest;
  params: SamplingParams;
  stops: Set<number>;
  /** u32 seed of the request's draws. */
  seed: number;
  /** Tokens in the cache. */
  len: number;
  /** The last sampled token, not yet in the cache. */
  next: number;
  out: GenerateResult;
}

/** The requests admitted together, by prompt: each first request with a prompt (in order) maps to
 *  the later ones with the same tokens, whose prefill it computes for them. */
function samePrompts(admitted: readonly Active[]): Map<Active, Active[]> {
  const out = new Map<Active, Active[]>();
  const byPrompt = new Map<string, Active>();
  for (const a of admitted) {
    const key = a.req.prompt.join(',');
    const leader = byPrompt.get(key);
    if (leader) out.get(leader)!.push(a);
    else {
      byPrompt.set(key, a);
      out.set(a, []);
    }
  }
  return out;
}

/** Consecutive groups of `seqs` whose prompts total at most `cap` tokens (a longer one alone). */
export function prefillGroups<T extends { req: { prompt: readonly number[] } }>(seqs: readonly T[], cap: number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let used = 0;
  for (const s of seqs) {
    const n = s.req.prompt.length;
    if (cur.length > 0 && used + n > cap) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(s);
    used += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

export class Generator {
  readonly cache: KvCache;
  /** Prefill forwards run so far, and the prompt tokens they computed (shared prompts once). */
  prefills = 0;
  prefillTokens = 0;
  /** Tokens sampled so far, turns still decoding included: progress lines read it while a long
   *  generate() runs (one count per sampled token, nothing on the GPU). */
  generated = 0;
  private readonly gpu: Gpu;

  constructor(
    readonly model: Qwen3Model,
    readonly opts: GeneratorOptions,
  ) {
    this.gpu = model.gpu;
    this.cache = new KvCache(model.gpu, model.config, opts.slots, opts.maxTokens);
  }

  async generate(requests: readonly GenerateRequest[]): Promise<GenerateResult[]> {
    const V = this.model.config.vocab_size;
    const results: GenerateResult[] = new Array(requests.length);
    requests.forEach((r, i) => {
      if (r.prompt.length === 0) throw new Error(`generate: request ${i} has an empty prompt`);
      if (!(Number.isInteger(r.maxNewTokens) && r.maxNewTokens >= 1)) throw new Error(`generate: request ${i}: maxNewTokens must be a positive integer, got ${r.maxNewTokens}`);
      // The last new token is never fed back, so the cache holds prompt + maxNewTokens - 1 tokens.
      if (r.prompt.length + r.maxNewTokens - 1 > this.opts.maxTokens) {
        throw new Error(`generate: request ${i}: prompt ${r.prompt.length} + maxNewTokens ${r.maxNewTokens} exceeds the slot capacity ${this.opts.maxTokens} + 1`);
      }
      r.prompt.forEach((t, j) => {
        if (!Number.isInteger(t) || t < 0 || t >= V) throw new Error(`generate: request ${i}: prompt[${j}] = ${t} is outside the vocabulary [0, ${V})`);
      });
    });
    const root = new Rng(this.opts.seed ?? 0);
    const pending = requests.map((_, i) => i);
    const free = Array.from({ length: this.opts.slots }, (_, s) => this.opts.slots - 1 - s); // pop() gives slot 0 first
    let active: Active[] = [];

    const emit = (a: Active, s: Sampled): boolean => {
      this.generated++;
      a.out.tokens.push(s.token);
      a.out.logprobs.push(s.logprob);
      a.out.modelLogprobs.push(s.modelLogprob);
      a.next = s.token;
      if (a.stops.has(s.token)) a.out.finishReason = 'stop';
      else if (a.out.tokens.length < a.req.maxNewTokens) return true;
      results[a.index] = a.out;
      free.push(a.slot);
      return false;
    };

    while (pending.length > 0 || active.length > 0) {
      const admitted: Active[] = [];
      while (pending.length > 0 && free.length > 0) {
        const index = pending.shift()!;
        const req = requests[index]!;
        admitted.push({
          index,
          slot: free.pop()!,
          req,
          params: SamplingParams.parse(req.sampling ?? {}),
          stops: new Set(req.stopTokens ?? []),
          seed: (req.seed !== undefined ? new Rng(req.seed) : root.fork(index)).u32(),
          len: req.prompt.length,
          next: -1,
          out: { tokens: [], logprobs: [], modelLogprobs: [], finishReason: 'length' },
        });
      }
      // Decode the sequences already running first, then prefill the newly admitted ones.
      if (active.length > 0) {
        const sampled = await this.decode(active);
        active = active.filter((a, b) => {
          a.len += 1;
          return emit(a, sampled[b]!);
        });
      }
      const same = samePrompts(admitted);
      for (const group of prefillGroups([...same.keys()], this.opts.maxPrefillTokens ?? 16384)) {
        const sampled = await this.prefill(group, same);
        this.prefills++;
        for (const [b, a] of group.flatMap((x) => [x, ...same.get(x)!]).entries()) if (emit(a, sampled[b]!)) active.push(a);
      }
    }
    return results;
  }

  private rowsTensor(values: ArrayLike<number>, label: string): Tensor {
    return this.gpu.upload(values, [values.length], 'u32', label);
  }

  /** Packed forward of the admitted prompts, filling their cache slots and those of the requests
   *  sharing each prompt (`followers`); the first new token of each, leaders then each leader's
   *  followers in order, sampled from its prompt's last position's logits. */
  private async prefill(seqs: readonly Active[], followers: ReadonlyMap<Active, readonly Active[]>): Promise<Sampled[]> {
    const model = this.model;
    const c = model.config;
    const cu = [0];
    for (const a of seqs) cu.push(cu[cu.length - 1]! + a.req.prompt.length);
    const T = cu[cu.length - 1]!;
    const tokens = seqs.flatMap((a) => [...a.req.prompt]);
    const positions = packedPositions(cu);
    const cacheRows = new Uint32Array(T);
    // Followers: their cache rows take the leader's packed rows too (a second row copy per layer).
    const followSrc: number[] = [];
    const followDst: number[] = [];
    const all: Active[] = []; // the order of the results: each leader, then its followers
    const last: number[] = []; // each one's row of last-position logits: its leader's
    seqs.forEach((a, s) => {
      for (let t = cu[s]!; t < cu[s + 1]!; t++) cacheRows[t] = this.cache.row(a.slot, t - cu[s]!);
      for (const x of [a, ...(followers.get(a) ?? [])]) {
        all.push(x);
        last.push(cu[s + 1]! - 1);
        if (x === a) continue;
        for (let t = cu[s]!; t < cu[s + 1]!; t++) {
          followSrc.push(t);
          followDst.push(this.cache.row(x.slot, t - cu[s]!));
        }
      }
    });
    const F = followSrc.length;
    this.prefillTokens += T;
    const temps = {
      ids: this.rowsTensor(tokens, 'prefill.ids'),
      positions: this.rowsTensor(positions, 'prefill.positions'),
      cu: this.rowsTensor(cu, 'prefill.cu_seqlens'),
      iota: this.rowsTensor(Array.from({ length: T }, (_, i) => i), 'prefill.iota'),
      cacheRows: this.rowsTensor(cacheRows, 'prefill.cache_rows'),
      last: this.rowsTensor(last, 'prefill.last'),
      pickIota: this.rowsTensor(Array.from({ length: all.length }, (_, i) => i), 'prefill.pick_iota'),
      ...(F > 0 ? { followSrc: this.rowsTensor(followSrc, 'prefill.follow_src'), followDst: this.rowsTensor(followDst, 'prefill.follow_dst') } : {}),
    };
    const maxSeqLen = Math.max(...seqs.map((a) => a.req.prompt.length));
    const dims = { heads: c.num_attention_heads, kvHeads: c.num_key_value_heads, headDim: c.head_dim };
    try {
      model.trunk({ T, ids: temps.ids, positions: temps.positions }, (a, l) => {
        copyRows(this.gpu, a.kr, temps.iota, this.cache.k[l]!, temps.cacheRows, T);
        copyRows(this.gpu, a.v, temps.iota, this.cache.v[l]!, temps.cacheRows, T);
        if (temps.followSrc && temps.followDst) {
          copyRows(this.gpu, a.kr, temps.followSrc, this.cache.k[l]!, temps.followDst, F);
          copyRows(this.gpu, a.v, temps.followSrc, this.cache.v[l]!, temps.followDst, F);
        }
        attentionForward(this.gpu, a.qr, a.kr, a.v, temps.cu, a.attn, a.lse, dims, { nSeq: seqs.length, maxSeqLen }, model.kernels?.attention);
      });
      return await this.sampleLast(T, temps.last, temps.pickIota, all);
    } finally {
      for (const t of Object.values(temps)) t.destroy();
    }
  }

  /** One decode step: each active sequence's pending token at position len; the next tokens. */
  private async decode(seqs: readonly Active[]): Promise<Sampled[]> {
    const model = this.model;
    const c = model.config;
    const B = seqs.length;
    const seqInfo = new Uint32Array(2 * B);
    seqs.forEach((a, b) => {
      seqInfo[2 * b] = this.cache.row(a.slot, 0);
      seqInfo[2 * b + 1] = a.len + 1;
    });
    const temps = {
      ids: this.rowsTensor(seqs.map((a) => a.next), 'decode.ids'),
      positions: this.rowsTensor(seqs.map((a) => a.len), 'decode.positions'),
      iota: this.rowsTensor(Array.from({ length: B }, (_, i) => i), 'decode.iota'),
      cacheRows: this.rowsTensor(seqs.map((a) => this.cache.row(a.slot, a.len)), 'decode.cache_rows'),
      seqs: this.rowsTensor(seqInfo, 'decode.seqs'),
    };
    const dims = { heads: c.num_attention_heads, kvHeads: c.num_key_value_heads, headDim: c.head_dim };
    try {
      model.trunk({ T: B, ids: temps.ids, positions: temps.positions }, (a, l) => {
        copyRows(this.gpu, a.kr, temps.iota, this.cache.k[l]!, temps.cacheRows, B);
        copyRows(this.gpu, a.v, temps.iota, this.cache.v[l]!, temps.cacheRows, B);
        attentionDecode(this.gpu, a.qr, this.cache.k[l]!, this.cache.v[l]!, temps.seqs, a.attn, dims);
      });
      return await this.sampleLast(B, temps.iota, temps.iota, seqs);
    } finally {
      for (const t of Object.values(temps)) t.destroy();
    }
  }

  /** Final norm of T rows, rows `pick` gathered into one row per sequence, lm_head, sampled. */
  private async sampleLast(T: number, pick: Tensor, iota: Tensor, seqs: readonly Active[]): Promise<Sampled[]> {
    const c = this.model.config;
    const B = seqs.length;
    this.model.finalNorm(T);
    const h = this.model.activations(T).heads(T);
    // One [slots, V] logits buffer for the generator's life: a new one per step cost a lazy clear
    // and fresh pages (10 MB at 16 rows of Qwen3's vocabulary), more than the lm_head on lavapipe.
    this.lastRows ??= this.gpu.empty([this.opts.slots, c.hidden_size], 'bf16', 'gen.last_hidden');
    this.logitsBuf ??= this.gpu.empty([this.opts.slots, c.vocab_size], 'f32', 'gen.logits');
    const rows = this.lastRows.view(0, [B, c.hidden_size], 'gen.last_hidden');
    const logits = this.logitsBuf.view(0, [B, c.vocab_size], 'gen.logits');
    copyRows(this.gpu, h.nf, pick, rows, iota, B);
    this.model.logits(rows, logits);
    return await sampleRows(this.gpu, logits, seqs.map((a) => ({ params: a.params, seed: a.seed, step: a.out.tokens.length })));
  }

  private lastRows: Tensor | null = null;
  private logitsBuf: Tensor | null = null;

  destroy(): void {
    this.cache.destroy();
    this.gpu.flush();
    this.lastRows?.destroy();
    this.logitsBuf?.destroy();
    this.lastRows = this.logitsBuf = null;
  }
}

/** Logits [V] after each sequence by a full forward with no cache (tests, and a cross-check of
 *  the cached path). */
export async function fullForwardLastLogits(model: Qwen3Model, seqs: readonly (readonly number[])[]): Promise<Float32Array[]> {
  const gpu = model.gpu;
  const c = model.config;
  const cu = [0];
  for (const s of seqs) cu.push(cu[cu.length - 1]! + s.length);
  const T = cu[cu.length - 1]!;
  const t = {
    ids: gpu.upload(seqs.flat(), [T], 'u32', 'full.ids'),
    positions: gpu.upload(packedPositions(cu), [T], 'u32', 'full.positions'),
    cu: gpu.upload(cu, [cu.length], 'u32', 'full.cu'),
    last: gpu.upload(cu.slice(1).map((e) => e - 1), [seqs.length], 'u32', 'full.last'),
    iota: gpu.upload(seqs.map((_, i) => i), [seqs.length], 'u32', 'full.iota'),
    rows: gpu.empty([seqs.length, c.hidden_size], 'bf16', 'full.rows'),
    logits: gpu.empty([seqs.length, c.vocab_size], 'f32', 'full.logits'),
  };
  try {
    const dims = { heads: c.num_attention_heads, kvHeads: c.num_key_value_heads, headDim: c.head_dim };
    model.trunk({ T, ids: t.ids, positions: t.positions }, (a) =>
      attentionForward(gpu, a.qr, a.kr, a.v, t.cu, a.attn, a.lse, dims, { nSeq: seqs.length, maxSeqLen: Math.max(...seqs.map((s) => s.length)) }, model.kernels?.attention),
    );
    model.finalNorm(T);
    copyRows(gpu, model.activations(T).heads(T).nf, t.last, t.rows, t.iota, seqs.length);
    model.logits(t.rows, t.logits);
    const all = await gpu.readF32(t.logits);
    return seqs.map((_, i) => all.slice(i * c.vocab_size, (i + 1) * c.vocab_size));
  } finally {
    for (const x of Object.values(t)) x.destroy();
  }
}
