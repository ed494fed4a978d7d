/**
 * `npm run test:e2e`: every e2e file once per browser, each (file, browser) pair a job of its own
 * (a vitest process with `CTIPOP_BROWSER` set, see harness/lanes.ts), run side by side.
 *
 * Three jobs that work the CPU run at a time on the 2-core machine we test on: a job waits for
 * its browser and servers much of the time (measured: 1.1 cores busy on average with two), and
 * three took the e2e stage from 625 s to 551 s (`CTIPOP_E2E_LANES` sets it). The worker-lifetime
 * jobs are mostly waiting (minutes of sparse traffic, an idle worker, an outage), so they start at
 * once in lanes of their own and do not hold a CPU lane. The other jobs start longest first
 * (LONGEST_FIRST, measured), then in name order, each as soon as a lane is free. Jobs share nothing machine-wide: every test
 * starts its own servers on free ports, its own browser profile, and the policy test's browsers
 * read their policy in a mount namespace of their own (harness/policy.ts); what tests write to
 * test/e2e/out/ is merged under a lock (harness/out-files.ts).
 *
 * Arguments are file filters (`npm run test:e2e -- first-pop transports`); none means every file.
 * Output lines carry their job; at the end each job's wall time is printed, slowest first, with
 * the machine's load average, and written to test/e2e/out/lanes.json; then each failed job's
 * failure section again, since a CI log may keep only its tail.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import type { BrowserKind } from './harness/launch';
import { OUT_DIR, ROOT } from './harness/paths';

const BROWSERS: BrowserKind[] = ['chromium', 'firefox'];
const CPU_LANES = Number(process.env.CTIPOP_E2E_LANES ?? 3);
/** Jobs that mostly wait: they run beside the CPU lanes. */
const WAITING = ['worker-lifetime'];
/** The slowest files, slowest first (measured per job on this 2-core machine), so no long job starts last. */
const LONGEST_FIRST = ['transports', 'accessibility', 'crm-faults', 'bridge-browsers', 'click-to-dial', 'ari-control', 'stream-kills', 'ui-sidepanel', 'hostile-input', 'worker-stop'];

interface Job {
  file: string;
  browser: BrowserKind;
}
interface Done extends Job {
  code: number;
  s: number;
  /** vitest's account of what failed (its "Failed Tests/Suites" section on), to print again at the end. */
  failures: string[];
}

/** Enough of a failure section for its errors and stacks; CI shows only the tail of a run. */
const FAILURE_LINES = 80;

const name = (file: string) => file.replace(/^.*\//, '').replace(/\.test\.ts$/, '');
const rank = (file: string) => {
  const i = LONGEST_FIRST.indexOf(name(file));
  return i < 0 ? LONGEST_FIRST.length : i;
};

function e2eFiles(dir = 'test/e2e'): string[] {
  return readdirSync(`${ROOT}${dir}`, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? (d.name === 'harness' || d.name.startsWith('.') || d.name === 'out' ? [] : e2eFiles(`${dir}/${d.name}`)) : d.name.endsWith('.test.ts') ? [`${dir}/${d.name}`] : [],
  );
}

/**
 * The browsers a file has suites for, read from how it picks them (harness/lanes.ts): `BROWSERS` or
 * `inLane(variable)` means both, `inLane('chromium')` one. A job for a browser the file skips would
 * cost a vitest start and nothing else (5 s each, measured).
 */
function browsersOf(file: string): BrowserKind[] {
  const text = readFileSync(`${ROOT}${file}`, 'utf8');
  if (/\bBROWSERS\b|\binLane\(\s*[^'"\s]/.test(text)) return BROWSERS;
  const named = BROWSERS.filter((b) => text.includes(`inLane('${b}')`));
  if (named.length === 0) throw new Error(`${file} picks no browser: use BROWSERS or inLane() from harness/lanes.ts`);
  return named;
}

function runJob(job: Job): Promise<Done> {
  const started = Date.now();
  const child = spawn(`${ROOT}node_modules/.bin/vitest`, ['run', '--project', 'e2e', '--passWithNoTests', job.file], {
    cwd: ROOT,
    env: { ...process.env, CTIPOP_BROWSER: job.browser, CTIPOP_CHAOS: process.env.CTIPOP_CHAOS ?? 'short', ...(process.stdout.isTTY ? { FORCE_COLOR: '1' } : { NO_COLOR: '1' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tag = `[${job.browser === 'chromium' ? 'C' : 'F'} ${name(job.file)}]`;
  const failures: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      process.stdout.write(`${tag} ${line}\n`);
      if ((failures.length > 0 || /Failed (Tests|Suites)|Unhandled Error/.test(line)) && failures.length < FAILURE_LINES) failures.push(line);
    });
  }
  return new Promise((resolve) => child.on('close', (code) => resolve({ ...job, code: code ?? 1, s: Math.round((Date.now() - started) / 100) / 10, failures })));
}

/** Runs `jobs` in `lanes` lanes, each lane taking the next job as soon as its last one ends. */
async function runInLanes(jobs: Job[], lanes: number): Promise<Done[]> {
  const queue = [...jobs];
  const done: Done[] = [];
  const lane = async () => {
    for (let job = queue.shift(); job; job = queue.shift()) done.push(await runJob(job));
  };
  await Promise.all(Array.from({ length: Math.min(lanes, jobs.length) }, lane));
  return done;
}

const filters = process.argv.slice(2);
const files = e2eFiles()
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x.replace(/^\.\//, ''))))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
const jobs = files.flatMap((file) => browsersOf(file).map((browser) => ({ file, browser })));
const waiting = jobs.filter((j) => WAITING.includes(name(j.file)));

mkdirSync(OUT_DIR, { recursive: true });
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
const loadBefore = load();
const started = Date.now();
const results = (await Promise.all([runInLanes(waiting, waiting.length), runInLanes(jobs.filter((j) => !waiting.includes(j)), CPU_LANES)])).flat();
const wallS = Math.round((Date.now() - started) / 1000);
const failed = results.filter((r) => r.code !== 0);
writeFileSync(`${OUT_DIR}/lanes.json`, `${JSON.stringify({ at: new Date().toISOString(), loadBefore, loadAfter: load(), cpuLanes: CPU_LANES, wallS, jobs: results.sort((a, b) => b.s - a.s).map(({ failures, ...r }) => r) }, null, 2)}\n`);

console.log(`\ne2e: ${jobs.length} jobs in ${wallS} s, ${CPU_LANES} CPU lanes + ${waiting.length} waiting (load average before: ${loadBefore}, after: ${load()})`);
for (const r of results) console.log(`  ${String(r.s).padStart(6)} s  ${r.browser.padEnd(8)} ${r.file}${r.code === 0 ? '' : '  FAILED'}`);
for (const r of failed) {
  console.log(`\nFAILED: CTIPOP_BROWSER=${r.browser} npx vitest run --project e2e ${r.file}`);
  for (const line of r.failures) console.log(`  ${line}`);
}
process.exit(failed.length ? 1 : 0);
