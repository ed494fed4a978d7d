import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Where the build is; CTIPOP_OUTDIR (relative to the project) matches wxt.config.ts's outDir. */
const OUTPUT = `${ROOT}${process.env.CTIPOP_OUTDIR ?? '.output'}`;
export const CHROME_DIR = `${OUTPUT}/chrome-mv3`;
export const FIREFOX_DIR = `${OUTPUT}/firefox-mv3`;
export const OUT_DIR = `${ROOT}test/e2e/out`;
/** Pinned by the manifest key (wxt.config.ts). */
export const CHROME_ID = 'hhmelekflmhphgkmcllpnfjdelffndei';
export const GECKO_ID = 'cti-pop@cti-pop.org';
/** Pinned per profile through `extensions.webextensions.uuids`, so tests know the moz-extension origin. */
export const FIREFOX_UUID = '6f1d3c2a-9b7e-4e1f-8a2d-c7e0b5f41a11';

/** The flags every Chromium run here needs: headless, as root, and quiet on a closed network. */
export const CHROMIUM_FLAGS = [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
