// Per-kernel GPU time (Gpu.startProfile / stopProfile, src/gpu/recorder.ts): while profiling,
// every dispatch runs in its own compute pass between two timestamps; at each submit the batch's
// timestamps are resolved, read back after the submit and added to totals per key.

export const PROFILE_QUERIES = 4096; // WebGPU's cap on one query set: 2048 dispatches per batch

export interface Profile {
  querySet: GPUQuerySet;
  keys: string[];
  pending: Promise<void>[];
  totals: Map<string, { ms: number; count: number }>;
}

export function newProfile(device: GPUDevice): Profile {
  return { querySet: device.createQuerySet({ type: 'timestamp', count: PROFILE_QUERIES }), keys: [], pending: [], totals: new Map() };
}

/** A dispatch's key: the kernel name, plus the R x C x K of a GEMM chunk. */
export function profileKey(name: string, params: Record<string, number> | undefined): string {
  return params && 'R' in params && 'C' in params && 'K' in params ? `${name} ${params.R}x${params.C}x${params.K}` : name;
}

/** Records the resolve of this batch's timestamps; the returned function (called after submit)
 *  reads them back and adds them to the totals. The profile gets a fresh query set. */
export function resolveProfile(device: GPUDevice, enc: GPUCommandEncoder, prof: Profile): () => Promise<void> {
  const n = prof.keys.length, keys = prof.keys, qs = prof.querySet;
  const resolve = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const read = device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  enc.resolveQuerySet(qs, 0, 2 * n, resolve, 0);
  enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
  prof.keys = [];
  prof.querySet = device.createQuerySet({ type: 'timestamp', count: PROFILE_QUERIES });
  return async () => {
    await read.mapAsync(GPUMapMode.READ);
    const ts = new BigUint64Array(read.getMappedRange().slice(0));
    read.unmap();
    read.destroy();
    resolve.destroy();
    qs.destroy();
    keys.forEach((k, i) => {
      const e = prof.totals.get(k) ?? { ms: 0, count: 0 };
      e.ms += Number(ts[2 * i + 1]! - ts[2 * i]!) / 1e6;
      e.count++;
      prof.totals.set(k, e);
    });
  };
}
