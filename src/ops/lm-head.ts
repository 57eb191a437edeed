// Fused lm_head + log-softmax + target-token logprob + entropy, forward and backward, chunked over
// the vocabulary: only a [T, chunk] f32 logits block exists at a time (never T x 151936).
// Semantics as src/ops/ref/lm-head.ts (targets -1: logprob 0, entropy 0, no gradient).
// Temperature (dims.temperature, default 1): the softmax is that of logits / T, the distribution the
// sampler drew from at temperature T (src/ops/sampling.ts), so the trainer's pi and the sampler's
// mu are the same function of the logits and pi/mu = 1 on-policy. **(choice)** pi is the full
// tempered softmax, never truncated to the sampler's top-k / top-p set: with truncation the sampler's
// mu is renormalised over the kept set, so the on-policy ratio pi/mu of a kept token is that set's
// tempered probability mass Z <= 1 (src/train/config.ts). Backward: dL/dlogit = (1/T) dL/dz at z = logit/T.
//   forward, per chunk: logits = h W_c^T (linear), then fold each row into an online logsumexp
//     state (kernels/lm-head.wgsl); a final pass writes lse, logprob, entropy.
//   backward, per chunk: recompute logits, dz = dlogits (in kernels/lm-head.wgsl),
//     dh (+)= dz W_c (linearBackwardInput), dW_c += dz^T h (linearBackwardWeight, f32).
// W and dW chunks are bound as row views of the full tensors (no copies), with chunk starts
// aligned to 256 bytes (the largest storage offset alignment WebGPU allows) for both.
import type { Gpu, KernelDef } from '../gpu/gpu.js';
import { Tensor, byteSizeOf } from '../gpu/tensor.js';
import { cast } from './cast.js';
import { linear, linearBackwardInput, linearBackwardWeight, type MatmulOpts } from './matmul.js';
import { variantFor } from '../gpu/variants.js';

export interface LmHeadDims {
  tokens: number;
  hidden: number;
  vocab: number;
  /** Vocab rows per chunk (default 8192), rounded down to keep chunk starts aligned. */
  chunk?: number;
  /** Softmax temperature T > 0 (default 1): log-softmax of logits / T. Forward and backward of
   *  the same rows must use the same T (the backward reads the forward's lse). */
  temperature?: number;
}

export interface LmHeadOpts {
  /** Binding cap passed to the matmuls (tests of their chunked path). */
  maxBindingBytes?: number;
  /** dlogits dtype fed to the backward matmuls: 'bf16' (default: tensor-core path, half the
   *  scratch) or 'f32' (exact to f32, portable GEMM). An odd-width last chunk always uses f32. */
  dlogits?: 'bf16' | 'f32';
  /** The forward's entropy output; needed when dentropy is given (else it is recomputed by an
   *  extra forward pass over the vocabulary). */
  entropy?: Tensor;
  /** Matmul path override (tests). */
  path?: MatmulOpts['path'];
  /** Log-softmax kernels: 'cpu' (kernels/lm-head-cpu.wgsl, where the chunk width allows) or
   *  'portable'; default: the device's (src/gpu/variants.ts). */
  softmax?: 'portable' | 'cpu';
}

const P = { T: 'u32', c: 'u32', v0: 'u32', first: 'u32', inv_t: 'f32' } as const;
const FWD_CHUNK: KernelDef = { name: 'lm_head_fwd_chunk', file: 'lm-head.wgsl', entry: 'fwd_chunk', params: P };
const FWD_FINISH: KernelDef = { name: 'lm_head_fwd_finish', file: 'lm-head.wgsl', entry: 'fwd_finish', params: P };
const BWD_F32: KernelDef = { name: 'lm_head_bwd_f32', file: 'lm-head.wgsl', entry: 'bwd_f32', params: P };
const BWD_BF16: KernelDef = { name: 'lm_head_bwd_bf16', file: 'lm-head.wgsl', entry: 'bwd_bf16', params: P };

/** CPU-shaped forms (kernels/lm-head-cpu.wgsl): NU steps of LANES x 8 columns per backward
 *  workgroup. */
