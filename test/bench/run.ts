import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { OUT_DIR } from '../e2e/harness/paths';
import type { BenchRow } from './measure';

/**
 * `npm run bench [-- name…]`: every bench module, in one run on this machine, printed as one
 * table (and written to test/e2e/out/bench.json). Node-only benches run first, before any browser
 * is started; `size` builds and zips into CTIPOP_OUTDIR, which the browser benches then load.
 * Timings are printed, never asserted: they change per machine, the ratios are what compare.
 */
const MODULES: Record<string, () => Promise<{ run(): Promise<BenchRow[]> }>> = {
  size: () => import('./size'),
  reply: () => import('./reply'),
  templates: () => import('./templates'),
  engine: () => import('./engine'),
  ari: () => import('./ari'),
  'ari-engine': () => import('./ari-engine'),
  'pop-latency': () => import('./pop-latency'),
  'worker-throughput': () => import('./worker-throughput'),
  'worker-memory': () => import('./worker-memory'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !(w in MODULES));
if (unknown.length) {
  console.error(`unknown bench ${unknown.join(', ')}; choose from ${Object.keys(MODULES).join(', ')}`);
  process.exit(2);
}

const rows: BenchRow[] = [];
const timings: Record<string, number> = {};
const started = Date.now();
const loadBefore = loadavg()[0] ?? 0;
for (const name of wanted.length ? wanted : Object.keys(MODULES)) {
  const t = Date.now();
  process.stderr.write(`bench ${name}… `);
  rows.push(...(await (await MODULES[name]!()).run()));
  timings[name] = Math.round((Date.now() - t) / 1000);
  process.stderr.write(`${timings[name]} s\n`);
}

const byName = new Map(rows.map((r) => [r.name, r]));
const fmt = (n: number) => (!Number.isFinite(n) ? '–' : Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const ratio = (r: BenchRow) => {
  const base = r.baseline ? byName.get(r.baseline) : undefined;
  return base && base.median ? `${(r.median / base.median).toFixed(2)}×` : '';
};
const table = [
  ['name', 'median', 'p95', 'max', 'unit', 'baseline', 'ratio'],
  ...rows.map((r) => [r.name, fmt(r.median), fmt(r.p95), fmt(r.max), r.unit, r.baseline ?? '', ratio(r)]),
];
const widths = table[0]!.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => (i >= 1 && i <= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
console.log(line(table[0]!));
console.log(`|${widths.map((w, i) => (i >= 1 && i <= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
for (const cells of table.slice(1)) console.log(line(cells));
console.log('\nnotes (frames/s rows: the p95 column is the slow tail, i.e. the 5th percentile):');
for (const r of rows) if (r.note) console.log(`- ${r.name}: ${r.note}`);
const total = Math.round((Date.now() - started) / 1000);
const load = `load average ${loadBefore.toFixed(1)} before, ${(loadavg()[0] ?? 0).toFixed(1)} after`;
console.log(`\n${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${load}; took ${total} s (${Object.entries(timings).map(([k, v]) => `${k} ${v} s`).join(', ')})`);
mkdirSync(OUT_DIR, { recursive: true });
writeFileSync(`${OUT_DIR}/bench.json`, JSON.stringify({ at: new Date().toISOString(), seconds: total, load, timings, rows }, null, 2));
// Browsers and servers are closed by each module; nothing should keep the process alive.
process.exit(0);
