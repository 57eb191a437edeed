// Device memory bandwidth ceiling: copy a large buffer (read + write), chunked under the binding cap.
// copy.ceiling is the portable kernel (256 invocations, one vec4 each: kernels/copy.wgsl);
// copy.cpu the CPU-shaped one (8 invocations, 256 vec4 each: kernels/copy-cpu.wgsl), side by side
// on a CPU adapter (bench/pairs.ts times them alternating, best of several rounds). The bench's fractions stay relative to copy.ceiling.
import { BenchUnavailable, type BenchCase } from '../types.js';

const copyKernel = { name: 'copy', file: 'copy.wgsl', params: { n4: 'u32' } } as const;

function copyCase(name: string, group: string, cpu: boolean): BenchCase {
  return {
    name,
    group,
    async setup(gpu, scale) {
      if (cpu && !gpu.isCpu) throw new BenchUnavailable('the CPU-shaped copy is for CPU adapters');
      const bytes = scale === 'full' ? 1 << 30 : 32 << 20;
      const src = gpu.empty([bytes / 4], 'u32', 'copy-src');
      const dst = gpu.empty([bytes / 4], 'u32', 'copy-dst');
      const chunks = gpu.rowChunks(bytes / 16, 16);
      const def = cpu ? { ...copyCpu, consts: { LANES: gpu.cpuLanes, PER: CPU_PER } } : copyKernel;
      const perWg = cpu ? gpu.cpuLanes * CPU_PER : 256;
      return {
        shape: `bytes=${bytes}`,
        torch: { op: 'copy', args: { bytes } },
        bytes: 2 * bytes,
        run() {
          for (const c of chunks) {
            gpu.dispatch(def, {
              params: { n4: c.rows },
              bindings: [src.range(c.offset, c.size), dst.range(c.offset, c.size)],
              workgroups: Math.ceil(c.rows / perWg),
            });
          }
        },
        dispose() {
          src.destroy();
          dst.destroy();
        },
      };
    },
  };
}

/** vec4 words per invocation of the CPU copy: measured on lavapipe (32 MiB, best of 5-15 rounds,
 *  alternating, on a shared 2-core machine; bench/results/2026-12-03-lavapipe): 256 with the
 *  unchecked loop for whole blocks 16.2-20.1 GB/s, the checked loop at 64 per invocation 11.5-16.3,
 *  at 1024 and 4096 no better than 256, 16 5.0; the portable kernel 2.6-3.7 GB/s in the same runs. */
const CPU_PER = 256;
const copyCpu = { name: 'copy_cpu', file: 'copy-cpu.wgsl', params: { n4: 'u32' } } as const;

export const cases: BenchCase[] = [copyCase('copy.ceiling', 'ceiling', false), copyCase('copy.cpu', 'copy', true)];
