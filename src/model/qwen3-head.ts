// The lm_head over scored positions only. A packed batch often scores few of its positions (an RL
// batch scores the sampled tokens, not the prompt or the tool replies, typically well under half;
// a pretraining batch all but each sequence's last): the final hidden rows of scored positions are
// gathered into a compact [n, H] block, lm_head + log-softmax runs on n rows instead of T (its
// cost is 2 T H V per pass, the largest single GEMM of a small model), and the hidden-state
// gradient is scattered back to T rows with zeros elsewhere. Per-row results are those of the
// full pass (lm_head rows are independent). The log-softmax is at the batch's temperature
// (PackedBatch.temperature, default 1), forward and backward alike.
import type { Gpu } from '../gpu/gpu.js';
import type { Tensor } from '../gpu/tensor.js';
import { lmHeadBackward, lmHeadForward } from '../ops/lm-head.js';
import { copyRows } from './kv-cache.js';

export class ScoredRows {
  readonly n: number;
  private readonly t: Record<'rows' | 'iota' | 'targets' | 'h' | 'dh' | 'logprob' | 'entropy' | 'lse' | 'dlogprob' | 'dentropy', Tensor>;

  /** `targets` [T] host copy: the rows with targets >= 0 are scored. */
  constructor(
    private readonly gpu: Gpu,
    readonly hostTargets: Int32Array,
    private readonly dims: { hidden: number; vocab: number; temperature?: number },
  ) {
    const rows: number[] = [];
    hostTargets.forEach((y, i) => {
      if (y >= 0) rows.push(i);
    });
    this.n = rows.length;
    const n = Math.max(1, rows.length); // zero-size tensors are not allowed; unused when n = 0
    const H = dims.hidden;
    this.rowIndex = Int32Array.from(rows);
    this.t = {
      rows: gpu.upload(rows.length ? rows : [0], [n], 'u32', 'head.rows'),
      iota: gpu.upload(Array.from({ length: n }, (_, i) => i), [n], 'u32', 'head.iota'),
      targets: gpu.upload(rows.length ? rows.map((r) => hostTargets[r]!) : [-1], [n], 'i32', 'head.targets'),
      h: gpu.empty([n, H], 'bf16', 'head.h'),
      dh: gpu.empty([n, H], 'bf16', 'head.dh'),
      logprob: gpu.empty([n], 'f32', 'head.logprob'),
      entropy: gpu.empty([n], 'f32', 'head.entropy'),
      lse: gpu.empty([n], 'f32', 'head.lse'),
      dlogprob: gpu.empty([n], 'f32', 'head.dlogprob'),
      dentropy: gpu.empty([n], 'f32', 'head.dentropy'),
    };
  }

  /** Positions scored, in order. */
  readonly rowIndex: Int32Array;

  /** Records the gather of nf's scored rows and lm_head over them. */
  forward(nf: Tensor, w: Tensor): void {
    if (this.n === 0) return;
    const t = this.t;
    copyRows(this.gpu, nf, t.rows, t.h, t.iota, this.n);
    lmHeadForward(this.gpu, t.h, w, t.targets, t.logprob, t.entropy, t.lse, { tokens: this.n, ...this.dims });
  }

  /** logprob and entropy [T] on the host (0 where not scored). */
  async read(): Promise<{ logprobs: Float32Array; entropy: Float32Array }> {
    const T = this.hostTargets.length;
    const logprobs = new Float32Array(T), entropy = new Float32Array(T);
    if (this.n > 0) {
      const [lp, ent] = [await this.gpu.readF32(this.t.logprob), await this.gpu.readF32(this.t.entropy)];
      this.rowIndex.forEach((r, i) => {
        logprobs[r] = lp[i]!;
        entropy[r] = ent[i]!;
      });
    }
    return { logprobs, entropy };
  }

  /** Records lm_head's backward on the scored rows: dnf [T, H] gets their hidden-state gradients
   *  (zero elsewhere), dw += the weight gradient. dlogprob / dentropy are per position [T]. */
  backward(w: Tensor, dlogprob: ArrayLike<number>, dentropy: ArrayLike<number> | undefined, dnf: Tensor, dw: Tensor): void {
    this.gpu.zero(dnf);
    if (this.n === 0) return;
    const t = this.t;
    this.gpu.write(t.dlogprob, Array.from(this.rowIndex, (r) => dlogprob[r]!));
    if (dentropy) this.gpu.write(t.dentropy, Array.from(this.rowIndex, (r) => dentropy[r]!));
    lmHeadBackward(this.gpu, t.h, w, t.targets, t.lse, t.dlogprob, dentropy ? t.dentropy : null, t.dh, dw, { tokens: this.n, ...this.dims }, { entropy: t.entropy });
    copyRows(this.gpu, t.dh, t.iota, dnf, t.rows, this.n);
  }

  destroy(): void {
    for (const x of Object.values(this.t)) x.destroy();
  }
}
