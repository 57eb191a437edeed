// The v2 attention kernels (src/ops/experimental/attention-v2.ts) vs the float64 reference, with
// the tolerances of the default kernels (test/ops/attention-case.ts).
import { describe, it } from 'vitest';
import type { AttnOptions } from '../../../src/ops/attention.js';
import '../../../src/ops/experimental/index.js'; // registers the variant
import { runCase } from '../attention-case.js';

describe('attention v2 (GPU) vs reference', () => {
  // v2: one thread grid for all cases (8-row query / 16-key tiles: several tiles per sequence,
  // partial tiles at the odd lengths; 8 threads = one lavapipe subgroup, whose barriers stay cheap
  // when the CPU is contended), subgroup row reductions and the workgroup-memory fallback.
  const V2: AttnOptions = { variant: 'v2', tilesV2: { tx: 4, ty: 2 } };
  // Six v2 pipelines in all (each costs 2-8 s of cold LLVM compile on lavapipe): the two hd-16
  // cases share theirs (f32 gradients, subgroup reductions); hd 128 takes bf16 gradients and the
  // workgroup-memory reductions.
  it('v2: lengths 1,5,17,33; heads 4 / kv 2; hd 16; f32 gradients', () =>
    runCase({ lengths: [1, 5, 17, 33], heads: 4, kvHeads: 2, hd: 16, gradDtype: 'f32', opts: V2 }, 11));
  it('v2: lengths 3,40,2; heads 5 / kv 1; hd 16; f32 gradients', () =>
    runCase({ lengths: [3, 40, 2], heads: 5, kvHeads: 1, hd: 16, gradDtype: 'f32', opts: V2 }, 12));
  it('v2: lengths 7,20; heads 4 / kv 2; hd 128; no subgroups', () =>
    runCase({ lengths: [7, 20], heads: 4, kvHeads: 2, hd: 128, opts: { ...V2, subgroups: false } }, 13));
});
