// The GPU runtime: one Dawn device (opened in src/gpu/device.ts), command recording that puts many
// dispatches into one compute pass and one submit (src/gpu/recorder.ts; errors raised by Dawn are
// turned into exceptions that name the kernels and shapes of the batch they came from), and here
// what the ops and the model use on top: tensors and their buffers, host writes, readback through
// a reused staging buffer, copies, GPU timing, and the device's scratch arena (src/gpu/arena.ts).
import { openDevice } from './device.js';
import { CommandRecorder } from './recorder.js';
import { Tensor, byteSizeOf, type DType } from './tensor.js';
import { readHost, STAGING_BYTES, writeHost } from './host-data.js';
import { ScratchArena } from './arena.js';

export type { GpuFeatures, SubgroupMatrixConfig } from './device.js';
export { grid, type Binding, type DispatchArgs, type KernelDef, type ParamType } from './kernel.js';

export class Gpu extends CommandRecorder {
  private readStaging: GPUBuffer | null = null;
  private readChain: Promise<unknown> = Promise.resolve();
  private readonly writeStaging: (GPUBuffer | null)[] = [null, null];
  private writeTurn = 0;
  private writeChain: Promise<unknown> = Promise.resolve();
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
   *  multiples of 4. Goes through the reused staging buffers of writeBytesFrom. */
  writeBytes(t: Tensor, byteOffset: number, bytes: Uint8Array): Promise<void> {
    return this.writeBytesFrom(t, byteOffset, bytes.length, (dst, at) => void dst.set(bytes.subarray(at, at + dst.length)));
  }

  /** Overwrite `length` bytes of a tensor from `byteOffset` with what `fill` writes into mapped
   *  staging memory, one piece (at most STAGING_BYTES, starting `at` bytes into the range) at a
   *  time: a file read can land there with no JS copy in between. Two reused MAP_WRITE buffers
   *  take turns, so the next piece is filled while the previous one's copy to the device runs;
   *  queue.writeBuffer, used before, measured 3.5x slower on an H200 (architecture.md: 2.5 against
   *  8.9 GB/s at 256 MiB). The copies are recorded in order with the other work, like a dispatch.
   *  Calls are serialised (each staging buffer is mapped by one caller at a time). */
  writeBytesFrom(t: Tensor, byteOffset: number, length: number, fill: (dst: Uint8Array, at: number) => void | Promise<void>): Promise<void> {
    if (byteOffset % 4 || length % 4 || byteOffset < 0 || length < 0 || byteOffset + length > t.byteSize) {
      return Promise.reject(new Error(`writeBytes ${t.describe()}: ${length} bytes at ${byteOffset} (need multiples of 4 inside ${t.byteSize} bytes)`));
    }
    const next = this.writeChain.then(() => this.writeBytesNow(t, byteOffset, length, fill));
    this.writeChain = next.catch(() => undefined);
    return next;
  }

  private async writeBytesNow(t: Tensor, byteOffset: number, length: number, fill: (dst: Uint8Array, at: number) => void | Promise<void>): Promise<void> {
    for (let at = 0; at < length; at += STAGING_BYTES) {
      this.checkLost();
      const len = Math.min(STAGING_BYTES, length - at);
      const turn = this.writeTurn++ % 2;
      let staging = this.writeStaging[turn];
      if (!staging || staging.size < len) {
        staging?.destroy();
        staging = this.writeStaging[turn] = this.device.createBuffer({
          label: `write-staging-${turn}`,
          // The first caller's size, at least 1 MiB: the exchanges always ask for full pieces.
          size: Math.max(len, Math.min(STAGING_BYTES, 1 << 20)),
          usage: GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC,
        });
      }
      // Resolves once the GPU has finished this buffer's previous copy (it was submitted below).
      await staging.mapAsync(GPUMapMode.WRITE, 0, len);
      try {
        await fill(new Uint8Array(staging.getMappedRange(0, len)), at);
      } finally {
        staging.unmap();
      }
      this.endPass();
      this.ensureEncoder().copyBufferToBuffer(staging, 0, t.buffer, t.byteOffset + byteOffset + at, len);
      // Submitted now: mapping a buffer that an unsubmitted command uses would fail that submit.
      this.flush();
    }
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

  /** Raw bytes [offset, offset+size) of a buffer, copied out of the reused MAP_READ staging
   *  buffer (readMapped) into JS memory. */
  async readBytes(buffer: GPUBuffer, offset: number, size: number): Promise<Uint8Array> {
    const m = await this.readMapped(buffer, offset, size);
    try {
      return m.bytes.slice();
    } finally {
      m.release();
    }
  }

  /** Raw bytes [offset, offset+size) of a buffer as a view of the mapped MAP_READ staging buffer,
   *  valid until release(): a file write can take them from there with no copy into JS memory
   *  (on an H200 that copy is most of the cost: architecture.md measured 47 GB/s without it,
   *  8.1 with it, at 256 MiB). Reads are serialised: the next one waits for release(). */
  readMapped(buffer: GPUBuffer, offset: number, size: number): Promise<{ bytes: Uint8Array; release: () => void }> {
    let released!: () => void;
    const held = new Promise<void>((r) => (released = r));
    const mapped = this.readChain.then(() => this.mapForRead(buffer, offset, size));
    this.readChain = mapped.then(
      () => held,
      () => undefined,
    );
    return mapped.then(({ staging, bytes }) => {
      let done = false;
      const release = (): void => {
        if (done) return;
        done = true;
        staging.unmap();
        released();
      };
      return { bytes, release };
    });
  }

  private async mapForRead(buffer: GPUBuffer, offset: number, size: number): Promise<{ staging: GPUBuffer; bytes: Uint8Array }> {
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
    return { staging, bytes: new Uint8Array(staging.getMappedRange(0, size)) };
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
