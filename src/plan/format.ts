// The plan as Markdown: conditions, memory per rank, the step-time split, the rates used (each
// with its basis and source), sampling on one GPU.
import { basename } from 'node:path';
import { formatBytes } from '../io/progress.js';
import { type Figure, DISPATCH_SECONDS, PUBLISHED_STEP_SECONDS } from './facts.js';
import { type Projection, type RateUse, splitTotal } from './project.js';
import type { Bench } from './throughput.js';

export interface PlanContext {
  configPath: string;
  /** Where the model shape came from (config.json, or the published constants and why). */
  modelNote: string;
  tokensNote: string;
  scoredNote: string;
  worldNote: string;
  peak: Figure;
  cardMemory: Figure | null;
}

const s1 = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const ms = (x: number): string => `${(1000 * x).toFixed(x < 0.01 ? 2 : 1)} ms`;
const gb = formatBytes;
const big = (n: number): string => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : `${n}`);
const rateText = (u: Pick<RateUse, 'rate' | 'unit'>): string => `${u.rate.value.toPrecision(3)} ${u.unit}`;

function bases(uses: readonly RateUse[], pick: (u: RateUse) => boolean): string {
  const sel = uses.filter(pick);
  const tot = sel.reduce((a, u) => a + u.seconds, 0) || 1;
  const by = new Map<string, number>();
  for (const u of sel) by.set(u.rate.basis, (by.get(u.rate.basis) ?? 0) + u.seconds);
  return [...by.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${Math.round((100 * v) / tot)}%`).join(', ');
}

export function formatPlan(p: Projection, bench: Bench, ctx: PlanContext): string {
  const i = p.input;
  const c = i.model;
  const out: string[] = [];
  const line = (s = ''): void => void out.push(s);
  const benchName = basename(bench.dir);
  const read = bench.files.filter((f) => /^(bench-|torch-).*\.json$|^gpu-info\.json$|^check\.json$/.test(f));
  const notRead = bench.files.filter((f) => !read.includes(f));

  line(`# Step-time plan: ${ctx.configPath}`);
  line();
  line('## Conditions');
  line();
  line(`- model: ${ctx.modelNote}; ${big(p.params.total)} parameters (${big(p.params.nonEmbedding)} without embeddings); H ${c.hidden_size}, ${c.num_hidden_layers} layers, heads ${c.num_attention_heads}/${c.num_key_value_heads} x ${c.head_dim}, I ${c.intermediate_size}, V ${c.vocab_size}${c.tie_word_embeddings ? ', tied embeddings' : ''}`);
  line(`- batch: ${i.examplesPerStep} examples x ${i.groupSize} rollouts = ${p.rollouts} rollouts of ${Math.round(i.tokensPerRollout)} tokens (${ctx.tokensNote}); packed into ${p.passCount} passes of at most ${i.microBatchTokens} tokens (src/train/batch.ts packPasses), spread over ${i.world} rank(s) (${ctx.worldNote}; src/parallel/shard-plan.ts assignPasses): ${p.ranks.map((r) => `${r.passes.length} passes / ${r.tokens} tokens`).join(', ')}`);
  line(`- lm_head scores ${pct(i.scoredFraction)} of each pass's positions (${ctx.scoredNote}); gradient accumulators ${i.gradDtype}; ${i.recompute === false ? 'no activation checkpointing (model.recompute false: every layer keeps its forward activations)' : "activation checkpointing at every layer (the backward recomputes each layer's forward except down_proj)"}`);
  line(`- bench: ${bench.dir} (${bench.date}), ${bench.device} [${bench.card}]${bench.torchVersion ? `, torch ${bench.torchVersion} on the same card` : ''}; read ${read.join(', ')}${notRead.length ? `; not read: ${notRead.join(', ')}` : ''}${bench.checks ? `; device checks ${bench.checks.passed} passed, ${bench.checks.failed} failed (${bench.checks.file})` : ''}`);
  line(`- peak: ${ctx.peak.value} TFLOP/s bf16 dense per card (${ctx.peak.basis}: ${ctx.peak.source})`);
  line(`- bases: measured = this shape in ${benchName}; nearest = another shape measured in ${benchName} (the nearest in log M, N, K, same layout where measured); notes = measured on the same card but recorded in README.md / architecture.md, not in the directory; derived; assumed`);
  line();

  const m = p.memory;
  const other = m.otherScratch.reduce((a, x) => a + x.bytes, 0);
  const named = (purpose: string): string => purpose.replace(/\[.*\]$/, '');
  line(`## Memory per rank (largest rank's optimizer shard; activations and scratch at ${p.memoryPassTokens}-token passes, the lm_head at all ${m.lmHead.rows} positions scored: the scratch arena keeps the largest pass's blocks)`);
  line();
  line('| item | size | counted by |');
  line('|---|---|---|');
  line(`| bf16 weights (all, every rank) | ${gb(m.weights)} | src/parallel/memory.ts |`);
  line(`| gradient accumulators (${i.gradDtype}) | ${gb(m.grads)} | src/parallel/memory.ts |`);
  if (m.gradScratch) line(`| f32 scratch of one gradient group (the largest: lm_head / embedding) | ${gb(m.gradScratch)} | src/parallel/memory.ts |`);
  line(`| AdamW shard (f32 master + m + v) | ${gb(m.optimizer)} | src/parallel/memory.ts |`);
  line(`| activations of one pass (src/model/qwen3-activations.ts bytesPerToken) | ${gb(m.activations)} | src/parallel/memory.ts |`);
  line(`| lm_head scratch (arena): [${m.lmHead.rows}, ${m.lmHead.chunk}] f32 logits ${gb(m.lmHead.logits)}, bf16 dlogits ${gb(m.lmHead.dlogits)}, f32 dh ${gb(m.lmHead.dh32)}, softmax state and zero dentropy ${gb(m.lmHead.rest)} | ${gb(m.lmHead.total)} | src/ops/lm-head.ts lmHeadScratch |`);
  line(`| other op scratch (arena): ${m.otherScratch.slice(0, 4).map((x) => `${named(x.purpose)} ${gb(x.bytes)}`).join(', ')}${m.otherScratch.length > 4 ? `, ${m.otherScratch.length - 4} more` : ''} | ${gb(other)} | src/model/scratch-plan.ts |`);
  if (m.collectives) line(`| collectives: sumInto accumulator + part (arena, one 64 MiB piece) + host-transfer staging (one read, two write buffers) | ${gb(m.collectives + m.staging)} | src/parallel/collectives.ts, src/gpu/gpu.ts |`);
  line(`| lm_head scored-row tensors (h, dh [${m.lmHead.rows}, H] bf16, eight vectors) | ${gb(m.scoredRows)} | src/model/qwen3-head.ts |`);
  line(`| batch index tensors (ids, positions, targets, cu_seqlens) | ${gb(m.batch)} | src/model/qwen3-batch.ts |`);
  line(`| **total** | **${gb(m.total)}**${ctx.cardMemory ? ` of ${gb(ctx.cardMemory.value)} (${ctx.cardMemory.source}): ${m.total <= ctx.cardMemory.value ? `${gb(ctx.cardMemory.value - m.total)} spare` : `**${gb(m.total - ctx.cardMemory.value)} over**`}` : ''} | src/parallel/memory.ts (what train --check logs) |`);
  line();
  line('Not counted (megabytes, or off the device): uniform and pipeline buffers, Dawn\'s internal staging for queue.writeBuffer, the scratch of the non-default kernel variants (f16 copies of operands: src/ops/experimental).' + (m.hostExchange ? ` Host memory: the exchange directory on /dev/shm holds up to ${gb(m.hostExchange)} (src/train/rank-group.ts).` : ''));
  line();

  const sp = p.split;
  const tot = p.stepSeconds;
  const row = (name: string, sec: number, basis: string): void => line(`| ${name} | ${s1(sec)} | ${pct(sec / tot)} | ${basis} |`);
  line(`## Step time (critical path: each phase ends when its slowest rank ends)`);
  line();
  line('| part | seconds | share | basis |');
  line('|---|---|---|---|');
  row('GEMM (projections, MLP, lm_head; fwd + recompute + bwd)', sp.gemm, bases(p.uses, (u) => u.what.startsWith('GEMM')));
  row('attention (fwd, recompute, bwd)', sp.attention, bases(p.uses, (u) => u.what.startsWith('attention')));
  row('memory-bound (norms, RoPE, SwiGLU, adds, casts, embedding, lm_head softmax, gradient commits)', sp.memory, bases(p.uses, (u) => u.what.startsWith('memory') && !/adamw|sumsq|grad-sum/.test(u.what)));
  row(`dispatch overhead (${DISPATCH_SECONDS.value * 1e6} us each)`, sp.dispatch, `${DISPATCH_SECONDS.basis}: ${DISPATCH_SECONDS.source}`);
  row('collectives through host memory (grads out, reduce in, weights out, gather in)', sp.collectives, `${bench.host.deviceToHost.basis}: device->host ${bench.host.deviceToHost.value} GB/s (gpu.readMapped: no copy into JS memory); ${bench.host.hostToDevice.basis}: host->device ${bench.host.hostToDevice.value} GB/s (gpu.writeBytes: reused MAP_WRITE staging); ${bench.host.memcpy.basis}: /dev/shm file write/read ${bench.host.memcpy.value.toFixed(1)} GB/s`);
  row('optimizer (zero grads, reduce adds, grad norm, AdamW on the shard)', sp.optimizer, bases(p.uses, (u) => /adamw|sumsq|grad-sum|zero/.test(u.what)));
  if (i.samplerSync) row('sampler weight sync: rank 0 writes the new weights for the server\'s reload (model.save)', sp.samplerSync, `${bench.host.deviceToHost.basis}: device->host ${bench.host.deviceToHost.value} GB/s (gpu.readMapped) + ${bench.host.memcpy.basis}: file write into the page cache from mapped memory ${bench.host.memcpy.value.toFixed(1)} GB/s; the disk flush and the server's reload not counted`);
  line(`| **step** | **${s1(tot)}** | | published ~${PUBLISHED_STEP_SECONDS.value} s (${PUBLISHED_STEP_SECONDS.source}): **${p.published.ratio.toFixed(2)}x** |`);
  line();
  line(`- phases: backward ${s1(p.phases.backward)} s, reduce ${s1(p.phases.reduce)} s, apply ${s1(p.phases.apply)} s, gather ${s1(p.phases.gather)} s`);
  line(`- one pass of ${p.examplePass.tokens} tokens (${p.examplePass.seqs} sequence(s)): ${s1(splitTotal(p.examplePass.split))} s: GEMM ${s1(p.examplePass.split.gemm)} s, attention ${s1(p.examplePass.split.attention)} s, memory-bound ${s1(p.examplePass.split.memory)} s, dispatch ${s1(p.examplePass.split.dispatch)} s`);
  line(`- per rank: ${p.ranks.map((r) => `rank ${r.rank}: ${r.passes.length} passes, compute ${s1(splitTotal(r.compute))} s, owns ${big(r.owned)} params`).join('; ')}`);
  const v = p.ranks.reduce((a, r) => (r.owned > a.owned ? r : a)).volumes;
  if (i.world > 1) line(`- host-memory volumes per rank (the largest shard's): gradients out ${gb(v.publishGrads)}, gradients in for the reduce ${gb(v.reduce)}, weights out ${gb(v.publishWeights)}, weights in for the gather ${gb(v.gather)} (src/parallel/shard-sync.ts, collectives.ts)`);
  line(`- throughput: ${p.tokensPerStep} tokens per step, ${s1(p.tokensPerSecond)} tokens/s (${s1(p.tokensPerSecond / i.world)} per training GPU)`);
  line(`- MFU ${pct(p.mfu)} (model FLOPs ${(p.stepModelFlops / 1e15).toFixed(2)} PFLOP per step: forward + backward, recompute excluded), HFU ${pct(p.hfu)} (${(p.stepFlops / 1e15).toFixed(2)} PFLOP executed), against ${i.world} x ${ctx.peak.value} TFLOP/s`);
  if (p.torch) {
    line(`- torch peer (torch-matmul.json, nearest shapes): our GEMMs run at ${pct(p.torch.speedRatio)} of torch's speed (critical rank: ours ${s1(p.torch.ourGemmSeconds)} s, torch ${s1(p.torch.gemmSeconds)} s); the same step with torch-speed GEMMs: ${s1(p.torch.stepWithTorchGemm)} s`);
  } else {
    line('- torch peer: not in this bench directory');
  }
  line(`- sensitivity: memory-bound kernels at the README's per-kernel rates of their previous versions (rmsnorm 222-315 GB/s etc.) instead of the copy ceiling: ${s1(p.sensitivity.staleKernelRates)} s per step; the host path before 2026-12-03 (uploads through queue.writeBuffer at ${bench.host.hostToDeviceWriteBuffer.value} GB/s, readbacks copied into JS memory at ${bench.host.deviceToHostCopy.value} GB/s): ${s1(p.sensitivity.hostCopies)} s per step`);
  line('- the published figure includes sampling on the 4th GPU, overlapped with training (one step off-policy); the projection is the update and the weight handoff');
  line('- not counted: host-side work per pass (packing, the AIPO loss in JS, the logprob readback between forward and backward: milliseconds), contention for host-memory bandwidth when the ranks copy at once, checkpoints every saveEvery steps (each rank\'s 12 B/param optimizer shard and rank 0\'s model to disk), the sampler server\'s reload, waiting for the next step\'s rollouts');
  line();

  line('## Rates used (seconds summed over all ranks, largest first)');
  line();
  line('| what | rate | basis | source | s (all ranks) |');
  line('|---|---|---|---|---|');
  for (const u of [...p.uses].sort((a, b) => b.seconds - a.seconds)) line(`| ${u.what} | ${rateText(u)} | ${u.rate.basis} | ${u.rate.source} | ${s1(u.seconds)} |`);
  line();

  const d = p.sampling.decode;
  const pf = p.sampling.prefill;
  const sm = p.sampling.memory;
  line(`## Sampling on one GPU (npm run serve: the embedded engine, src/model/generate.ts)`);
  line();
  line('| what | time | detail |');
  line('|---|---|---|');
  line(`| decode step, ${i.decode.seqs} sequences at ${i.decode.context} cached tokens each | ${ms(d.seconds)} | ${s1(d.tokensPerSecond)} tokens/s; reads ${gb(d.weightBytes)} of weights (each GEMM at M=${i.decode.seqs} reads its weight twice: the f16 scale pass and the GEMM) and ${gb(d.kvBytes)} of KV cache, at the copy ceiling (assumed: GEMMs at M=${i.decode.seqs} and the decode attention kernel are not benchmarked) |`);
  line(`| prefill of one ${i.prefillTokens}-token prompt | ${s1(pf.seconds)} s | GEMM ${s1(pf.split.gemm)} s, attention ${s1(pf.split.attention)} s, memory-bound ${s1(pf.split.memory)} s (rates as in training) |`);
  line();
  line(`Serve memory: weights ${gb(sm.weights)} + KV cache ${gb(sm.kvCache)} (${i.decode.seqs} slots x ${Math.max(i.decode.context + 1, i.prefillTokens)} tokens) + prefill activations ${gb(sm.prefillActivations)} + op scratch and the generator's logits ${gb(sm.scratch)} = ${gb(sm.total)}; \`npm run serve\` needs \`--slots ${i.decode.seqs} --max-tokens\` of at least prompt + new tokens (default 8192). Not estimated: a whole step's sampling on this engine (each turn is a new request whose full history is prefilled again: no prefix cache; only requests batched together with the same prompt, a group's first turns, share one prefill), nor vLLM's (no bench of it here).`);
  return out.join('\n') + '\n';
}