const CPU_NU = 4;
function cpuDef(gpu: Gpu, entry: 'fwd_chunk' | 'bwd_bf16'): KernelDef {
  return { name: `lm_head_${entry}_cpu`, file: 'lm-head-cpu.wgsl', entry, consts: { LANES: gpu.cpuLanes, NU: CPU_NU }, params: P };
}
/** Whether the CPU forms run for a chunk of width c (vec4 reads: c % 4; bf16 vec4 writes: c % 8). */
function useCpu(gpu: Gpu, opts: LmHeadOpts, c: number, entry: 'fwd' | 'bwd'): boolean {
  if ((opts.softmax ?? variantFor(gpu, 'lmHead')) !== 'cpu' || !gpu.features.subgroups) return false;
  return c % (entry === 'fwd' ? 4 : 8) === 0;
}

const DEFAULT_CHUNK = 8192;
const ALIGN = 256;

/** A row-major block of another tensor's buffer starting at `byteOffset`, as a tensor of its own
 *  (ops bind it through binding()/range(), which add the offset). Never destroy or zero/copy it
 *  with gpu.zero/gpu.copy (those address the whole buffer from 0). */
function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

// ------------------------------------------------------------------ scratch (the device's arena)

/** A view `shape` of the arena's buffer for purpose lm_head.<key> (src/gpu/arena.ts). */
function scratch(gpu: Gpu, key: LmHeadScratchKey, shape: number[], dtype: 'f32' | 'bf16'): Tensor {
  return gpu.scratch.acquire(`lm_head.${key}`, shape, dtype);
}

type LmHeadScratchKey = 'state' | 'logits' | 'dlogits' | 'dh32' | 'zeros' | 'entropy' | 'logprob' | 'lse';

/** Scratch bytes per arena purpose of lmHeadForward (+ lmHeadBackward when `backward`) on `tokens`
 *  rows, for the memory plan: the online-softmax state, the [T, c] f32 logits block (c the widest
 *  vocab chunk), and in the backward the bf16 dlogits block, the f32 dh (when dh is bf16) and the
 *  zero dentropy (when none is given). The recompute of the entropy (neither dentropy nor the
 *  forward's entropy given) adds three [T] vectors, never on the model's path. */
export function lmHeadScratch(
  gpu: Pick<Gpu, 'maxBinding'>, d: LmHeadDims, o: { backward: boolean; dhBf16?: boolean; dentropy?: boolean; dlogits?: 'bf16' | 'f32' },
): Record<string, number> {
  const T = d.tokens;
  const c = Math.max(...vocabChunks(gpu, d).map((x) => x.c));
  const out: Record<string, number> = { 'lm_head.state': byteSizeOf([T, 4], 'f32'), 'lm_head.logits': byteSizeOf([T, c], 'f32') };
  if (!o.backward) return out;
  if (o.dlogits !== 'f32') out['lm_head.dlogits'] = byteSizeOf([T, c], 'bf16');
  if (o.dhBf16 ?? true) out['lm_head.dh32'] = byteSizeOf([T, d.hidden], 'f32');
  if (!o.dentropy) out['lm_head.zeros'] = byteSizeOf([T], 'f32');
  return out;
}

// ------------------------------------------------------------------ checks and chunk plan

function expect(op: string, name: string, t: Tensor, shape: number[], dtypes: string[]): void {
  if (!dtypes.includes(t.dtype) || t.numel !== shape.reduce((a, b) => a * b, 1) || t.shape[t.shape.length - 1] !== shape[shape.length - 1]) {
    throw new Error(`${op}: ${name} ${t.describe()} must be [${shape.join('x')}] ${dtypes.join(' or ')}`);
  }
}

function checkDims(op: string, d: LmHeadDims): void {
  for (const k of ['tokens', 'hidden', 'vocab'] as const) {
    if (!Number.isInteger(d[k]) || d[k] <= 0) throw new Error(`${op}: dims.${k} must be a positive integer, got ${d[k]}`);
  }
  if (d.tokens > 65535) throw new Error(`${op}: dims.tokens ${d.tokens} > 65535 (one grid row per token); split the batch`);
  const temp = d.temperature ?? 1;
  if (!(Number.isFinite(temp) && temp > 0)) throw new Error(`${op}: dims.temperature must be a finite number > 0, got ${d.temperature}`);
}

