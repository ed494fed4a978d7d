import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

export const ICON_SOURCE = new URL('../assets/icon.svg', import.meta.url);

/**
 * Every size the manifests and stores use: 16/32 toolbar (1x/2x), 48 extensions page, 96 Firefox's
 * 2x of 48, 128 install dialog and both stores' listing icon.
 */
export const ICON_SIZES = [16, 32, 48, 96, 128] as const;

/** Renders the one SVG source to `<dir>/<size>.png` for every size; returns the written paths by size. */
export function writeIcons(dir: string, svg = readFileSync(ICON_SOURCE, 'utf8')): Map<number, string> {
  mkdirSync(dir, { recursive: true });
  const written = new Map<number, string>();
  for (const size of ICON_SIZES) {
    const png = new Resvg(svg, { fitTo: { mode: 'width', value: size }, font: { loadSystemFonts: false } }).render().asPng();
    const path = join(dir, `${size}.png`);
    writeFileSync(path, png);
    written.set(size, path);
  }
  return written;
}
