// The GPU runtime: one Dawn device (opened in src/gpu/device.ts), command recording that puts many
// dispatches into one compute pass and one submit (src/gpu/recorder.ts; errors raised by Dawn are
// turned into exceptions that name the kernels and shapes of the batch they came from), and here
// what the ops and the model use on top: tensors and their buffers, host writes, readback through
// a reused staging buffer, copies, GPU timing, and the device's scratch arena (src/gpu/arena.ts).
import { openDevice } from './device.js';
import { CommandRecorder } from './recorder.js';
import { Tensor, byteSizeOf, type DType } from './tensor.js';
import { readHost, writeHost } from './host-data.js';
import { ScratchArena } from './arena.js';

export type { GpuFeatures, SubgroupMatrixConfig } from './device.js';
export { grid, type Binding, type DispatchArgs, type KernelDef, type ParamType } from './kernel.js';

export class Gpu extends CommandRecorder {
  private readStaging: GPUBuffer | null = null;
  private readChain: Promise<unknown> = Promise.resolve();
  /** Every op's scratch buffers on this device, under one policy and one count (src/gpu/arena.ts). */
  readonly scratch: ScratchArena = new ScratchArena(this);

  protected override onSubmit(): void {
    this.scratch.submitted();
  }

  /** An uninitialised tensor (Dawn zero-fills new buffers). */
  empty(shape: readonly number[], dtype: DType, label = ''): Tensor {
    this.checkLost();
    const size = byteSizeOf(shape, dtype);
    if (size > this.limits.maxBufferSize) {
      throw new Error(`tensor ${label} [${shape.join('x')}] ${dtype} needs ${size} bytes > maxBufferSize ${this.limits.maxBufferSize}`);
    }
    const buffer = this.device.createBuffer({
      label,
      size,
      usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    });
    return new Tensor(buffer, shape, dtype, label);
  }

  /** A new tensor holding `data` (f32 values are rounded to bf16/f16 as the dtype says). The data
   *  is written straight into the new buffer while it is mapped at creation: no staging copy. */
  upload(data: ArrayLike<number>, shape: readonly number[], dtype: DType, label = ''): Tensor {
    this.checkLost();
    const t = new Tensor(
      this.device.createBuffer({
        label,
        size: byteSizeOf(shape, dtype),
        usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
        mappedAtCreation: true,
      }),
      shape,
      dtype,
      label,
    );
    if (data.length !== t.numel) {
      t.buffer.unmap();
      throw new Error(`upload ${t.describe()}: got ${data.length} values, expected ${t.numel}`);
    }
    const range = t.buffer.getMappedRange();
    writeHost(range, data, dtype);
    t.buffer.unmap();
    return t;
  }

  /** Overwrite a tensor's contents from host memory (small per-step data: token ids, positions). */
  write(t: Tensor, data: ArrayLike<number>): void {
    if (data.length !== t.numel) throw new Error(`write ${t.describe()}: got ${data.length} values, expected ${t.numel}`);
    const host = new ArrayBuffer(t.byteSize);
    writeHost(host, data, t.dtype);
    this.flush();
    this.device.queue.writeBuffer(t.buffer, t.byteOffset, host);
  }

  /** Overwrite bytes [byteOffset, byteOffset + bytes.length) of a tensor: a piece of a tensor too
   *  large for one JS array (sharded-training exchanges, src/parallel). Offset and length must be
   *  multiples of 4 (WebGPU's writeBuffer rule). */
  writeBytes(t: Tensor, byteOffset: number, bytes: Uint8Array<ArrayBuffer>): void {
    if (byteOffset % 4 || bytes.length % 4 || byteOffset < 0 || byteOffset + bytes.length > t.byteSize) {
      throw new Error(`writeBytes ${t.describe()}: ${bytes.length} bytes at ${byteOffset} (need multiples of 4 inside ${t.byteSize} bytes)`);
    }
    this.flush();
    this.device.queue.writeBuffer(t.buffer, t.byteOffset + byteOffset, bytes);
  }

  /** Read a tensor back: f32/bf16/f16 as Float32Array, u32 as Uint32Array, i32 as Int32Array. */
  async read(t: Tensor): Promise<Float32Array | Uint32Array | Int32Array> {
    const bytes = await this.readBytes(t.buffer, t.byteOffset, t.byteSize);
    return readHost(bytes, t.numel, t.dtype);
  }

  async readF32(t: Tensor): Promise<Float32Array> {
    const r = await this.read(t);
    if (!(r instanceof Float32Array)) throw new Error(`readF32 on ${t.describe()}`);
    return r;
  }