/** The kernels' inv_t: 1/T, rounded to f32 on upload exactly as the sampler's (src/ops/sample.ts). */
const invTemperature = (d: LmHeadDims): number => 1 / (d.temperature ?? 1);

/** Vocab chunks [v0, v0+c): starts aligned to 256 bytes for bf16 W and f32 dW rows of H elements,
 *  widths even (bf16 dlogits rows), and the logits block [T, c] f32 within one binding. */
export function vocabChunks(gpu: Pick<Gpu, 'maxBinding'>, d: LmHeadDims): { v0: number; c: number }[] {
  const H = d.hidden;
  const stepBf16 = ALIGN / gcd(H * 2, ALIGN);
  const stepF32 = ALIGN / gcd(H * 4, ALIGN);
  let step = (stepBf16 * stepF32) / gcd(stepBf16, stepF32);
  if (step % 2) step *= 2;
  const cap = gpu.maxBinding;
  let c = Math.min(d.chunk ?? DEFAULT_CHUNK, Math.floor(cap / (4 * d.tokens)), Math.floor(cap / (4 * H)));
  c -= c % step;
  if (c < step) throw new Error(`lmHead: chunk ${d.chunk ?? DEFAULT_CHUNK} leaves no aligned vocab chunk (step ${step} rows for hidden ${H}, T ${d.tokens})`);
  const out: { v0: number; c: number }[] = [];
  for (let v0 = 0; v0 < d.vocab; v0 += c) out.push({ v0, c: Math.min(c, d.vocab - v0) });
  return out;
}

function rowsView(t: Tensor, v0: number, c: number, H: number, what: string): Tensor {
  const eb = t.dtype === 'f32' ? 4 : 2;
  return t.view(v0 * H * eb, [c, H], `${t.label || what}[${v0}:${v0 + c}]`);
}

// ------------------------------------------------------------------ forward

function checkCommon(op: string, h: Tensor, w: Tensor, targets: Tensor, d: LmHeadDims): void {
  checkDims(op, d);
  const { tokens: T, hidden: H, vocab: V } = d;
  expect(op, 'h', h, [T, H], ['bf16', 'f32']);
  expect(op, 'w', w, [V, H], ['bf16', 'f32']);
  expect(op, 'targets', targets, [T], ['i32']);
}

/** logprob[t] = log softmax(h W^T / T)[t, targets[t]], entropy[t], lse[t] (saved for backward;
 *  lse of the tempered logits), T = dims.temperature (default 1).
 *  Targets must be -1 or in [0, vocab) (not checked on the GPU: out-of-range gives garbage). */
export function lmHeadForward(
  gpu: Gpu, h: Tensor, w: Tensor, targets: Tensor, logprob: Tensor, entropy: Tensor, lse: Tensor, dims: LmHeadDims, opts: LmHeadOpts = {},
): void {
  const op = 'lmHeadForward';
  checkCommon(op, h, w, targets, dims);
  const T = dims.tokens, H = dims.hidden;
  for (const [n, t] of [['logprob', logprob], ['entropy', entropy], ['lse', lse]] as const) expect(op, n, t, [T], ['f32']);
  const state = scratch(gpu, 'state', [T, 4], 'f32');
  const mm: MatmulOpts = { maxBindingBytes: opts.maxBindingBytes, path: opts.path };
  const inv_t = invTemperature(dims);
  vocabChunks(gpu, dims).forEach(({ v0, c }, k) => {
    const logits = scratch(gpu, 'logits', [T, c], 'f32');
    linear(gpu, h, rowsView(w, v0, c, H, 'w'), logits, mm);
    const fwd = useCpu(gpu, opts, c, 'fwd') ? cpuDef(gpu, 'fwd_chunk') : FWD_CHUNK;
    gpu.dispatch(fwd, { params: { T, c, v0, first: k === 0 ? 1 : 0, inv_t }, bindings: [logits, targets, state], workgroups: T });
  });
  gpu.dispatch(FWD_FINISH, { params: { T, c: 0, v0: 0, first: 0, inv_t }, bindings: [state, targets, logprob, entropy, lse], workgroups: Math.ceil(T / 256) });
}

