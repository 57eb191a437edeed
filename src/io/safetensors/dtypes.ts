// safetensors dtype names and element sizes (the Rust crate's Dtype enum).

/**
 * Element size in bytes of every byte-addressable dtype the format defines, listed in the order of
 * the Rust crate's `Dtype` enum (the writer's layout order depends on it).
 */
export const DTYPE_SIZES = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  F8_E4M3FNUZ: 1,
  F8_E5M2FNUZ: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  C64: 8,
  F64: 8,
  I64: 8,
  U64: 8,
} as const;

export type Dtype = keyof typeof DTYPE_SIZES;

/** The dtypes the model code computes with; everything else is readable as raw bytes only. */
export const COMPUTE_DTYPES = ['BF16', 'F16', 'F32'] as const;
export type ComputeDtype = (typeof COMPUTE_DTYPES)[number];

/** Dtypes that exist in newer safetensors but pack several elements per byte: not supported. */
const SUB_BYTE_DTYPES = new Set(['F4', 'F6_E2M3', 'F6_E3M2']);

export function isDtype(s: string): s is Dtype {
  return Object.prototype.hasOwnProperty.call(DTYPE_SIZES, s);
}

export function isComputeDtype(s: string): s is ComputeDtype {
  return (COMPUTE_DTYPES as readonly string[]).includes(s);
}

/** Why `s` is not a usable dtype, for error messages. */
export function describeUnknownDtype(s: string): string {
  if (SUB_BYTE_DTYPES.has(s)) return `dtype '${s}' packs sub-byte elements and is not supported`;
  return `unknown dtype '${s}' (known: ${Object.keys(DTYPE_SIZES).join(', ')})`;
}

/**
 * Order in which the Rust writer lays tensors out: by dtype in *descending* enum order (larger
 * alignment first, so every tensor stays aligned), then by name.
 */
const DTYPE_RANK = Object.fromEntries(Object.keys(DTYPE_SIZES).map((k, i) => [k, i])) as Record<Dtype, number>;

export function compareForLayout(a: { name: string; dtype: Dtype }, b: { name: string; dtype: Dtype }): number {
  const d = DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype];
  if (d !== 0) return d;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