  /** Raw bytes [offset, offset+size) of a buffer, through a reused MAP_READ staging buffer.
   *  Reads are serialised: concurrent callers would otherwise map the same staging buffer twice. */
  readBytes(buffer: GPUBuffer, offset: number, size: number): Promise<Uint8Array> {
    const next = this.readChain.then(() => this.readBytesNow(buffer, offset, size));
    this.readChain = next.catch(() => undefined);
    return next;
  }

  private async readBytesNow(buffer: GPUBuffer, offset: number, size: number): Promise<Uint8Array> {
    this.checkLost();
    if (!this.readStaging || this.readStaging.size < size) {
      this.readStaging?.destroy();
      this.readStaging = this.device.createBuffer({
        label: 'read-staging',
        size: Math.max(size, 1 << 20),
        usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
      });
    }
    const staging = this.readStaging;
    this.endPass();
    this.ensureEncoder().copyBufferToBuffer(buffer, offset, staging, 0, size);
    await this.sync();
    await staging.mapAsync(GPUMapMode.READ, 0, size);
    const out = new Uint8Array(staging.getMappedRange(0, size).slice(0));
    staging.unmap();
    return out;
  }

  copy(src: Tensor, dst: Tensor, size = Math.min(src.byteSize, dst.byteSize)): void {
    this.endPass();
    this.ensureEncoder().copyBufferToBuffer(src.buffer, src.byteOffset, dst.buffer, dst.byteOffset, size);
  }

  /** Zero a tensor (clearBuffer in the current command stream). */
  zero(t: Tensor): void {
    this.endPass();
    this.ensureEncoder().clearBuffer(t.buffer, t.byteOffset, t.byteSize);
  }

  /** Split `rows` rows of `rowBytes` each into chunks that fit one storage binding and start on
   *  the storage offset alignment. Used by ops whose tensors exceed the binding cap (128 MiB on
   *  lavapipe, 2 GiB on NVIDIA: a Qwen3-14B fp32 master embedding is 3.1 GB). */
  rowChunks(rows: number, rowBytes: number, maxBytes = this.maxBinding): { row0: number; rows: number; offset: number; size: number }[] {
    const align = this.limits.minStorageBufferOffsetAlignment;
    const step = align / gcd(rowBytes, align); // rows per aligned unit
    let perChunk = Math.floor(maxBytes / rowBytes);
    perChunk -= perChunk % step;
    if (perChunk < 1) throw new Error(`a row of ${rowBytes} bytes cannot fit one binding of ${maxBytes} bytes with alignment`);
    const out = [];
    for (let r = 0; r < rows; r += perChunk) {
      const n = Math.min(perChunk, rows - r);
      out.push({ row0: r, rows: n, offset: r * rowBytes, size: Math.ceil((n * rowBytes) / 4) * 4 });
    }
    return out;
  }

  /** GPU time in ms of the dispatches `fn` records, measured with timestamp queries around one
   *  compute pass (falls back to wall time around submit+wait where timestamps are missing). */
  async timeGpu(fn: () => void): Promise<number> {
    await this.sync();
    if (!this.features.timestamps) {
      const t0 = performance.now();
      fn();
      await this.sync();
      return performance.now() - t0;
    }
    const querySet = this.device.createQuerySet({ type: 'timestamp', count: 2 });
    const resolve = this.device.createBuffer({ size: 16, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.timedPass = { querySet, begun: false };
    try {
      fn();
    } finally {
      this.endPass();
      this.timedPass = null;
    }
    this.ensureEncoder().resolveQuerySet(querySet, 0, 2, resolve, 0);
    const bytes = await this.readBytes(resolve, 0, 16);
    const ts = new BigUint64Array(bytes.buffer, bytes.byteOffset, 2);
    querySet.destroy();
    resolve.destroy();
    return Number(ts[1] - ts[0]) / 1e6;
  }

  destroy(): void {
    this.scratch.destroy();
    this.device.destroy();
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

// ------------------------------------------------------------------ the process-wide device

let gpuPromise: Promise<Gpu> | null = null;

/** The process-wide GPU: Dawn instance with our toggles, the first adapter, a device with every
 *  optional feature we use that the adapter has, and the adapter's values of the limits compute
 *  work depends on (COMPUTE_LIMITS). */
export function getGpu(): Promise<Gpu> {
  gpuPromise ??= createGpu();
  return gpuPromise;
}

export async function createGpu(): Promise<Gpu> {
  return new Gpu(...(await openDevice()));
}
