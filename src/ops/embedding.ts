// Token embedding forward (row gather) and backward (scatter-add into an f32 table gradient).
// Tables may exceed one storage binding (Qwen3-14B: [151936, 5120] f32 = 3.1 GB): both directions
// loop over vocab-row chunks. The backward is deterministic: tokens are grouped by id on the host
// (sorted, token order kept inside a group) and one workgroup per unique id sums its tokens' rows.
// Rows move 8 elements per thread with 128-bit accesses when H % 8 == 0 (common/units.wgsl).
// On a CPU adapter (the device's memory variant 'cpu') both run in workgroups of one SIMD vector:
// a forward thread takes many units, a backward workgroup many ids (the same sums in the same
// order: identical results).
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { dtConsts, elemBytes, flatShape, memoryCpu, rowSpans, spanOf, type MemoryOpts } from './elementwise.js';

/** Ids per workgroup of the CPU-shaped backward (fewer where that leaves under 8 workgroups). */
const CPU_IDS_PER_WORKGROUP = 16;

export interface EmbeddingBwdOpts extends MemoryOpts {
  /** The ids as the host packed them: skips reading them back from the GPU. */
  hostIds?: Uint32Array;
}

function shapeOf(op: string, ids: Tensor, table: Tensor, rows: Tensor): { T: number; V: number; H: number } {
  if (ids.dtype !== 'u32' || ids.shape.length !== 1) throw new Error(`${op}: ids ${ids.describe()} must be u32 [T]`);
  if (table.shape.length !== 2) throw new Error(`${op}: table ${table.describe()} must be [V, H]`);
  const [V, H] = table.shape as [number, number];
  const T = ids.numel;
  if (rows.numel !== T * H) throw new Error(`${op}: ${rows.describe()} must be [T=${T}, H=${H}]`);
  return { T, V, H };
}

/** out[t] = table[ids[t]] (table bf16/f32, out bf16/f32). Ids >= V give NaN rows. */
export function embeddingForward(gpu: Gpu, ids: Tensor, table: Tensor, out: Tensor, opts: MemoryOpts = {}): void {
  const { T, V, H } = shapeOf('embeddingForward', ids, table, out);
  const vec = H % 8 === 0;
  const units = T * Math.ceil(H / (vec ? 8 : 2));
  const { wg, per } = flatShape(gpu, units, opts);
  const def: KernelDef = {
    name: wg === 256 ? 'embedding_fwd' : 'embedding_fwd_cpu',
    file: 'embedding.wgsl',
    entry: 'fwd',
    consts: {
      VEC: vec,
      WG: wg,
      PER: per,
      ...dtConsts('TB', table, 'embeddingForward', vec),
      ...dtConsts('O', out, 'embeddingForward', vec),
      D_A: vec ? 'vec4<f32>' : 'f32',
      D_W: vec ? '' : '.x',
    },
    params: { tokens: 'u32', H: 'u32', row0: 'u32', rows: 'u32', V: 'u32' },
  };
  if (out.byteSize > (opts.maxBindingBytes ?? gpu.maxBinding)) throw new Error(`embeddingForward: ${out.describe()} exceeds one binding`);
  const rb = H * elemBytes(table);
  for (const s of rowSpans(gpu, V, [rb], opts.maxBindingBytes)) {
    gpu.dispatch(def, {
      params: { tokens: T, H, row0: s.row0, rows: s.rows, V },
      bindings: [ids, spanOf(table, s, rb), out],
      workgroups: Math.ceil(units / (wg * per)),
    });
  }
}

/** Tokens grouped by id: off[nU+1] | ids[nU] | tokens[T] (see embedding.wgsl). */
export function groupTokens(hostIds: Uint32Array, V: number): { list: Uint32Array; uniq: Uint32Array; nU: number } {
  const T = hostIds.length;
  for (let t = 0; t < T; t++) {
    if (hostIds[t] >= V) throw new Error(`embeddingBackward: token id ${hostIds[t]} at position ${t} is outside the vocabulary [0, ${V})`);
  }
  const order = Array.from({ length: T }, (_, t) => t).sort((a, b) => hostIds[a] - hostIds[b] || a - b);
  const uniq: number[] = [];
  const off: number[] = [];
  order.forEach((t, k) => {
    if (k === 0 || hostIds[t] !== hostIds[order[k - 1]]) {
      uniq.push(hostIds[t]);
      off.push(k);
    }
  });
  off.push(T);
  const nU = uniq.length;
  const list = new Uint32Array(2 * nU + 1 + T);
  list.set(off, 0);
  list.set(uniq, nU + 1);
  list.set(order, 2 * nU + 1);
  return { list, uniq: Uint32Array.from(uniq), nU };
}

