// Does a sampler server serve the trainer's weights? The server decodes a fixed short prompt
// greedily; the trainer's own forward (rank 0's model, the weights just pushed) scores those same
// tokens, teacher-forced. Each token's logprob must agree within a tolerance: stale weights (a
// reload that did not take, vLLM issue #32718) or another model show as a larger gap, as soon as the
// update moved the probe's logprobs by more than the tolerance. Scoring the server's own tokens
// needs no tie rule: where two tokens are nearly tied, the one the server chose has nearly the top
// logprob under our forward too.
// Greedy logprobs on the wire: vLLM applies no temperature to greedy requests, so its logprobs are
// log softmax(logits) (checked in vLLM's v1 sampler, README); our server returns those as
// model_logprobs (its logprobs are log mu = 0 when greedy). The client's modelLogprobs is the
// former when present, else the latter: the same quantity from either server.
import type { Qwen3Model } from '../model/qwen3.js';
import type { TurnSampler } from '../rollout/sampler.js';

/** "<|im_start|>user\nName a colour.<|im_end|>\n<|im_start|>assistant\n" in Qwen3's tokenizer. */
export const PROBE_PROMPT: readonly number[] = [151644, 872, 198, 675, 264, 12463, 13, 151645, 198, 151644, 77091, 198];

export interface ProbeResult {
  tokens: number[];
  /** Per token: the server's logprob and the trainer's. */
  server: number[];
  trainer: number[];
  /** max |server - trainer| and where (-1: no tokens). */
  maxDiff: number;
  at: number;
}

/** Greedy `n` tokens of the probe prompt from `sampler`, scored by `model`. */
export async function probe(sampler: TurnSampler, model: Qwen3Model, n: number): Promise<ProbeResult> {
  const prompt = PROBE_PROMPT;
  const out = await sampler.sample({ prompt, maxNewTokens: n, sampling: { temperature: 0 }, seed: 0 });
  const tokens = out.tokens.slice(0, n);
  const seq = [...prompt, ...tokens];
  // Position t scores seq[t + 1]: the generated tokens are scored at positions prompt.length - 1 ...
  const targets = Int32Array.from(seq, (_, t) => (t >= prompt.length - 1 && t < seq.length - 1 ? seq[t + 1]! : -1));
  const fwd = await model.forward({ tokens: Int32Array.from(seq), cuSeqlens: Int32Array.of(0, seq.length), targets });
  const trainer = tokens.map((_, i) => fwd.logprobs[prompt.length - 1 + i]!);
  const server = out.modelLogprobs.slice(0, tokens.length);
  let maxDiff = 0;
  let at = -1;
  server.forEach((s, i) => {
    const d = Math.abs(s - trainer[i]!);
    if (at < 0 || d > maxDiff) [maxDiff, at] = [d, i];
  });
  return { tokens, server, trainer, maxDiff, at };
}

/** Whether the probe can run on this model: the prompt's ids are in its vocabulary. */
export function probeFits(model: Qwen3Model): boolean {
  return PROBE_PROMPT.every((t) => t < model.config.vocab_size);
}

export function describeProbe(r: ProbeResult, tolerance: number): string {
  return `greedy probe: ${r.tokens.length} tokens, max |logprob difference| ${r.maxDiff.toExponential(2)} (tolerance ${tolerance})`;
}

/** The error of a probe beyond tolerance, naming the numbers and what they likely mean. */
export function probeMismatch(url: string, what: string, r: ProbeResult, tolerance: number): Error {
  const i = r.at;
  return new Error(
    `sampler ${url}: ${what}: its greedy tokens' logprobs differ from the trainer's own forward by ${r.maxDiff.toExponential(2)} > sampler.probe.tolerance ${tolerance} ` +
      `(token ${i}: id ${r.tokens[i]}, server ${r.server[i]?.toFixed(4)}, trainer ${r.trainer[i]?.toFixed(4)}; tokens ${JSON.stringify(r.tokens)}): ` +
      'it does not serve the weights the trainer has (a reload that did not take, another model or a previous run\'s weights), or the two engines\' numerics differ by more than the tolerance (then raise it)',
  );
}
