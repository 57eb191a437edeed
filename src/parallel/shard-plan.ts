// Which rank owns which weight's optimizer state. Whole tensors, not flat slices: AdamW runs per
// tensor, a checkpoint names tensors, and with ~440 tensors in Qwen3-14B the greedy balance below
// is within a few percent (largest first, to the least-loaded rank; ties to the lower rank, so
// every process computes the same plan from the same names and sizes).

export interface ShardPlan {
  /** Owning rank per weight name. */
  owner: Map<string, number>;
  /** Names owned by each rank, in the given order. */
  owned: string[][];
  /** Elements owned by each rank. */
  load: number[];
}

export function planShards(weights: readonly { name: string; numel: number }[], world: number): ShardPlan {
  if (!(Number.isInteger(world) && world >= 1)) throw new Error(`planShards: world size ${world} must be a positive integer`);
  const seen = new Set<string>();
  for (const w of weights) {
    if (seen.has(w.name)) throw new Error(`planShards: weight ${w.name} listed twice`);
    seen.add(w.name);
  }
  const order = weights.map((w, i) => ({ ...w, i })).sort((a, b) => b.numel - a.numel || a.i - b.i);
  const load = new Array<number>(world).fill(0);
  const owner = new Map<string, number>();
  for (const w of order) {
    let r = 0;
    for (let k = 1; k < world; k++) if (load[k]! < load[r]!) r = k;
    owner.set(w.name, r);
    load[r]! += w.numel;
  }
  const owned = Array.from({ length: world }, (_, r) => weights.filter((w) => owner.get(w.name) === r).map((w) => w.name));
  return { owner, owned, load };
}

/** Passes to ranks: largest first to the rank with the fewest tokens so far (ties: lower rank),
 *  each rank's passes kept in their original order. */
export function assignPasses<P extends { lossTokens: number; seqs: readonly (readonly number[])[] }>(passes: readonly P[], world: number): P[][] {
  const size = (p: P): number => p.seqs.reduce((a, s) => a + s.length, 0);
  const order = passes.map((p, i) => ({ p, i })).sort((a, b) => size(b.p) - size(a.p) || a.i - b.i);
  const load = new Array<number>(world).fill(0);
  const to = new Array<number>(passes.length);
  for (const { p, i } of order) {
    let r = 0;
    for (let k = 1; k < world; k++) if (load[k]! < load[r]!) r = k;
    to[i] = r;
    load[r]! += size(p);
  }
  return Array.from({ length: world }, (_, r) => passes.filter((_, i) => to[i] === r));
}
