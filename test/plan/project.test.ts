// Reading a bench results directory and combining its rates into a step time, on a synthetic
// directory whose numbers make the arithmetic checkable by hand.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { QWEN3_14B, type Qwen3Config } from '../../src/model/config.js';
import { planShards } from '../../src/parallel/shard-plan.js';
import { qwen3Tensors } from '../../src/model/config.js';
import { DISPATCH_SECONDS, DISPATCHES_PER_GEMM } from '../../src/plan/facts.js';
import { type Op, trainPassOps } from '../../src/plan/ops.js';
import { type PlanInput, planPasses, project, splitTotal, timeOps } from '../../src/plan/project.js';
import { gemmRate, memoryRate, newestBenchDir, newestUsableBench, readBench } from '../../src/plan/throughput.js';

const root = mkdtempSync(join(tmpdir(), 'plan-bench-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HAND: Qwen3Config = { ...QWEN3_14B, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 4, intermediate_size: 16, vocab_size: 32 };

const gemm = (layout: string, path: string, tflops: number) => ({
  name: `matmul.${layout}.a.${path}`, group: 'gemm', shape: 'M=8 N=8 K=8 bf16', ms: 1, tflops, torch: { op: 'mm', args: { M: 8, N: 8, K: 8, layout } },
});
const attn = (pass: string, tflops: number, suffix = '') => ({
  name: `attention.${pass}.2seq${suffix}`, group: 'attention', shape: 'T=12 (2x6) heads=2/1 hd=4 bf16 v1', ms: 1, tflops, torch: { op: 'sdpa', args: { seqs: 2, seqlen: 6, heads: 2, kv: 1, hd: 4, pass } },
});
const hostCase = (name: string, gbs: number) => ({ name, group: 'exchange', shape: '', ms: 1, gbs, host: true });

function writeBench(dir: string, o: { device?: string; attention?: boolean } = {}): string {
  mkdirSync(dir, { recursive: true });
  const results = [
    gemm('xwT', 'sgmat', 100), gemm('xwT', 'portable', 10), gemm('xwT', 'sgmat2', 999), gemm('dyW', 'sgmat', 50), gemm('dyTx', 'sgmat', 100),
    ...(o.attention === false ? [] : [attn('fwd', 10), attn('bwd', 5), attn('fwd', 999, '.v2')]),
    { name: 'rmsnorm.bwd', group: 'norm', shape: '', ms: 1, gbs: 250 },
    { name: 'matmul.dyW.b.sgmat', group: 'gemm', shape: '', ms: null, error: 'device lost' },
    hostCase('exchange.readback', 4), hostCase('exchange.upload', 2), hostCase('host.ceiling', 8),
    hostCase('exchange.readback.copy', 3), hostCase('exchange.upload.writeBuffer', 1),
  ];
  writeFileSync(join(dir, 'bench-test.json'), JSON.stringify({ device: { adapter: 'test adapter', software: false, features: {} }, date: '2030-01-01T00:00:00Z', scale: 'full', reps: 1, ceilings: { copyGBs: 1000, bestGemmTFLOPs: 100 }, results }));
  // torch: the xwT shape at 400 TFLOP/s (2*8^3 flops)
  writeFileSync(join(dir, 'torch-test.json'), JSON.stringify({ device: o.device ?? 'Test GPU', torch: '9.9', results: { 'matmul.xwT.a.sgmat': { ms: (1024 / 400e12) * 1e3, op: 'mm', args: { M: 8, N: 8, K: 8, layout: 'xwT' } } } }));
  writeFileSync(join(dir, 'gpu-info.json'), JSON.stringify({ adapter: { device: 'test-gpu' }, limits: { maxStorageBufferBindingSize: 2 ** 31 - 4 } }));
  writeFileSync(join(dir, 'summary-test.md'), '# prose\n');
  return dir;
}

describe('bench directory', () => {
  const dir = writeBench(join(root, '2030-01-01-test'));

  it('reads the default GEMM path, v1 attention, the copy ceiling and host transfers; marks measured vs nearest', () => {
    const b = readBench(dir);
    expect(b.card).toBe('Test GPU');
    expect(b.gemms.map((g) => `${g.layout}:${g.tflops}`).sort()).toEqual(['dyTx:100', 'dyW:50', 'xwT:100']); // sgmat only
    expect(b.attention.map((a) => a.tflops).sort()).toEqual([10, 5]);
    expect(b.copy).toMatchObject({ value: 1000, basis: 'measured' });
    expect(b.host.hostToDevice).toMatchObject({ value: 2, basis: 'measured' });
    expect(b.host.hostToDeviceWriteBuffer).toMatchObject({ value: 1, basis: 'measured' });
    expect(b.host.deviceToHostCopy).toMatchObject({ value: 3, basis: 'measured' });
    expect(b.host.memcpy.value).toBe(8);
    expect(gemmRate(b, { M: 8, N: 8, K: 8, layout: 'xwT' })).toMatchObject({ value: 100, basis: 'measured' });
    expect(gemmRate(b, { M: 4096, N: 8, K: 8, layout: 'dyW' })).toMatchObject({ value: 50, basis: 'nearest' });
    expect(memoryRate(b, 'rmsnorm.bwd')).toMatchObject({ value: 250, basis: 'measured' });
    expect(memoryRate(b, 'swiglu.fwd')).toMatchObject({ value: 1000, basis: 'assumed' }); // the copy ceiling
    expect(b.files).toContain('summary-test.md');
  });

  it('times an op list: FLOPs / TFLOP/s, bytes / GB/s, dispatches, and the torch peer', () => {
    const b = readBench(dir);
    const ops: Op[] = [
      { kind: 'gemm', name: 'g', phase: 'forward', count: 2, M: 8, N: 8, K: 8, layout: 'xwT', flops: 1e12 },
      { kind: 'attention', name: 'a', phase: 'forward', count: 1, pass: 'fwd', seqLens: [6, 6], flops: 3e12 },
      { kind: 'memory', name: 'm', phase: 'forward', count: 1, kernel: 'add', bytes: 1e9, flops: 0 },
    ];
    const t = timeOps(ops, b);
    expect(t.split.gemm).toBeCloseTo(2e12 / 100e12, 12);
    expect(t.split.attention).toBeCloseTo(3e12 / 10e12, 12);
    expect(t.split.memory).toBeCloseTo(1e9 / 1000e9, 12);
    expect(t.split.dispatch).toBeCloseTo((2 * DISPATCHES_PER_GEMM + 2 + 1) * DISPATCH_SECONDS.value, 15);
    expect(t.torchGemm).toBeCloseTo(2e12 / 400e12, 12);
    expect(t.flops).toBe(5e12);
  });

  it('combines passes, ranks and the sharded phases into a step', () => {
    const b = readBench(dir);
    const input: PlanInput = {
      model: HAND, world: 2, examplesPerStep: 1, groupSize: 4, microBatchTokens: 12, gradDtype: 'f32',
      tokensPerRollout: 6, scoredFraction: 0.5, peakTFLOPs: 1000, decode: { seqs: 2, context: 6 }, prefillTokens: 6, samplerSync: true,
    };
    // 4 rollouts of 6 tokens, 2 per pass of <= 12: one pass of [6, 6] per rank, 6 scored rows
    expect(planPasses(input)).toEqual([[{ seqLens: [6, 6], scoredRows: 6 }], [{ seqLens: [6, 6], scoredRows: 6 }]]);
    const p = project(input, b);
    const ops = trainPassOps(HAND, { seqLens: [6, 6], scoredRows: 6 }, 'f32');
    const gemmSeconds = ops.reduce((a, o) => (o.kind === 'gemm' ? a + (o.count * o.flops) / ((o.layout === 'dyW' ? 50 : 100) * 1e12) : a), 0);
    expect(p.split.gemm).toBeCloseTo(gemmSeconds, 15);
    const s = p.split;
    expect(s.gemm + s.attention + s.memory + s.dispatch + s.collectives + s.optimizer + s.samplerSync).toBeCloseTo(p.stepSeconds, 12);
    expect(p.phases.backward + p.phases.reduce + p.phases.apply + p.phases.gather + s.samplerSync).toBeCloseTo(p.stepSeconds, 12);
    // collectives by hand: f32 gradients (4 B), device->host 4 GB/s, host->device 2, file copy 8
    const params = qwen3Tensors(HAND).reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0);
    const load = planShards(qwen3Tensors(HAND).map((t) => ({ name: t.name, numel: t.shape.reduce((x, y) => x * y, 1) })), 2).load;
    const r0 = p.ranks[0]!;
    expect(r0.owned).toBe(load[0]);
    const un = params - load[0]!;
    expect(r0.collectives.publishGrads).toBeCloseTo((4 * un) / 4e9 + (4 * un) / 8e9, 15);
    expect(r0.collectives.reduce).toBeCloseTo((4 * load[0]!) / 8e9 + (4 * load[0]!) / 2e9, 15);
    expect(r0.collectives.gather).toBeCloseTo((2 * un) / 8e9 + (2 * un) / 2e9, 15);
    expect(s.samplerSync).toBeCloseTo((2 * params) / 4e9 + (2 * params) / 8e9, 15);
    // the host path before its staging buffers: readbacks copied into JS memory (3 GB/s), uploads by
    // queue.writeBuffer (1 GB/s); rank 1 owns the rest, so take the slower rank of each phase
    const hostSeconds = (d2h: number, h2d: number): number => {
      const perRank = [0, 1].map((r) => {
        const own = load[r]!, not = params - own;
        return { pub: (4 * not) / d2h + (4 * not) / 8e9, red: (4 * own) / 8e9 + (4 * own) / h2d, pubW: (2 * own) / d2h + (2 * own) / 8e9, gat: (2 * not) / 8e9 + (2 * not) / h2d };
      });
      return (['pub', 'red', 'pubW', 'gat'] as const).reduce((a, k) => a + Math.max(...perRank.map((x) => x[k])), 0) + (2 * params) / d2h + (2 * params) / 8e9;
    };
    expect(p.sensitivity.hostCopies - p.stepSeconds).toBeCloseTo(hostSeconds(3e9, 1e9) - hostSeconds(4e9, 2e9), 12);
    expect(p.tokensPerSecond).toBeCloseTo(24 / p.stepSeconds, 9);
    expect(p.mfu).toBeCloseTo(p.stepModelFlops / (p.stepSeconds * 2 * 1000e12), 15);
    expect(p.torch!.gemmSeconds).toBeGreaterThan(0);
    expect(splitTotal(r0.compute)).toBeGreaterThan(0);
    // one rank: no collectives, no reduce
    const one = project({ ...input, world: 1 }, b);
    expect(one.split.collectives).toBe(0);
    expect(one.ranks[0]!.passes).toHaveLength(2);
  });

  it("falls back to the README's H200 attention figures, and only for an H200", () => {
    const h200 = readBench(writeBench(join(root, 'h200'), { device: 'NVIDIA H200', attention: false }));
    expect(h200.card).toBe('H200');
    expect(h200.attention.find((a) => a.pass === 'fwd')).toMatchObject({ tflops: 9.9, basis: 'notes', seqLen: 4096 });
    expect(() => readBench(writeBench(join(root, 'other'), { attention: false }))).toThrow(/no attention results/);
  });

  it('names a missing or empty directory; picks the newest by name', () => {
    expect(() => readBench(join(root, 'nope'))).toThrow(/bench directory .*nope does not exist/);
    mkdirSync(join(root, 'empty'));
    expect(() => readBench(join(root, 'empty'))).toThrow(/no bench-\*\.json/);
    const parent = join(root, 'results');
    writeBench(join(parent, '2029-12-31-a'));
    writeBench(join(parent, '2030-01-02-b'));
    mkdirSync(join(parent, '2031-01-01-no-bench'));
    expect(newestBenchDir(parent)).toBe(join(parent, '2030-01-02-b'));
    // A newer partial run (a CPU adapter's few groups) is passed over, and named.
    writeBench(join(parent, '2030-06-01-cpu'), { device: 'mesa software llvmpipe', attention: false });
    const { bench, skipped } = newestUsableBench(parent);
    expect(bench.dir).toBe(join(parent, '2030-01-02-b'));
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatch(/2030-06-01-cpu: no attention results/);
  });
});
