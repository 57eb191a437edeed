// One error class for every way a safetensors file or index can be wrong; `code` tells the cases
// apart and the message always names the file (and the tensor when there is one).

export type SafetensorsErrorCode =
  | 'truncated' // the file is shorter than its header says
  | 'bad_header' // header length, JSON or schema is wrong
  | 'bad_offsets' // data_offsets overlap, run past the data, or disagree with dtype x shape
  | 'unknown_dtype' // a dtype this code does not know (or cannot handle)
  | 'missing_tensor' // a tensor asked for (or listed in an index) is not there
  | 'shape_mismatch'; // a caller's buffer, byte range or expected shape disagrees with the header

export class SafetensorsError extends Error {
  override readonly name = 'SafetensorsError';
  constructor(
    readonly code: SafetensorsErrorCode,
    readonly file: string,
    readonly tensor: string | undefined,
    detail: string,
  ) {
    super(`${file}${tensor !== undefined ? ` [tensor '${tensor}']` : ''}: ${detail} (${code})`);
  }
}
