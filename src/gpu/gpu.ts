// The GPU runtime: one Dawn device, a pipeline cache, and command recording that puts many
// dispatches into one compute pass and one submit (a dispatch costs ~4 us in a shared pass, ~15 us
// in its own, a submit-and-wait ~35 us on the H200: architecture.md). Errors raised by Dawn are
// turned into exceptions that name the kernels and shapes of the batch they came from.
import { create, globals } from 'webgpu';
import { dawnFlags } from './toggles.js';
import { withFilteredStderr } from './quiet-stderr.js';
import { COMPUTE_LIMITS } from './limits.js';
import { adapterHelp, prepareVulkanEnv, type VulkanEnvReport } from './vulkan-env.js';
import { GpuDeviceLostError, GpuUnavailableError, GpuValidationError, KernelCompileError } from './errors.js';
import { specialize, type ConstValue } from './wgsl.js';
import { Tensor, byteSizeOf, type DType } from './tensor.js';
import { readHost, writeHost } from './host-data.js';
import { ScratchArena } from './arena.js';

export type ParamType = 'u32' | 'i32' | 'f32';

/** A kernel: a WGSL file, its entry point, compile-time constants and its uniform parameters.
 *  Binding convention: when `params` is given, @binding(0) is `var<uniform> p: Params` with the
 *  fields in the same order (4 bytes each); storage buffers follow from @binding(1) in the order
 *  passed to dispatch. Without params, storage buffers start at @binding(0). */
export interface KernelDef {
  name: string;
  file: string;
  entry?: string;
  consts?: Record<string, ConstValue>;
  params?: Record<string, ParamType>;
}

export type Binding = Tensor | GPUBufferBinding;

export interface DispatchArgs {
  params?: Record<string, number>;
  bindings: Binding[];
  /** Workgroup counts; a single number over 65535 is folded into x*y by `grid`. */
  workgroups: number | [number, number?, number?];
}

export interface GpuFeatures {
  f16: boolean;
  subgroups: boolean;
  subgroupMatrix: boolean;
  timestamps: boolean;
}

export interface SubgroupMatrixConfig {
  componentType: string;
  resultComponentType: string;
  M: number;
  N: number;
  K: number;
}

const OPTIONAL_FEATURES = ['shader-f16', 'subgroups', 'chromium-experimental-subgroup-matrix', 'timestamp-query'] as const;
const UNIFORM_SLOT = 256; // minUniformBufferOffsetAlignment on every adapter we target
const UNIFORM_CHUNK = 64 * 1024;
const AUTO_FLUSH = 4096; // dispatches per submit before we flush by ourselves

interface Pipeline {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  paramNames: string[];
  paramTypes: ParamType[];
}

interface UniformChunk {
  buffer: GPUBuffer;
  host: ArrayBuffer;
  used: number;
}

export class Gpu {
  readonly features: GpuFeatures;
  readonly limits: Record<string, number>;
  readonly subgroupMatrixConfigs: SubgroupMatrixConfig[];
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly compileErrors: string[] = [];
  private readonly pendingCompiles: Promise<void>[] = [];
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchLabels: string[] = [];
  private batchScopes: Promise<GpuValidationError | null>[] = [];
  private chunks: UniformChunk[] = [];
  private chunkIndex = 0;
  private lostInfo: { reason: string; message: string } | null = null;
  private uncaptured: string[] = [];
  private readStaging: GPUBuffer | null = null;
  private readChain: Promise<unknown> = Promise.resolve();
  private timedPass: { querySet: GPUQuerySet; begun: boolean } | null = null;
  private prof: Profile | null = null;
  /** Flush after every dispatch and check errors (GPU_DEBUG_SYNC=1): pinpoints the failing kernel. */
  debugSync = process.env.GPU_DEBUG_SYNC === '1';
  dispatchCount = 0;
  /** Every op's scratch buffers on this device, under one policy and one count (src/gpu/arena.ts). */
  readonly scratch: ScratchArena = new ScratchArena(this);

