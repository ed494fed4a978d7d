import type { Page } from 'puppeteer-core';

/**
 * Sets a page's viewport in either browser. puppeteer-core 24.43's `setViewport` over WebDriver
 * BiDi also sends `emulation.setScreenOrientationOverride`, which Firefox ESR 140.12 (Debian,
 * December 2026) rejects as an unknown command; over BiDi this sends the viewport command alone.
 */
export async function setViewport(page: Page, size: { width: number; height: number }): Promise<void> {
  const context = (page.mainFrame() as unknown as { browsingContext?: { setViewport(o: object): Promise<void> } }).browsingContext;
  if (context) await context.setViewport({ viewport: size, devicePixelRatio: null });
  else await page.setViewport(size);
}
