import { mkdirSync, writeFileSync } from 'node:fs';
import { Resvg } from '@resvg/resvg-js';
import type { Page } from 'puppeteer-core';
import { OUT_DIR } from './paths';
import { setViewport } from './viewport';

/** Both stores take 1280×800 screenshots. */
export const STORE_SIZE = { width: 1280, height: 800 } as const;
/** Where the store screenshots go; `npm run store:screenshots` copies them to store/screenshots/. */
export const STORE_SHOTS_DIR = `${OUT_DIR}/store`;

/** A page's current view at `width`×800, as PNG bytes. */
export async function shoot(page: Page, width: number): Promise<Uint8Array> {
  // Headless Chromium paints no frame for a tab behind another: its screenshot waits until the
  // protocol times out (measured: 100–180 s of the accessibility test).
  await page.bringToFront();
  await setViewport(page, { width, height: STORE_SIZE.height });
  await new Promise((r) => setTimeout(r, 300));
  return page.screenshot({ type: 'png' });
}

/**
 * Writes a 1280×800 store screenshot: the pages side by side, left to right (e.g. the CRM page
 * the call popped and the side panel next to it, as a person sees them), or one full-width page.
 */
export function writeStoreShot(name: string, parts: { png: Uint8Array; width: number }[]): string {
  let x = 0;
  const images = parts.map((p) => {
    const img = `<image x="${x}" y="0" width="${p.width}" height="${STORE_SIZE.height}" href="data:image/png;base64,${Buffer.from(p.png).toString('base64')}"/>`;
    x += p.width;
    return img;
  });
  if (x !== STORE_SIZE.width) throw new Error(`store screenshot ${name}: parts are ${x} px wide, not ${STORE_SIZE.width}`);
  // A 1 px rule between the pages, like the browser's own divider next to the side panel.
  const rules = parts.slice(0, -1).reduce<{ at: number; svg: string[] }>((acc, p) => {
    acc.at += p.width;
    acc.svg.push(`<rect x="${acc.at - 1}" y="0" width="1" height="${STORE_SIZE.height}" fill="#8c959f"/>`);
    return acc;
  }, { at: 0, svg: [] }).svg;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${STORE_SIZE.width}" height="${STORE_SIZE.height}">${images.join('')}${rules.join('')}</svg>`;
  mkdirSync(STORE_SHOTS_DIR, { recursive: true });
  const path = `${STORE_SHOTS_DIR}/${name}.png`;
  writeFileSync(path, new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng());
  return path;
}
