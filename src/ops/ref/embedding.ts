// Token embedding: a row gather from the table [V, H]; the backward scatter-adds each token's
// gradient row into the table gradient (repeated tokens accumulate).
import { expectLength, expectPositiveInt, type Vec } from './check.js';

function checkIds(op: string, ids: Vec, V: number): void {
  for (let t = 0; t < ids.length; t++) {
    const id = ids[t]!;
    if (!Number.isInteger(id) || id < 0 || id >= V) {
      throw new Error(`${op}: token id ${id} at position ${t} is outside the vocabulary [0, ${V})`);
    }
  }
}

export function embeddingForward(table: Vec, ids: Vec, V: number, H: number): Float64Array {
  expectPositiveInt('embeddingForward', 'V', V);
  expectPositiveInt('embeddingForward', 'H', H);
  expectLength('embeddingForward', 'table [V,H]', table, V * H);
  checkIds('embeddingForward', ids, V);
  const out = new Float64Array(ids.length * H);
  for (let t = 0; t < ids.length; t++) {
    const row = ids[t]! * H;
    for (let j = 0; j < H; j++) out[t * H + j] = table[row + j]!;
  }
  return out;
}

/** Returns dTable [V, H]. */
export function embeddingBackward(dOut: Vec, ids: Vec, V: number, H: number): Float64Array {
  expectPositiveInt('embeddingBackward', 'V', V);
  expectPositiveInt('embeddingBackward', 'H', H);
  expectLength('embeddingBackward', 'dOut [T,H]', dOut, ids.length * H);
  checkIds('embeddingBackward', ids, V);
  const dTable = new Float64Array(V * H);
  for (let t = 0; t < ids.length; t++) {
    const row = ids[t]! * H;
    for (let j = 0; j < H; j++) dTable[row + j] += dOut[t * H + j]!;
  }
  return dTable;
}
