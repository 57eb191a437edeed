// Text widths from the shipped font's own metrics, for Vega's layout. Without a canvas package
// Vega guesses a text's width as 0.8 x font size per character, which is ~35% wider than DejaVu
// Sans and leaves gaps in legends and squeezed plots; Vega lets a program replace that guess
// (textMetrics.width), and this measures with the advance widths read from the TrueType file
// itself: the 'cmap' table maps a character to a glyph, 'hmtx' gives the glyph's advance in font
// units, 'head' the units per em. Kerning is left out (a fraction of a pixel per pair).
import { readFileSync } from 'node:fs';

export interface FontMetrics {
  /** Advance of one character at font size 1 (em units); missing characters get the font's default glyph's. */
  advance(codePoint: number): number;
}

/** Reads the metrics of a TrueType font file (cmap format 4, the Basic Multilingual Plane). */
export function readFontMetrics(path: string): FontMetrics {
  const b = readFileSync(path);
  const u16 = (o: number) => b.readUInt16BE(o);
  const tables = new Map<string, number>();
  for (let i = 0, n = u16(4); i < n; i++) {
    const rec = 12 + 16 * i;
    tables.set(b.toString('latin1', rec, rec + 4), b.readUInt32BE(rec + 8));
  }
  const at = (tag: string): number => {
    const o = tables.get(tag);
    if (o === undefined) throw new Error(`${path}: no '${tag}' table (not a TrueType font?)`);
    return o;
  };
  const unitsPerEm = u16(at('head') + 18);
  const numberOfHMetrics = u16(at('hhea') + 34);
  const hmtx = at('hmtx');
  const glyphAdvance = (g: number) => u16(hmtx + 4 * Math.min(g, numberOfHMetrics - 1)) / unitsPerEm;

  // cmap: the Windows Unicode BMP subtable (platform 3, encoding 1), format 4.
  const cmap = at('cmap');
  let sub = -1;
  for (let i = 0, n = u16(cmap + 2); i < n; i++) {
    const rec = cmap + 4 + 8 * i;
    if (u16(rec) === 3 && u16(rec + 2) === 1) sub = cmap + b.readUInt32BE(rec + 4);
  }
  if (sub < 0 || u16(sub) !== 4) throw new Error(`${path}: no Unicode BMP (3,1) format 4 cmap`);
  const segs = u16(sub + 6) / 2;
  const ends = sub + 14, starts = ends + 2 * segs + 2, deltas = starts + 2 * segs, ranges = deltas + 2 * segs;
  const glyphOf = (c: number): number => {
    if (c > 0xffff) return 0;
    for (let i = 0; i < segs; i++) {
      if (u16(ends + 2 * i) < c) continue;
      const start = u16(starts + 2 * i);
      if (start > c) return 0;
      const delta = u16(deltas + 2 * i), range = u16(ranges + 2 * i);
      if (range === 0) return (c + delta) & 0xffff;
      const g = u16(ranges + 2 * i + range + 2 * (c - start));
      return g === 0 ? 0 : (g + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  return {
    advance(c: number): number {
      let w = cache.get(c);
      if (w === undefined) cache.set(c, (w = glyphAdvance(glyphOf(c))));
      return w;
    },
  };
}

/** Width in pixels of `text` at `size` px. */
export function textWidth(m: FontMetrics, text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += m.advance(ch.codePointAt(0)!);
  return em * size;
}