// ------------------------------------------------------------------ backward

/** For L = sum_t dlogprob_t logprob_t + dentropy_t entropy_t: dh = dL/dh (overwritten, bf16 or
 *  f32) and dw += dL/dW (f32, accumulated). lse is the forward's (same dims.temperature). */
export function lmHeadBackward(
  gpu: Gpu, h: Tensor, w: Tensor, targets: Tensor, lse: Tensor, dlogprob: Tensor, dentropy: Tensor | null, dh: Tensor, dw: Tensor,
  dims: LmHeadDims, opts: LmHeadOpts = {},
): void {
  const op = 'lmHeadBackward';
  checkCommon(op, h, w, targets, dims);
  const T = dims.tokens, H = dims.hidden, V = dims.vocab;
  expect(op, 'lse', lse, [T], ['f32']);
  expect(op, 'dlogprob', dlogprob, [T], ['f32']);
  if (dentropy) expect(op, 'dentropy', dentropy, [T], ['f32']);
  if (opts.entropy) expect(op, 'opts.entropy', opts.entropy, [T], ['f32']);
  expect(op, 'dh', dh, [T, H], ['bf16', 'f32']);
  expect(op, 'dw', dw, [V, H], ['f32']);

  let entropy = opts.entropy ?? null;
  if (!dentropy) {
    dentropy = entropy = scratch(gpu, 'zeros', [T], 'f32'); // its own purpose, never written: zero since allocated
  } else if (!entropy) {
    // The entropy term needs sum_u p_u z_u = lse - entropy over the whole vocabulary.
    entropy = scratch(gpu, 'entropy', [T], 'f32');
    lmHeadForward(gpu, h, w, targets, scratch(gpu, 'logprob', [T], 'f32'), entropy, scratch(gpu, 'lse', [T], 'f32'), dims, opts);
  }
  const dhAcc = dh.dtype === 'f32' ? dh : scratch(gpu, 'dh32', [T, H], 'f32');
  const mm: MatmulOpts = { maxBindingBytes: opts.maxBindingBytes, path: opts.path };
  vocabChunks(gpu, dims).forEach(({ v0, c }, k) => {
    const wc = rowsView(w, v0, c, H, 'w');
    const logits = scratch(gpu, 'logits', [T, c], 'f32');
    linear(gpu, h, wc, logits, mm);
    const params = { T, c, v0, first: 0, inv_t: invTemperature(dims) };
    const common = [targets, lse, dlogprob, dentropy!, entropy!];
    const workgroups: [number, number, number] = [Math.ceil(c / 512), T, 1];
    let dz: Tensor;
    if (opts.dlogits !== 'f32' && c % 2 === 0) {
      dz = scratch(gpu, 'dlogits', [T, c], 'bf16');
      if (useCpu(gpu, opts, c, 'bwd')) {
        const perWg = gpu.cpuLanes * 8 * CPU_NU;
        gpu.dispatch(cpuDef(gpu, 'bwd_bf16'), { params, bindings: [logits, ...common, dz], workgroups: [Math.ceil(c / perWg), T, 1] });
      } else gpu.dispatch(BWD_BF16, { params, bindings: [logits, ...common, dz], workgroups });
    } else {
      dz = logits; // overwritten in place
      gpu.dispatch(BWD_F32, { params, bindings: [logits, ...common], workgroups });
    }
    linearBackwardInput(gpu, dz, wc, dhAcc, { ...mm, accumulate: k > 0 });
    linearBackwardWeight(gpu, dz, h, rowsView(dw, v0, c, H, 'dw'), { ...mm, accumulate: true });
  });
  if (dhAcc !== dh) cast(gpu, dhAcc, dh);
}
