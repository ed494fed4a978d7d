/**
 * `npm run test:e2e`: every e2e file, in two lanes side by side — one vitest process per browser
 * (`CTIPOP_BROWSER=chromium|firefox`, see harness/lanes.ts), each running its files one at a time.
 * A file's Chromium suites run in the Chromium lane and its Firefox suites in the Firefox lane, so
 * two browsers of the same kind never run at once: the policy test's machine-wide Chromium policy
 * never meets another test's Chromium, and Firefox's policies.json never meets another Firefox.
 *
 * Arguments go to both vitest processes (`npm run test:e2e -- test/e2e/first-pop.test.ts`).
 * Output lines carry their lane; at the end each file's wall time per lane is printed, slowest
 * first, with the machine's load average, and written to test/e2e/out/lanes.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { relative } from 'node:path';
import { createInterface } from 'node:readline';
import { OUT_DIR, ROOT } from './harness/paths';

const LANES = ['chromium', 'firefox'] as const;
type Lane = (typeof LANES)[number];

interface VitestJson {
  testResults: { name: string; startTime: number; endTime: number; status: string }[];
}

function runLane(lane: Lane, args: string[]): Promise<{ lane: Lane; code: number; ms: number }> {
  const started = Date.now();
  const child = spawn(
    `${ROOT}node_modules/.bin/vitest`,
    ['run', '--project', 'e2e', '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${OUT_DIR}/lane-${lane}.json`, ...args],
    { cwd: ROOT, env: { ...process.env, CTIPOP_BROWSER: lane, CTIPOP_CHAOS: process.env.CTIPOP_CHAOS ?? 'short', ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tag = lane === 'chromium' ? '[chromium]' : '[firefox] ';
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag} ${line}\n`));
  }
  return new Promise((resolve) => child.on('close', (code) => resolve({ lane, code: code ?? 1, ms: Date.now() - started })));
}

function fileTimes(lane: Lane): { file: string; s: number; status: string }[] {
  try {
    const report = JSON.parse(readFileSync(`${OUT_DIR}/lane-${lane}.json`, 'utf8')) as VitestJson;
    return report.testResults
      .map((r) => ({ file: relative(ROOT, r.name), s: Math.round((r.endTime - r.startTime) / 100) / 10, status: r.status }))
      .sort((a, b) => b.s - a.s);
  } catch {
    return [];
  }
}

mkdirSync(OUT_DIR, { recursive: true });
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const results = await Promise.all(LANES.map((lane) => runLane(lane, process.argv.slice(2))));
const summary = results.map((r) => ({ lane: r.lane, exitCode: r.code, wallS: Math.round(r.ms / 1000), files: fileTimes(r.lane) }));
writeFileSync(`${OUT_DIR}/lanes.json`, `${JSON.stringify({ at: new Date().toISOString(), loadBefore, loadAfter: load(), lanes: summary }, null, 2)}\n`);

console.log(`\ne2e lanes (load average before: ${loadBefore}, after: ${load()})`);
for (const lane of summary) {
  console.log(`  ${lane.lane}: ${lane.wallS} s, ${lane.exitCode === 0 ? 'passed' : `FAILED (exit ${lane.exitCode})`}`);
  for (const f of lane.files.filter((x) => x.s > 0)) console.log(`    ${String(f.s).padStart(6)} s  ${f.file}${f.status === 'passed' ? '' : `  (${f.status})`}`);
}
process.exit(results.every((r) => r.code === 0) ? 0 : 1);
