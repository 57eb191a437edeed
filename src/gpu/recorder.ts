// Command recording: many dispatches in one compute pass and one submit (a dispatch costs ~4 us in
// a shared pass, ~15 us in its own, a submit-and-wait ~35 us on the H200: architecture.md). The
// pipeline cache (one compiled pipeline per file, entry point and constants), uniform parameters
// in reused 64 KiB chunks, error scopes around each submitted batch so an error names the kernels
// and shapes of the batch it came from, and per-kernel profiling (src/gpu/profile.ts).
import { DawnDevice } from './device.js';
import { GpuValidationError, KernelCompileError } from './errors.js';
import { grid, type DispatchArgs, type KernelDef, type ParamType } from './kernel.js';
import { newProfile, PROFILE_QUERIES, profileKey, resolveProfile, type Profile } from './profile.js';
import { Tensor } from './tensor.js';
import { specialize } from './wgsl.js';

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

/** Recording and submitting work on a device; buffers and readback are the Gpu's (src/gpu/gpu.ts). */
export class CommandRecorder extends DawnDevice {
  private readonly pipelines = new Map<string, Pipeline>();
  private readonly compileErrors: string[] = [];
  private readonly pendingCompiles: Promise<void>[] = [];
  private encoder: GPUCommandEncoder | null = null;
  private pass: GPUComputePassEncoder | null = null;
  private batchLabels: string[] = [];
  private batchScopes: Promise<GpuValidationError | null>[] = [];
  private chunks: UniformChunk[] = [];
  private chunkIndex = 0;
  /** Set by Gpu.timeGpu around the work it times: passes write its start and end timestamps. */
  protected timedPass: { querySet: GPUQuerySet; begun: boolean } | null = null;
  private prof: Profile | null = null;
  /** Flush after every dispatch and check errors (GPU_DEBUG_SYNC=1): pinpoints the failing kernel. */
  debugSync = process.env.GPU_DEBUG_SYNC === '1';
  dispatchCount = 0;

  /** Whether recorded work waits for a submit (flush). */
  get recording(): boolean {
    return this.encoder !== null;
  }

  /** Called right after each submit (the Gpu frees its retired scratch buffers there). */
  protected onSubmit(): void {}

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

  protected ensureEncoder(): GPUCommandEncoder {
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

  protected endPass(): void {
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
    const collect = this.prof && this.prof.keys.length > 0 ? resolveProfile(this.device, this.encoder, this.prof) : null;
    const cmd = this.encoder.finish();
    for (let i = 0; i <= this.chunkIndex && i < this.chunks.length; i++) {
      const c = this.chunks[i];
      if (c.used > 0) this.device.queue.writeBuffer(c.buffer, 0, new Uint8Array(c.host, 0, c.used));
      c.used = 0;
    }
    this.chunkIndex = 0;
    this.device.queue.submit([cmd]);
    this.encoder = null;
    this.onSubmit();
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
    this.prof = newProfile(this.device);
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
}
