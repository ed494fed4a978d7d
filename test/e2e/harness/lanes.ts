import type { BrowserKind } from './launch';

const ALL: BrowserKind[] = ['chromium', 'firefox'];

/**
 * The browsers this vitest process tests. `npm test` runs the e2e files in two lanes side by side
 * (test/e2e/run-lanes.ts), one process per browser with `CTIPOP_BROWSER` set: each file runs its
 * Chromium half in one lane and its Firefox half in the other, so each lane starts one kind of
 * browser only, one file at a time. Unset: both browsers, one after the other.
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
 * Launchers call this first: a browser started outside its lane would run beside the other lane's
 * files (the Chromium lane has the machine-wide policy test), so it is an error, not a slowdown.
 */
export function assertInLane(kind: BrowserKind): void {
  if (!inLane(kind)) throw new Error(`this process tests ${BROWSERS.join(' and ')} only (CTIPOP_BROWSER): select the ${kind} suites with describe.each(BROWSERS) or describe.runIf(inLane('${kind}'))`);
}
