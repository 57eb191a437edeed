// The kernel tuner's vocabulary (tuner.ts, families.ts, memory-family.ts, sample-family.ts): the model dimensions a
// family derives its shapes from, a shape's trial on the device (record one iteration, read the
// outputs back, compare them with the reference variant's within per-output tolerances), and the
// helpers every family's trials share.
import type { Gpu } from '../../gpu/gpu.js';
import type { Tensor } from '../../gpu/tensor.js';
import type { VariantFamily } from '../../gpu/variants.js';
import { makeRng } from '../ref/random.js';

/** The shapes the tuner runs: the model's dimensions (tokens: per training pass or prefill, already
 *  capped by the tuner to keep tuning short). */
export interface TuneDims {
  hidden: number;
  intermediate: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  vocab: number;
  tokens: number;
}

/** One shape's inputs and outputs on the device. */
export interface TuneTrial {
  /** Records one iteration of the op with `variant` forced. */
  run(variant: string): void;
  /** The variant's outputs from the trial's initial inputs (submits and reads back). */
  outputs(variant: string): Promise<Float32Array[]>;
  /** `got` against the reference's outputs: ok, and a line saying how close. */
  compare(ref: Float32Array[], got: Float32Array[]): { ok: boolean; detail: string };
  dispose(): void;
}

export interface TuneShape {
  /** e.g. 'linear 2048x128x64'. */
  label: string;
  setup(): TuneTrial;
}

/** A variant and, when it cannot run on this device, why. */
export interface TuneCandidate {
  variant: string;
  unavailable?: string;
}

export interface TuneFamily {
  family: VariantFamily;
  /** The variant the others are checked against (always a candidate). */
  reference: string;
  /** Every variant of the family, those that cannot run here with the reason. */
  candidates(gpu: Gpu, d: TuneDims): Promise<TuneCandidate[]>;
  shapes(gpu: Gpu, d: TuneDims): TuneShape[];
}

// ------------------------------------------------------------------ helpers

/** n seeded values in [-scale, scale): a random block of at most 65521 values (prime, so the
 *  repetition never lines up with a row length), repeated; quick for the 14B shapes. */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(n);
  const rng = makeRng(seed);
  const period = Math.min(n, 65521);
  for (let i = 0; i < period; i++) out[i] = (rng() * 2 - 1) * scale;
  for (let filled = period; filled < n; filled = Math.min(n, filled * 2)) out.copyWithin(filled, 0, Math.min(filled, n - filled));
  return out;
}

/** Tolerance of one output: |got - ref| <= ofMax * max|ref| + rel * |ref|. */
export interface Tol {
  name: string;
  ofMax: number;
  rel: number;
}

/** Worst |diff| as a fraction of each output's tolerance; ok when every one is <= 1 (NaN never). */
export function compareOutputs(tols: readonly Tol[], ref: Float32Array[], got: Float32Array[]): { ok: boolean; detail: string } {
  let ok = true;
  const parts: string[] = [];
  tols.forEach((t, k) => {
    const r = ref[k]!, g = got[k]!;
    if (!g || g.length !== r.length) {
      ok = false;
      parts.push(`${t.name} missing`);
      return;
    }
    let max = 0;
    for (let i = 0; i < r.length; i++) max = Math.max(max, Math.abs(r[i]!));
    let worst = 0;
    for (let i = 0; i < r.length; i++) {
      const d = Math.abs(r[i]! - g[i]!) / (t.ofMax * max + t.rel * Math.abs(r[i]!) + 1e-30);
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
    }
    if (!(worst <= 1)) ok = false;
    parts.push(`${t.name} ${worst.toFixed(3)}`);
  });
  return { ok, detail: `${parts.join(', ')} of tolerance` };
}

async function readAll(gpu: Gpu, ts: Tensor[]): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const t of ts) out.push(await gpu.readF32(t));
  return out;
}

function destroyAll(ts: Tensor[]): void {
  for (const t of ts) t.destroy();
}

/** A trial whose op writes a fresh set of output tensors (`outs()`): timing reuses one set, a
 *  check records into a new one (the op's initial state) and reads it back. */
export function recordingTrial(
  gpu: Gpu,
  inputs: Tensor[],
  outs: () => Tensor[],
  record: (variant: string, o: Tensor[]) => void,
  tols: readonly Tol[],
): TuneTrial {
  const mine = outs();
  return {
    run: (variant) => record(variant, mine),
    async outputs(variant) {
      const o = outs();
      try {
        record(variant, o);
        return await readAll(gpu, o);
      } finally {
        destroyAll(o);
      }
    },
    compare: (ref, got) => compareOutputs(tols, ref, got),
    dispose: () => destroyAll([...inputs, ...mine]),
  };
}

