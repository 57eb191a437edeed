// Device memory bandwidth ceiling: copy a large buffer (read + write), chunked under the binding cap.
import type { BenchCase } from '../types.js';

const copyKernel = { name: 'copy', file: 'copy.wgsl', params: { n4: 'u32' } } as const;

export const cases: BenchCase[] = [
  {
    name: 'copy.ceiling',
    group: 'ceiling',
    async setup(gpu, scale) {
      const bytes = scale === 'full' ? 1 << 30 : 32 << 20;
      const src = gpu.empty([bytes / 4], 'u32', 'copy-src');
      const dst = gpu.empty([bytes / 4], 'u32', 'copy-dst');
      const chunks = gpu.rowChunks(bytes / 16, 16);
      return {
        shape: `bytes=${bytes}`,
        torch: { op: 'copy', args: { bytes } },
        bytes: 2 * bytes,
        run() {
          for (const c of chunks) {
            gpu.dispatch(copyKernel, {
              params: { n4: c.rows },
              bindings: [src.range(c.offset, c.size), dst.range(c.offset, c.size)],
              workgroups: Math.ceil(c.rows / 256),
            });
          }
        },
        dispose() {
          src.destroy();
          dst.destroy();
        },
      };
    },
  },
];