  constructor(
    /** The Dawn instance must stay reachable: if it is garbage-collected while the device lives,
     *  dawn.node aborts the process (seen on lavapipe: std::system_error / futex errors). */
    readonly instance: GPU,
    readonly adapter: GPUAdapter,
    readonly device: GPUDevice,
    readonly adapterInfo: GPUAdapterInfo,
    readonly toggles: string[],
    readonly vulkanEnv: VulkanEnvReport,
  ) {
    const f = device.features;
    this.features = {
      f16: f.has('shader-f16'),
      subgroups: f.has('subgroups'),
      subgroupMatrix: f.has('chromium-experimental-subgroup-matrix'),
      timestamps: f.has('timestamp-query'),
    };
    const limits: Record<string, number> = {};
    for (const k in device.limits) limits[k] = (device.limits as unknown as Record<string, number>)[k];
    this.limits = limits;
    const info = adapterInfo as unknown as { subgroupMatrixConfigs?: SubgroupMatrixConfig[] };
    this.subgroupMatrixConfigs = this.features.subgroupMatrix ? [...(info.subgroupMatrixConfigs ?? [])] : [];
    device.lost.then((l) => {
      this.lostInfo = { reason: l.reason ?? 'unknown', message: l.message };
    });
    device.addEventListener('uncapturederror', (e) => {
      this.uncaptured.push((e as GPUUncapturedErrorEvent).error.message);
    });
  }

  get isSoftware(): boolean {
    return /llvmpipe|lavapipe|swiftshader/i.test(`${this.adapterInfo.description} ${this.adapterInfo.device}`);
  }

  /** A CPU adapter (lavapipe / llvmpipe, SwiftShader): Dawn reports it as the fallback adapter
   *  with architecture 'software'. Kernels shaped for a CPU run there (src/ops/matmul.ts). */
  get isCpu(): boolean {
    const i = this.adapterInfo as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return i.isFallbackAdapter === true || i.architecture === 'software' || this.isSoftware;
  }

  /** f32 lanes of the CPU's SIMD vector, which llvmpipe runs a subgroup as (8 with AVX2). */
  get cpuLanes(): number {
    const i = this.adapterInfo as GPUAdapterInfo & { subgroupMinSize?: number };
    return i.subgroupMinSize && i.subgroupMinSize > 0 ? i.subgroupMinSize : 8;
  }

  /** Whether recorded work waits for a submit (flush). */
  get recording(): boolean {
    return this.encoder !== null;
  }

  get maxBinding(): number {
    return this.limits.maxStorageBufferBindingSize;
  }

  describe(): string {
    const i = this.adapterInfo;
    return `${i.vendor} ${i.architecture} ${i.description || i.device}`.trim();
  }

  // ---------------------------------------------------------------- buffers and tensors

