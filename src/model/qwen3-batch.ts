// Packed batches: several token sequences laid end to end (no padding), described by cu_seqlens
// (cumulative starts: [0, len0, len0+len1, ..., T]) as in flash-attention's varlen API.
// Positions restart at 0 in each sequence; the default targets are the next token within the same
// sequence and -1 (no target, logprob 0, no gradient) at each sequence's last token.
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';

export interface PackedBatch {
  /** Token ids [T]. */
  readonly tokens: ArrayLike<number>;
  /** [nSeq + 1], first 0, last T, non-decreasing. */
  readonly cuSeqlens: ArrayLike<number>;
  /** [T]: the token scored at each position, -1 = none. Default: nextTokenTargets. */
  readonly targets?: ArrayLike<number>;
  /** Softmax temperature of the scores (default 1): logprobs and entropies are those of
   *  softmax(logits / temperature), one temperature for the whole batch. RL passes use the
   *  temperature their rollouts were sampled at, so pi is the sampler's distribution (pi/mu = 1
   *  on-policy); src/ops/lm-head.ts. */
  readonly temperature?: number;
}

/** Packs sequences end to end (empty sequences are refused: they would have no tokens to score). */
export function packSequences(seqs: readonly (readonly number[])[]): Required<Omit<PackedBatch, 'temperature'>> & { tokens: Int32Array; cuSeqlens: Int32Array; targets: Int32Array } {
  const cu = new Int32Array(seqs.length + 1);
  seqs.forEach((s, i) => {
    if (s.length === 0) throw new Error(`packSequences: sequence ${i} is empty`);
    cu[i + 1] = cu[i]! + s.length;
  });
  const tokens = new Int32Array(cu[seqs.length]!);
  seqs.forEach((s, i) => tokens.set(s, cu[i]!));
  return { tokens, cuSeqlens: cu, targets: nextTokenTargets(tokens, cu) };
}

/** Throws naming the problem unless `batch` is well formed for a vocabulary of `vocab`. */
export function validateBatch(batch: PackedBatch, vocab: number, what = 'batch'): void {
  const T = batch.tokens.length;
  const cu = batch.cuSeqlens;
  if (T === 0) throw new Error(`${what}: no tokens`);
  if (cu.length < 2) throw new Error(`${what}: cuSeqlens needs at least 2 entries, got ${cu.length}`);
  if (cu[0] !== 0) throw new Error(`${what}: cuSeqlens[0] must be 0, got ${cu[0]}`);
  for (let s = 1; s < cu.length; s++) {
    if (!Number.isInteger(cu[s]) || cu[s]! < cu[s - 1]!) throw new Error(`${what}: cuSeqlens[${s}] = ${cu[s]} is not an integer >= cuSeqlens[${s - 1}] = ${cu[s - 1]}`);
  }
  if (cu[cu.length - 1] !== T) throw new Error(`${what}: cuSeqlens ends at ${cu[cu.length - 1]} but there are ${T} tokens`);
  if (batch.temperature !== undefined && !(Number.isFinite(batch.temperature) && batch.temperature > 0)) {
    throw new Error(`${what}: temperature must be a finite number > 0, got ${batch.temperature}`);
  }
  for (let t = 0; t < T; t++) {
    const id = batch.tokens[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new Error(`${what}: tokens[${t}] = ${id} is outside the vocabulary [0, ${vocab})`);
  }
  if (batch.targets) {
    if (batch.targets.length !== T) throw new Error(`${what}: targets has ${batch.targets.length} entries for ${T} tokens`);
    for (let t = 0; t < T; t++) {
      const y = batch.targets[t]!;
      if (!Number.isInteger(y) || y < -1 || y >= vocab) throw new Error(`${what}: targets[${t}] = ${y} must be -1 or in [0, ${vocab})`);
    }
  }
}

/** Next token within the same sequence; -1 at each sequence's last token. */
export function nextTokenTargets(tokens: ArrayLike<number>, cu: ArrayLike<number>): Int32Array {
  const targets = new Int32Array(tokens.length).fill(-1);
  for (let s = 0; s + 1 < cu.length; s++) {
    for (let t = cu[s]!; t + 1 < cu[s + 1]!; t++) targets[t] = tokens[t + 1]!;
  }
  return targets;
}

/** Position of each token within its sequence. */
export function packedPositions(cu: ArrayLike<number>): Uint32Array {
  const pos = new Uint32Array(cu[cu.length - 1]!);
  for (let s = 0; s + 1 < cu.length; s++) for (let t = cu[s]!; t < cu[s + 1]!; t++) pos[t] = t - cu[s]!;
  return pos;
}

/** The per-batch index tensors the kernels read. */
export interface BatchTensors {
  readonly T: number;
  readonly nSeq: number;
  readonly maxSeqLen: number;
  readonly ids: Tensor; // u32 [T]
  readonly positions: Tensor; // u32 [T]
  readonly cuSeqlens: Tensor; // u32 [nSeq + 1]
  readonly targets: Tensor; // i32 [T]
  /** Host copies (embedding backward may use them to avoid atomics). */
  readonly hostIds: Uint32Array;
  readonly hostTargets: Int32Array;
  destroy(): void;
}

export function uploadBatch(gpu: Gpu, batch: PackedBatch): BatchTensors {
  const T = batch.tokens.length;
  const cu = Uint32Array.from(batch.cuSeqlens);
  let maxSeqLen = 0;
  for (let s = 0; s + 1 < cu.length; s++) maxSeqLen = Math.max(maxSeqLen, cu[s + 1]! - cu[s]!);
  const hostIds = Uint32Array.from(batch.tokens);
  const hostTargets = batch.targets ? Int32Array.from(batch.targets) : nextTokenTargets(batch.tokens, cu);
  const ids = gpu.upload(hostIds, [T], 'u32', 'batch.ids');
  const positions = gpu.upload(packedPositions(cu), [T], 'u32', 'batch.positions');
  const cuSeqlens = gpu.upload(cu, [cu.length], 'u32', 'batch.cu_seqlens');
  const targets = gpu.upload(hostTargets, [T], 'i32', 'batch.targets');
  return {
    T,
    nSeq: cu.length - 1,
    maxSeqLen,
    ids,
    positions,
    cuSeqlens,
    targets,
    hostIds,
    hostTargets,
    destroy() {
      for (const t of [ids, positions, cuSeqlens, targets]) t.destroy();
    },
  };
}
