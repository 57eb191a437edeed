// Errors the GPU layer raises. Each names the kernel(s) and shapes involved so a failure in a
// batch of hundreds of dispatches can be traced back to its source.

export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

/** No usable WebGPU adapter: the message says what is missing and how to fix it. */
export class GpuUnavailableError extends GpuError {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

/** A WGSL compile or pipeline creation failure, naming the kernel and its specialisation. */
export class KernelCompileError extends GpuError {
  constructor(kernel: string, detail: string) {
    super(`kernel ${kernel} failed to compile: ${detail}`);
    this.name = 'KernelCompileError';
  }
}

/** A validation / out-of-memory / internal error raised while a batch ran. */
export class GpuValidationError extends GpuError {
  constructor(kind: string, detail: string, dispatches: string[]) {
    const shown = dispatches.slice(-8).join('; ');
    const more = dispatches.length > 8 ? ` (last 8 of ${dispatches.length})` : '';
    super(`GPU ${kind} error: ${detail}\n  in batch${more}: ${shown}`);
    this.name = 'GpuValidationError';
  }
}

/** The device was lost (driver reset, out of memory, destroyed): nothing on it can be trusted. */
export class GpuDeviceLostError extends GpuError {
  constructor(reason: string, message: string) {
    super(`GPU device lost (${reason}): ${message}`);
    this.name = 'GpuDeviceLostError';
  }
}
