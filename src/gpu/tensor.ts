// A tensor is a GPU buffer plus dtype and shape. bf16 is stored two per u32 (WGSL has no bf16),
// so a bf16 tensor's innermost dimension must be even: every row starts on a u32 boundary and a
// thread can own whole words (no read-modify-write races on half words).
export type DType = 'f32' | 'bf16' | 'f16' | 'u32' | 'i32';

export const DTYPE_BYTES: Record<DType, number> = { f32: 4, bf16: 2, f16: 2, u32: 4, i32: 4 };

export function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new Error(`bad tensor shape [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** Bytes a tensor occupies: rounded up to 4 so that any buffer can be bound as array<u32>. */
export function byteSizeOf(shape: readonly number[], dtype: DType): number {
  return Math.max(4, Math.ceil((numelOf(shape) * DTYPE_BYTES[dtype]) / 4) * 4);
}

export class Tensor {
  readonly numel: number;
  readonly byteSize: number;
  constructor(
    readonly buffer: GPUBuffer,
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly label = '',
    /** Where this tensor starts in `buffer`: non-zero for a view (see `view`). */
    readonly byteOffset = 0,
    /** The tensor owning the buffer when this is a view. */
    readonly base: Tensor | null = null,
  ) {
    this.numel = numelOf(shape);
    this.byteSize = byteSizeOf(shape, dtype);
    // A 1-D tensor may be odd (its last word is padded); a row of a matrix must start on a word.
    if ((dtype === 'bf16' || dtype === 'f16') && shape.length > 1 && shape[shape.length - 1] % 2 !== 0) {
      throw new Error(`${dtype} tensor ${label} [${shape.join(', ')}]: innermost dimension must be even (packed two per u32)`);
    }
  }

  /** `name[d0x d1x ...] dtype`, for error messages. */
  describe(): string {
    return `${this.label || 'tensor'}[${this.shape.join('x')}] ${this.dtype}`;
  }

  /** The whole tensor as a binding (must fit one storage binding; see Gpu.rowChunks otherwise). */
  binding(): GPUBufferBinding {
    return { buffer: this.buffer, offset: this.byteOffset, size: this.byteSize };
  }

  /** Bytes [offset, offset+size) of this tensor as a binding. */
  range(offset: number, size: number): GPUBufferBinding {
    if (offset < 0 || size <= 0 || offset + size > this.byteSize) {
      throw new Error(`${this.describe()}: range [${offset}, ${offset + size}) outside ${this.byteSize} bytes`);
    }
    return { buffer: this.buffer, offset: this.byteOffset + offset, size };
  }

  /** A zero-copy view of bytes [byteOffset, ...) of this tensor with its own shape (e.g. a chunk of
   *  weight rows). The offset must respect the device's storage offset alignment when bound. */
  view(byteOffset: number, shape: readonly number[], label = `${this.label}@${byteOffset}`): Tensor {
    const v = new Tensor(this.buffer, shape, this.dtype, label, this.byteOffset + byteOffset, this.base ?? this);
    if (byteOffset % 4 !== 0 || byteOffset < 0 || byteOffset + v.byteSize > this.byteSize) {
      throw new Error(`view ${label}: bytes [${byteOffset}, ${byteOffset + v.byteSize}) outside ${this.describe()}`);
    }
    return v;
  }

  destroy(): void {
    if (this.base) throw new Error(`${this.describe()} is a view: destroy its base tensor`);
    this.buffer.destroy();
  }
}