  private checkLost(): void {
    if (this.lostInfo) throw new GpuDeviceLostError(this.lostInfo.reason, this.lostInfo.message);
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

  // ---------------------------------------------------------------- kernels

  private pipelineFor(def: KernelDef): Pipeline {
    const key = `${def.file}#${def.entry ?? 'main'}#${JSON.stringify(def.consts ?? {})}`;
    let p = this.pipelines.get(key);
    if (p) return p;
    const code = specialize(def.file, def.consts ?? {});
    const label = `${def.name} ${JSON.stringify(def.consts ?? {})}`;
    this.device.pushErrorScope('validation');
    const module = this.device.createShaderModule({ label, code });
    const pipeline = this.device.createComputePipeline({
      label,
      layout: 'auto',
      compute: { module, entryPoint: def.entry ?? 'main' },
    });
    const layout = pipeline.getBindGroupLayout(0); // inside the scope: fails too when the pipeline does
    this.pendingCompiles.push(
      this.device.popErrorScope().then(async (err) => {
        if (!err) return;
        this.pipelines.delete(key); // never reuse an invalid pipeline
        const info = await module.getCompilationInfo();
        const msgs = info.messages
          .filter((m) => m.type === 'error')
          .map((m) => `line ${m.lineNum}:${m.linePos} ${m.message}`)
          .join('\n');
        this.compileErrors.push(new KernelCompileError(label, msgs || err.message).message);
      }),
    );
    const params = def.params ?? {};
    p = { pipeline, layout, paramNames: Object.keys(params), paramTypes: Object.values(params) };
    this.pipelines.set(key, p);
    return p;
  }

  /** Compile a kernel now and wait for the verdict (compile errors throw here, naming the kernel). */
  async compile(def: KernelDef): Promise<void> {
    this.pipelineFor(def);
    await this.sync();
  }

  private ensureEncoder(): GPUCommandEncoder {
    if (!this.encoder) {
      this.checkLost();
      this.device.pushErrorScope('validation');
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('internal');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  private ensurePass(): GPUComputePassEncoder {
    if (!this.pass) {
      const enc = this.ensureEncoder();
      // In a timed region the first pass writes the start stamp and every pass the end stamp (the
      // last one wins), so copies and clears between passes are inside the measured interval.
      const t = this.timedPass;
      if (t) {
        const timestampWrites: GPUComputePassTimestampWrites = { querySet: t.querySet, endOfPassWriteIndex: 1 };
        if (!t.begun) timestampWrites.beginningOfPassWriteIndex = 0;
        t.begun = true;
        this.pass = enc.beginComputePass({ timestampWrites });
      } else {
        this.pass = enc.beginComputePass();
      }
    }
    return this.pass;
  }

  private endPass(): void {
    if (this.pass) {
      this.pass.end();
      this.pass = null;
    }
  }

  private uniformSlot(): { chunk: UniformChunk; offset: number } {
    let chunk = this.chunks[this.chunkIndex];
    if (chunk && chunk.used + UNIFORM_SLOT > UNIFORM_CHUNK) {
      this.chunkIndex++;
      chunk = this.chunks[this.chunkIndex];
    }
    if (!chunk) {
      chunk = {
        buffer: this.device.createBuffer({ label: 'uniforms', size: UNIFORM_CHUNK, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
        host: new ArrayBuffer(UNIFORM_CHUNK),
        used: 0,
      };
      this.chunks.push(chunk);
    }
    const offset = chunk.used;
    chunk.used += UNIFORM_SLOT;
    return { chunk, offset };
  }

  /** Record one dispatch into the current pass. */
  dispatch(def: KernelDef, args: DispatchArgs): void {
    this.checkLost();
    const p = this.pipelineFor(def);
    const entries: GPUBindGroupEntry[] = [];
    let binding = 0;
    const shown: string[] = [];
    if (p.paramNames.length > 0) {
      const { chunk, offset } = this.uniformSlot();
      const dv = new DataView(chunk.host, offset, UNIFORM_SLOT);
      p.paramNames.forEach((name, i) => {
        const v = args.params?.[name];
        if (v === undefined || !Number.isFinite(v)) throw new Error(`${def.name}: parameter ${name} missing or not finite (${v})`);
        const t = p.paramTypes[i];
        if (t === 'f32') dv.setFloat32(i * 4, v, true);
        else if (t === 'i32') dv.setInt32(i * 4, v, true);
        else {
          if (v < 0 || !Number.isInteger(v)) throw new Error(`${def.name}: u32 parameter ${name} = ${v}`);
          dv.setUint32(i * 4, v, true);
        }
      });
      entries.push({ binding: binding++, resource: { buffer: chunk.buffer, offset, size: Math.max(16, Math.ceil((p.paramNames.length * 4) / 16) * 16) } });
    }
    for (const b of args.bindings) {
      if (b instanceof Tensor) {
        if (b.byteSize > this.maxBinding) {
          throw new Error(`${def.name}: ${b.describe()} is ${b.byteSize} bytes, over one binding (${this.maxBinding}); bind row chunks`);
        }
        entries.push({ binding: binding++, resource: b.binding() });
        shown.push(b.describe());
      } else {
        entries.push({ binding: binding++, resource: b });
        shown.push(`${b.buffer.label || 'buffer'}@${b.offset ?? 0}+${b.size ?? '?'}`);
      }
    }
    const [x, y, z] = typeof args.workgroups === 'number' ? grid(args.workgroups) : args.workgroups;
    const label = `${def.name}(${p.paramNames.map((n) => `${n}=${args.params?.[n]}`).join(',')}) [${shown.join(', ')}] wg=${x}x${y ?? 1}x${z ?? 1}`;
    this.batchLabels.push(label);
    if (x === 0 || y === 0 || z === 0) return;
    const prof = this.prof;
    if (prof) {
      // Profiling: each dispatch in its own pass between two timestamps.
      this.endPass();
      const i = prof.keys.length;
      prof.keys.push(profileKey(def.name, args.params));
      this.pass = this.ensureEncoder().beginComputePass({ timestampWrites: { querySet: prof.querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 } });
    }
    const pass = this.ensurePass();
    const bindGroup = this.device.createBindGroup({ layout: p.layout, entries });
    pass.setPipeline(p.pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(x, y ?? 1, z ?? 1);
    this.dispatchCount++;
    if (prof) {
      this.endPass();
      if (prof.keys.length >= PROFILE_QUERIES / 2) this.flush();
    } else if (this.debugSync) {
      this.flush();
    } else if (this.batchLabels.length >= AUTO_FLUSH) {
      this.flush();
    }
  }

  /** Submit everything recorded so far (does not wait). */
  flush(): void {
    if (!this.encoder) return;
    this.endPass();
    const collect = this.prof && this.prof.keys.length > 0 ? this.resolveProfile(this.encoder, this.prof) : null;
    const cmd = this.encoder.finish();
    for (let i = 0; i <= this.chunkIndex && i < this.chunks.length; i++) {
      const c = this.chunks[i];
      if (c.used > 0) this.device.queue.writeBuffer(c.buffer, 0, new Uint8Array(c.host, 0, c.used));
      c.used = 0;
    }
    this.chunkIndex = 0;
    this.device.queue.submit([cmd]);
    this.encoder = null;
    this.scratch.submitted();
    const labels = this.batchLabels;
    this.batchLabels = [];
    const scopes = ['internal', 'out-of-memory', 'validation'].map((kind) =>
      this.device.popErrorScope().then((err) => (err ? new GpuValidationError(kind, err.message, labels) : null)),
    );
    this.batchScopes.push(...scopes);
    if (collect) this.prof!.pending.push(collect());
  }

  /** Per-kernel GPU time from now until stopProfile: every dispatch then runs in its own compute
   *  pass between two timestamps (which adds a few us per dispatch: for finding where the time
   *  goes, not for absolute numbers of many tiny dispatches). Needs timestamp queries. */
  startProfile(): void {
    if (!this.features.timestamps) throw new Error('startProfile: the device has no timestamp queries');
    if (this.prof) throw new Error('startProfile: already profiling');
    this.flush();
    this.prof = { querySet: this.device.createQuerySet({ type: 'timestamp', count: PROFILE_QUERIES }), keys: [], pending: [], totals: new Map() };
  }

  /** Ends profiling; GPU ms and dispatch count per key (kernel name, plus the R x C x K of a GEMM
   *  chunk), largest first. */
  async stopProfile(): Promise<{ key: string; ms: number; count: number }[]> {
    const prof = this.prof;
    if (!prof) throw new Error('stopProfile: not profiling');
    await this.sync();
    this.prof = null;
    await Promise.all(prof.pending);
    prof.querySet.destroy();
    return [...prof.totals].map(([key, v]) => ({ key, ...v })).sort((a, b) => b.ms - a.ms);
  }

  /** Records the resolve of this batch's timestamps; the returned function (called after submit)
   *  reads them back and adds them to the totals. The profile gets a fresh query set. */
  private resolveProfile(enc: GPUCommandEncoder, prof: Profile): () => Promise<void> {
    const n = prof.keys.length, keys = prof.keys, qs = prof.querySet;
    const resolve = this.device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = this.device.createBuffer({ size: 16 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    enc.resolveQuerySet(qs, 0, 2 * n, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, 16 * n);
    prof.keys = [];
    prof.querySet = this.device.createQuerySet({ type: 'timestamp', count: PROFILE_QUERIES });
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

  /** Flush, wait for the GPU, and raise any error the batch produced. */
  async sync(): Promise<void> {
    this.flush();
    await Promise.all(this.pendingCompiles.splice(0));
    if (this.compileErrors.length) throw new KernelCompileError('(batch)', this.compileErrors.splice(0).join('\n'));
    const scopes = this.batchScopes.splice(0);
    await this.device.queue.onSubmittedWorkDone();
    for (const err of await Promise.all(scopes)) if (err) throw err; // the first error, named with its batch
    if (this.uncaptured.length) {
      throw new GpuValidationError('uncaptured', this.uncaptured.splice(0).join('\n'), []);
    }
    this.checkLost();
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

const PROFILE_QUERIES = 4096; // WebGPU's cap on one query set: 2048 dispatches per batch

interface Profile {
  querySet: GPUQuerySet;
  keys: string[];
  pending: Promise<void>[];
  totals: Map<string, { ms: number; count: number }>;
}

function profileKey(name: string, params: Record<string, number> | undefined): string {
  return params && 'R' in params && 'C' in params && 'K' in params ? `${name} ${params.R}x${params.C}x${params.K}` : name;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Fold a 1-D workgroup count into x*y (x <= 65535). Kernels recover the linear index as
 *  wid.x + wid.y * num_workgroups.x and must ignore indices past their work. */
export function grid(n: number): [number, number, number] {
  if (n <= 65535) return [n, 1, 1];
  const y = Math.ceil(n / 65535);
  return [Math.ceil(n / y), y, 1];
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
  const vulkanEnv = prepareVulkanEnv();
  Object.assign(globalThis, globals);
  const toggles = dawnFlags();
  const instance = create(toggles);
  // Adapter discovery prints Dawn's lavapipe limit warnings to fd 2 (src/gpu/quiet-stderr.ts).
  const adapter = await withFilteredStderr(() => instance.requestAdapter({ powerPreference: 'high-performance' }));
  if (!adapter) throw new GpuUnavailableError(adapterHelp(vulkanEnv));
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  for (const k of COMPUTE_LIMITS) requiredLimits[k] = adapter.limits[k];
  const device = await adapter.requestDevice({ requiredFeatures, requiredLimits });
  return new Gpu(instance, adapter, device, adapter.info, toggles, vulkanEnv);
}
