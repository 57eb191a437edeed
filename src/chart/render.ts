// A chart spec to pictures, in Node with no browser: Vega-Lite compiled to Vega, Vega's headless
// view (renderer 'none') writes SVG, and resvg rasterises the SVG to PNG with the report's shipped
// font only (src/report/fonts.ts). Vega lays text out with widths measured from that same font
// (src/report/text-width.ts), so what it places is what resvg draws.
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { FONT_FAMILY, fontFiles } from './fonts.js';
import { readFontMetrics, textWidth, type FontMetrics } from './text-width.js';

export interface Picture {
  svg: string;
  png: Buffer;
  /** PNG size in pixels (the SVG's size times the scale). */
  width: number;
  height: number;
  /** What Vega-Lite or Vega warned about (empty for a clean chart). */
  warnings: string[];
}

/** A logger for Vega-Lite and Vega that keeps warnings and throws errors. */
function collectingLogger(warnings: string[]): vega.LoggerInterface {
  return vega.logger(vega.Warn, undefined, (_method, level, args) => {
    const text = args.map(String).join(' ');
    if (level === 'ERROR') throw new Error(`vega: ${text}`);
    warnings.push(text);
  });
}

/** The part of Vega's text measurement it lets a program replace (exported by vega at run time,
 *  not in its typings). */
interface TextMetrics {
  width: (item: { fontSize?: number; fontWeight?: string | number; limit?: number }, text?: string) => number;
}

let measuring = false;

/** Makes Vega measure text with the shipped font's metrics (regular or bold) from now on. */
function measureWithShippedFont(): void {
  if (measuring) return;
  const [regular, bold] = fontFiles().map(readFontMetrics) as [FontMetrics, FontMetrics];
  const tm = (vega as unknown as { textMetrics: TextMetrics }).textMetrics;
  tm.width = (item, text) => {
    const size = item.fontSize != null ? +item.fontSize || 0 : 11; // Vega's default size
    const w = item.fontWeight;
    const isBold = w === 'bold' || w === 'bolder' || (typeof w === 'number' && w >= 600) || (typeof w === 'string' && +w >= 600);
    const width = textWidth(isBold ? bold : regular, text == null ? '' : String(text).trim(), size);
    return item.limit && item.limit > 0 ? Math.min(width, item.limit) : width; // Vega cuts text at its limit
  };
  measuring = true;
}

/** The spec as SVG text. */
export async function toSvg(spec: TopLevelSpec, warnings: string[] = []): Promise<string> {
  measureWithShippedFont();
  const logger = collectingLogger(warnings);
  const compiled = compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger, logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** resvg's options: white background, `scale` times the SVG's size, the shipped font files only
 *  (`fonts`: others, for tests), never the system's. */
export function resvgOptions(scale = 2, fonts: string[] = fontFiles()): ResvgRenderOptions {
  return {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: false, fontFiles: fonts, defaultFontFamily: FONT_FAMILY, sansSerifFamily: FONT_FAMILY },
  };
}

/** SVG text to PNG at `scale` times its size, on white, drawn with the shipped font only. */
export function svgToPng(svg: string, scale = 2): { png: Buffer; width: number; height: number } {
  const img = new Resvg(svg, resvgOptions(scale)).render();
  return { png: img.asPng(), width: img.width, height: img.height };
}

export async function render(spec: TopLevelSpec, scale = 2): Promise<Picture> {
  const warnings: string[] = [];
  const svg = await toSvg(spec, warnings);
  return { svg, ...svgToPng(svg, scale), warnings };
}
