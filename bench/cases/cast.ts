// f32 -> bf16 cast (the master-weights -> compute-weights step after each optimizer update).
import { cast } from '../../src/ops/cast.js';
import type { BenchCase } from '../types.js';

export const cases: BenchCase[] = [
  {
    name: 'cast.f32-to-bf16',
    group: 'elementwise',
    async setup(gpu, scale) {
      const [rows, cols] = scale === 'full' ? [17408, 5120] : [256, 1024];
      const src = gpu.empty([rows, cols], 'f32', 'cast-src');
      const dst = gpu.empty([rows, cols], 'bf16', 'cast-dst');
      return {
        shape: `[${rows}x${cols}] f32->bf16`,
        bytes: rows * cols * 6,
        run: () => cast(gpu, src, dst),
        dispose() {
          src.destroy();
          dst.destroy();
        },
      };
    },
  },
];
