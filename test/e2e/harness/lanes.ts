import type { BrowserKind } from './launch';

const ALL: BrowserKind[] = ['chromium', 'firefox'];

/**
 * The browsers this vitest process tests. `npm test` runs every e2e file once per browser, each
 * (file, browser) pair a vitest process of its own with `CTIPOP_BROWSER` set (test/e2e/run-lanes.ts),
 * so a file's Chromium and Firefox halves run as separate jobs. Unset: both, one after the other.
 */
export const BROWSERS: BrowserKind[] = (() => {
  const only = process.env.CTIPOP_BROWSER;
  if (only === undefined || only === '') return ALL;
  if (!ALL.includes(only as BrowserKind)) throw new Error(`CTIPOP_BROWSER must be chromium or firefox, not ${only}`);
  return [only as BrowserKind];
})();

/** Whether this process tests `kind`: wrap browser-specific suites in `describe.runIf(inLane(kind))`. */
export const inLane = (kind: BrowserKind): boolean => BROWSERS.includes(kind);

/**
 * Launchers call this first: a suite that starts a browser outside its job's browser would run in
 * both jobs of its file, twice, and beside itself; so it is an error, not a slowdown.
 */
export function assertInLane(kind: BrowserKind): void {
  if (!inLane(kind)) throw new Error(`this process tests ${BROWSERS.join(' and ')} only (CTIPOP_BROWSER): select the ${kind} suites with describe.each(BROWSERS) or describe.runIf(inLane('${kind}'))`);
}
