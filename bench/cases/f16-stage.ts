// The f16 staging the tensor-core kernels run before their multiplies (src/ops/f16-stage.ts): the
// max-abs shift of a bf16 tensor and its scaled f16 copy, at an activation's shape [8192, 5120].
// bytes = two reads (max-abs pass, conversion) and one write of the tensor: the overhead a
// prestaged GEMM or the tensor-core attention pays per operand.
import type { Gpu } from '../../src/gpu/gpu.js';
import { recordShifts, recordToF16 } from '../../src/ops/f16-stage.js';
import type { BenchCase, BenchScale } from '../types.js';

export const cases: BenchCase[] = [
  {
    name: 'f16-stage.shift+copy',
    group: 'f16-stage',
    async setup(gpu: Gpu, scale: BenchScale) {
      const [R, C] = scale === 'full' ? [8192, 5120] : [256, 1024];
      const x = gpu.upload(Float32Array.from({ length: R * C }, (_, i) => Math.sin(i * 0.37) * 3), [R, C], 'bf16', 'x');
      return {
        shape: `[${R}, ${C}] bf16 -> f16`,
        bytes: 3 * R * C * 2,
        run: () => {
          const shifts = recordShifts(gpu, 'bench', [x], gpu.maxBinding);
          recordToF16(gpu, 'bench', x, shifts, 0, gpu.maxBinding);
        },
        dispose: () => x.destroy(),
      };
    },
  },
];
