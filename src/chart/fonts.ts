// The report's one font: DejaVu Sans, from the npm package dejavu-fonts-ttf (TrueType files, which
// resvg reads; the @fontsource packages ship only WOFF/WOFF2, which it does not). The charts name
// this family (src/report/vega.ts config) and the PNG renderer loads exactly these files with
// system fonts off, so text is drawn the same on any machine, including a fresh Debian with no
// fonts installed, and nothing depends on fontconfig.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export const FONT_FAMILY = 'DejaVu Sans';

const FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'];

let cached: string[] | undefined;

/** Paths of the font files (regular, bold, oblique); throws when the package is missing. */
export function fontFiles(): string[] {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const paths = FILES.map((f) => {
    let p: string;
    try {
      p = require.resolve(`dejavu-fonts-ttf/ttf/${f}`);
    } catch {
      throw new Error(`font dejavu-fonts-ttf/ttf/${f} not found: run npm install (package dejavu-fonts-ttf)`);
    }
    if (!existsSync(p)) throw new Error(`font file ${p} missing`);
    return p;
  });
  return (cached = paths);
}