/** The token-group list's scratch purpose (src/gpu/arena.ts), rewritten per call. */
export const EMBEDDING_GROUPS = 'embedding.token-groups';

/** Bytes of the token-group list for T tokens over a V-token vocabulary, at most (every id
 *  distinct): off[nU+1] | ids[nU] | tokens[T] u32. */
export function tokenGroupBytes(T: number, V: number): number {
  return 4 * (2 * Math.min(T, V) + 1 + T);
}

/** The token-group list in the arena's scratch. gpu.write submits the work recorded so far before
 *  its queued write, so an earlier call's dispatches still read their own list. */
function tokenGroups(gpu: Gpu, list: Uint32Array): Tensor {
  const v = gpu.scratch.acquire(EMBEDDING_GROUPS, [list.length], 'u32');
  gpu.write(v, list);
  return v;
}

/** dTable (f32 [V, H]) += scatter of dOut rows by id. Records dispatches and returns when hostIds
 *  is given; otherwise reads the ids back first (a GPU sync) and returns a promise. */
export function embeddingBackward(gpu: Gpu, ids: Tensor, dOut: Tensor, dTable: Tensor, opts: EmbeddingBwdOpts & { hostIds: Uint32Array }): void;
export function embeddingBackward(gpu: Gpu, ids: Tensor, dOut: Tensor, dTable: Tensor, opts?: EmbeddingBwdOpts): void | Promise<void>;
export function embeddingBackward(gpu: Gpu, ids: Tensor, dOut: Tensor, dTable: Tensor, opts: EmbeddingBwdOpts = {}): void | Promise<void> {
  const { T, V, H } = shapeOf('embeddingBackward', ids, dTable, dOut);
  if (dTable.dtype !== 'f32') throw new Error(`embeddingBackward: dTable ${dTable.describe()} must be f32`);
  if (!opts.hostIds) {
    return gpu.read(ids).then((h) => embeddingBackward(gpu, ids, dOut, dTable, { ...opts, hostIds: h as Uint32Array }));
  }
  if (opts.hostIds.length !== T) throw new Error(`embeddingBackward: hostIds has ${opts.hostIds.length} ids, ids ${ids.describe()} has ${T}`);
  if (T === 0) return;
  const { list, uniq, nU } = groupTokens(opts.hostIds, V);
  const listT = tokenGroups(gpu, list);
  const vec = H % 8 === 0;
  const cpu = memoryCpu(gpu, opts);
  const wg = cpu ? gpu.cpuLanes : 256;
  const def = (per: number): KernelDef => ({
    name: cpu ? 'embedding_bwd_cpu' : 'embedding_bwd',
    file: 'embedding.wgsl',
    entry: 'bwd',
    consts: {
      VEC: vec,
      WG: wg,
      PER: per,
      TB_T: 'f32',
      TB_BF: false,
      TB_A: 'f32',
      ...dtConsts('O', dOut, 'embeddingBackward', vec),
      ...dtConsts('D', dTable, 'embeddingBackward', vec),
    },
    params: { H: 'u32', u0: 'u32', nU: 'u32', row0: 'u32', idsAt: 'u32', toksAt: 'u32' },
  });
  const rb = H * 4;
  let u = 0;
  for (const s of rowSpans(gpu, V, [rb], opts.maxBindingBytes)) {
    let u1 = u;
    while (u1 < nU && uniq[u1] < s.row0 + s.rows) u1++;
    if (u1 > u) {
      let per = cpu ? CPU_IDS_PER_WORKGROUP : 1;
      while (per > 1 && Math.ceil((u1 - u) / per) < 8) per /= 2;
      gpu.dispatch(def(per), {
        params: { H, u0: u, nU: u1 - u, row0: s.row0, idsAt: nU + 1, toksAt: 2 * nU + 1 },
        bindings: [listT, dOut, spanOf(dTable, s, rb)],
        workgroups: Math.ceil((u1 - u) / per),
      });
    }
    u = u1;
  }
}
