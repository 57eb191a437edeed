// The kernel variants not in use by default (llm.c keeps its like in dev/): loading this module
// registers them with src/ops/variant-registry.ts, through which the ops reach them by name. The
// one list of what is experimental; src/ never imports it (test/layers.test.ts), only bench/,
// tools/device and the variants' own tests do.
import { registerAttention, registerGemm } from '../variant-registry.js';
import { sgmatAttention } from './attention-sgmat.js';
import { v2Attention } from './attention-v2.js';
import { sgmat2Variant } from './matmul-sgmat2.js';

registerAttention('v2', v2Attention);
registerAttention('sgmat', sgmatAttention);
registerGemm('v2', sgmat2Variant);

export { checkAttentionSgmat, checkSgmat2 } from './checks.js';
