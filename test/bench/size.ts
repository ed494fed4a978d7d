import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { transform } from 'esbuild';
import { build, type Rollup } from 'vite';
import { CHROME_DIR, FIREFOX_DIR, ROOT } from '../e2e/harness/paths';
import type { BenchRow } from './measure';

const OUTPUT = `${ROOT}${process.env.CTIPOP_OUTDIR ?? '.output'}`;
const kB = (bytes: number) => Math.round(bytes / 102.4) / 10;
const sizeRow = (name: string, bytes: number, note: string): BenchRow => ({ name, median: kB(bytes), p95: kB(bytes), max: kB(bytes), unit: 'kB', note });

/**
 * Store zips and the background script, built the way `npm run zip` builds them (into
 * CTIPOP_OUTDIR, which also leaves the unpacked builds the browser benches load).
 */
export async function run(): Promise<BenchRow[]> {
  for (const args of [['wxt', 'zip'], ['wxt', 'zip', '-b', 'firefox', '--mv3']]) {
    execFileSync('npx', args, { cwd: ROOT, stdio: 'ignore', env: process.env });
  }
  const zips = readdirSync(OUTPUT).filter((f) => f.endsWith('.zip'));
  const zip = (part: string) => {
    const file = zips.find((f) => f.endsWith(part));
    if (!file) throw new Error(`no *${part} in ${OUTPUT} after wxt zip`);
    return statSync(`${OUTPUT}/${file}`).size;
  };
  const chromeBg = readFileSync(`${CHROME_DIR}/background.js`);
  const firefoxBg = readFileSync(`${FIREFOX_DIR}/background.js`);
  const shares = await backgroundShares();
  return [
    sizeRow('size: Chrome zip', zip('-chrome-mv3.zip'), 'target ≤ 200 kB'),
    sizeRow('size: Firefox zip', zip('-firefox-mv3.zip'), ''),
    sizeRow('size: Firefox sources zip', zip('-sources.zip'), 'for AMO review'),
    sizeRow('size: background.js (Chrome, minified)', chromeBg.length, `target ≤ 150 kB; gzip ${kB(gzipSync(chromeBg).length)} kB; minified share: ${shares}`),
    sizeRow('size: background.js (Firefox, minified)', firefoxBg.length, ''),
  ];
}

/**
 * What the background bundle is made of: the same entry bundled by Vite/Rollup as WXT does
 * (WXT's auto-imports replaced by a virtual module), each module's rendered code minified on its
 * own with esbuild and summed per package (or per source folder).
 */
export async function backgroundShares(): Promise<string> {
  const shim = '\0ctipop-background-globals';
  const entry = `${ROOT}entrypoints/background/index.ts`;
  let modules: Record<string, Rollup.RenderedModule> = {};
  await build({
    configFile: false,
    logLevel: 'silent',
    root: ROOT,
    resolve: { alias: [{ find: /^@\//, replacement: ROOT }, { find: 'wxt/browser', replacement: shim }] },
    plugins: [
      {
        name: 'background-globals',
        resolveId: (id) => (id === shim ? shim : undefined),
        load: (id) => (id === shim ? "import browser from 'webextension-polyfill'; export { browser }; export const defineBackground = (f) => f;" : undefined),
        transform: (code, id) => (id === entry ? `import { browser, defineBackground } from '${shim}';\n${code}` : undefined),
      },
      {
        name: 'module-sizes',
        generateBundle(_, bundle) {
          const chunk = Object.values(bundle).find((c): c is Rollup.OutputChunk => c.type === 'chunk');
          modules = chunk?.modules ?? {};
        },
      },
    ],
    build: { write: false, minify: 'esbuild', lib: { entry, formats: ['iife'], name: 'background' } },
  });
  const groups = new Map<string, number>();
  for (const [id, m] of Object.entries(modules)) {
    if (!m.code) continue;
    const bytes = (await transform(m.code, { minify: true, loader: 'js' })).code.length;
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id)?.[1];
    const group = pkg === 'libphonenumber-js' ? (/metadata\.\w+\.json/.test(id) ? 'libphonenumber-js metadata' : 'libphonenumber-js code')
      : pkg ? (XML_PARSER_PARTS.includes(pkg) ? 'fast-xml-parser (+ its deps)' : pkg)
      : id.replace(ROOT, '').split('/').slice(0, 2).join('/');
    groups.set(group, (groups.get(group) ?? 0) + bytes);
  }
  const total = [...groups.values()].reduce((a, b) => a + b, 0);
  // Packages against our own code: what no change of ours can shrink, and what can.
  const libraries = [...groups.entries()].filter(([group]) => !/^(utils|entrypoints|components)\b/.test(group)).reduce((a, [, b]) => a + b, 0);
  const shares = [...groups.entries()]
    .sort((a, b) => b[1] - a[1])
    .filter(([, bytes]) => bytes / total >= 0.02)
    .map(([group, bytes]) => `${group} ${kB(bytes)} kB (${Math.round((100 * bytes) / total)} %)`)
    .join(', ');
  return `${shares}; sum ${kB(total)} kB: packages ${kB(libraries)} kB, our code ${kB(total - libraries)} kB`;
}

const XML_PARSER_PARTS = ['fast-xml-parser', 'is-unsafe', 'path-expression-matcher', '@nodable/entities', 'strnum', 'anynum', 'xml-naming'];
