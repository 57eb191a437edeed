// The device's scratch memory in one owner (gpu.scratch): every op's temporary buffers (rmsnorm dW
// partials, attention block tables and D term, lm_head logits blocks, GEMM and grad-norm partials,
// f16 staging, RoPE tables) come from here instead of per-module caches with their own free
// policies, so one policy frees them and one count says what they hold: the count the memory plan
// (src/model/scratch-plan.ts) is checked against (test/model/scratch-plan.test.ts).
//
// Policy:
// - One buffer per purpose (a name such as 'lm_head.logits'). Purposes never share memory, so no
//   op's work can overwrite another op's scratch.
// - A purpose's buffer is grown to the largest size asked of it and kept until trim() or
//   destroy() (the device's end). Its contents belong to the op that acquired it until the next
//   acquire of the same purpose; ops use scratch only within the work they record in one call.
//   A later call reusing it within the same recording is safe: dispatches run in recorded order,
//   and a host write (gpu.write / writeBytes) submits the work recorded before it.
// - A buffer replaced by growth or dropped by trim() may still be read by recorded work that has
//   not been submitted: it is destroyed after the next submit (WebGPU keeps a destroyed buffer
//   alive until submitted work using it completes), at once when nothing is recorded.
// - Tables (table()): contents built once per purpose (RoPE's cos/sin), never grown.
// Accounting: `bytes` held by live buffers, their `peak`, and each purpose's largest size. A
// replaced buffer waiting for the submit is `retiredBytes`, outside the peak: growth briefly holds
// old and new (as any reallocation does), the plan counts the steady state.
import { DTYPE_BYTES, Tensor, byteSizeOf, type DType } from './tensor.js';

/** What the arena needs of its device (Gpu): allocation, and whether work is being recorded. */
export interface ScratchHost {
  empty(shape: readonly number[], dtype: DType, label?: string): Tensor;
  readonly recording: boolean;
}

export interface ScratchUse {
  purpose: string;
  /** Bytes held now (0 after a trim). */
  bytes: number;
  /** The largest buffer it held since the arena began or since resetPeak(). */
  largest: number;
}

export class ScratchArena {
  /** purpose -> the buffer's owning tensor (u32 words for scratch; the tensor itself for tables). */
  private readonly slots = new Map<string, Tensor>();
  private readonly tables = new Set<string>();
  private readonly largestSeen = new Map<string, number>();
  private retired: Tensor[] = [];
  private held = 0;
  private peakHeld = 0;

  constructor(private readonly host: ScratchHost) {}

  /** A tensor of `shape` and `dtype` at the start of `purpose`'s buffer, which is grown (a new
   *  buffer; the old one retired) when it is smaller. Contents: whatever the purpose's last user
   *  left (zero when new). */
  acquire(purpose: string, shape: readonly number[], dtype: DType): Tensor {
    if (this.tables.has(purpose)) throw new Error(`scratch: ${purpose} is a table`);
    const need = byteSizeOf(shape, dtype);
    let base = this.slots.get(purpose);
    if (!base || base.byteSize < need) {
      if (base) this.drop(purpose, base);
      base = this.host.empty([need / 4], 'u32', `scratch.${purpose}`);
      this.hold(purpose, base);
    }
    return new Tensor(base.buffer, shape, dtype, `scratch.${purpose}`, 0, base);
  }

  /** The whole buffer of `purpose` as a 1-D `dtype` tensor (bindings that read past the shape last
   *  acquired, e.g. zeroed tails), or null when it holds none. */
  whole(purpose: string, dtype: DType): Tensor | null {
    const base = this.slots.get(purpose);
    if (!base || this.tables.has(purpose)) return null;
    return new Tensor(base.buffer, [base.byteSize / DTYPE_BYTES[dtype]], dtype, `scratch.${purpose}`, 0, base);
  }

  /** A constant tensor built once per purpose by `build` (which must return a tensor it owns,
   *  not a view), kept like scratch until trim() or destroy(). */
  table(purpose: string, build: () => Tensor): Tensor {
    const t = this.slots.get(purpose);
    if (t) {
      if (!this.tables.has(purpose)) throw new Error(`scratch: ${purpose} is not a table`);
      return t;
    }
    const made = build();
    if (made.base) throw new Error(`scratch table ${purpose}: build returned a view`);
    this.tables.add(purpose);
    this.hold(purpose, made);
    return made;
  }

  /** Drops every buffer whose purpose starts with `prefix` (all by default). Destruction waits for
   *  the next submit when work is being recorded. */
  trim(prefix = ''): void {
    for (const [p, t] of [...this.slots]) if (p.startsWith(prefix)) this.drop(p, t);
  }

  /** Called by the device after each submit: recorded work no longer needs the retired buffers. */
  submitted(): void {
    for (const t of this.retired) t.destroy();
    this.retired = [];
  }

  /** Bytes held by live buffers. */
  get bytes(): number {
    return this.held;
  }

  /** The most `bytes` reached since the arena began or since resetPeak(). */
  get peak(): number {
    return this.peakHeld;
  }

  /** Bytes of replaced or trimmed buffers waiting for the next submit. */
  get retiredBytes(): number {
    return this.retired.reduce((a, t) => a + t.byteSize, 0);
  }

  /** Starts a new peak measurement from what is held now. */
  resetPeak(): void {
    this.peakHeld = this.held;
    this.largestSeen.clear();
    for (const [p, t] of this.slots) this.largestSeen.set(p, t.byteSize);
  }

  /** Every purpose seen since resetPeak(), largest first. */
  report(): ScratchUse[] {
    return [...this.largestSeen]
      .map(([purpose, largest]) => ({ purpose, bytes: this.slots.get(purpose)?.byteSize ?? 0, largest }))
      .sort((a, b) => b.largest - a.largest || a.purpose.localeCompare(b.purpose));
  }

  /** Frees everything at once (the device is going away: no recorded work will be submitted). */
  destroy(): void {
    for (const t of [...this.slots.values(), ...this.retired]) t.destroy();
    this.slots.clear();
    this.tables.clear();
    this.retired = [];
    this.held = 0;
  }

  private hold(purpose: string, t: Tensor): void {
    this.slots.set(purpose, t);
    this.held += t.byteSize;
    this.peakHeld = Math.max(this.peakHeld, this.held);
    this.largestSeen.set(purpose, Math.max(this.largestSeen.get(purpose) ?? 0, t.byteSize));
  }

  private drop(purpose: string, t: Tensor): void {
    this.slots.delete(purpose);
    this.tables.delete(purpose);
    this.held -= t.byteSize;
    if (this.host.recording) this.retired.push(t);
    else t.destroy();
  }
}
