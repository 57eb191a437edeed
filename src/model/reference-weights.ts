// Config, tensor names/shapes and random initialisation for the float64 reference Qwen3.
// Names and shapes follow the HF checkpoint (shared/spec/qwen3-facts.md); Linear weights are
// [out_features, in_features].
import { makeRng, randomArray } from '../ops/ref/random.js';

/** Minimal local config (src/model/config.ts parses the real one; this stays independent). */
export interface RefConfig {
  hidden: number; // H
  layers: number;
  heads: number; // nh (query heads)
  kvHeads: number; // nkv
  headDim: number; // hd; nh * hd need not equal H
  intermediate: number; // I
  vocab: number; // V
  ropeTheta: number;
  eps: number; // rms_norm_eps
  tied: boolean; // lm_head shares model.embed_tokens.weight
}

/** Float64 weights keyed by HF tensor name. */
export type RefWeights = Record<string, Float64Array>;

export const EMBED = 'model.embed_tokens.weight';
export const FINAL_NORM = 'model.norm.weight';
export const LM_HEAD = 'lm_head.weight';

/** HF names of layer i's tensors. */
export function layerNames(i: number) {
  const p = `model.layers.${i}.`;
  return {
    inputNorm: `${p}input_layernorm.weight`,
    postNorm: `${p}post_attention_layernorm.weight`,
    q: `${p}self_attn.q_proj.weight`,
    k: `${p}self_attn.k_proj.weight`,
    v: `${p}self_attn.v_proj.weight`,
    o: `${p}self_attn.o_proj.weight`,
    qNorm: `${p}self_attn.q_norm.weight`,
    kNorm: `${p}self_attn.k_norm.weight`,
    gate: `${p}mlp.gate_proj.weight`,
    up: `${p}mlp.up_proj.weight`,
    down: `${p}mlp.down_proj.weight`,
  } as const;
}

export type LayerKey = keyof ReturnType<typeof layerNames>;

/** Every tensor the config needs, with its shape, in checkpoint order. */
export function referenceWeightShapes(cfg: RefConfig): Map<string, number[]> {
  const { hidden: H, heads: nh, kvHeads: nkv, headDim: hd, intermediate: I, vocab: V } = cfg;
  const shapes = new Map<string, number[]>();
  shapes.set(EMBED, [V, H]);
  for (let i = 0; i < cfg.layers; i++) {
    const n = layerNames(i);
    shapes.set(n.inputNorm, [H]);
    shapes.set(n.q, [nh * hd, H]);
    shapes.set(n.k, [nkv * hd, H]);
    shapes.set(n.v, [nkv * hd, H]);
    shapes.set(n.o, [H, nh * hd]);
    shapes.set(n.qNorm, [hd]);
    shapes.set(n.kNorm, [hd]);
    shapes.set(n.postNorm, [H]);
    shapes.set(n.gate, [I, H]);
    shapes.set(n.up, [I, H]);
    shapes.set(n.down, [H, I]);
  }
  shapes.set(FINAL_NORM, [H]);
  if (!cfg.tied) shapes.set(LM_HEAD, [V, H]);
  return shapes;
}

/** Throws naming the tensor if any is missing, unexpected, or of the wrong size. */
export function checkReferenceWeights(cfg: RefConfig, w: RefWeights): void {
  if (cfg.heads % cfg.kvHeads !== 0) {
    throw new Error(`reference config: heads (${cfg.heads}) must be a multiple of kvHeads (${cfg.kvHeads})`);
  }
  if (cfg.headDim % 2 !== 0) throw new Error(`reference config: headDim must be even, got ${cfg.headDim}`);
  const shapes = referenceWeightShapes(cfg);
  for (const [name, shape] of shapes) {
    const t = w[name];
    const n = shape.reduce((a, b) => a * b, 1);
    if (!t) throw new Error(`reference weights: missing tensor ${name} [${shape.join(', ')}]`);
    if (t.length !== n) {
      throw new Error(`reference weights: ${name} has ${t.length} elements, expected [${shape.join(', ')}] = ${n}`);
    }
  }
  for (const name of Object.keys(w)) {
    if (!shapes.has(name)) {
      const why = name === LM_HEAD ? ' (config says tied embeddings)' : '';
      throw new Error(`reference weights: unexpected tensor ${name}${why}`);
    }
  }
}

/**
 * Random weights for tests: linear weights ~ N(0, 1/fan_in), embeddings ~ N(0, 1), norm weights
 * ~ 1 + N(0, 0.1^2) (not all ones, so a dropped or misapplied norm weight shows up).
 */
export function randomReferenceWeights(cfg: RefConfig, seed: number): RefWeights {
  const rng = makeRng(seed);
  const w: RefWeights = {};
  for (const [name, shape] of referenceWeightShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (shape.length === 1) w[name] = randomArray(n, rng, 0.1, 1);
    else if (name === EMBED) w[name] = randomArray(n, rng, 1);
    else w[name] = randomArray(n, rng, 1 / Math.sqrt(shape[1]!));
  }
  return w;
}
