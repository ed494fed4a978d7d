/**
 * `npm test`: the type check, the unit tests, the build of both browsers, then the e2e lanes
 * (test/e2e/run-lanes.ts). Stops at the first stage that fails; prints each stage's wall time.
 * The type check and the unit tests once ran side by side: on a loaded 2-core machine that saved
 * less than a minute and starved CPU-bound unit tests past their 5-s timeout, so they do not.
 * The build must not overlap tsc in any case: `wxt build` rewrites .wxt/, which tsc reads.
 * A stage given several steps runs them side by side (output of `buffered` steps printed at the end).
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';

interface Step {
  name: string;
  command: string;
  /** Print the output when the step ends instead of as it comes (for steps run beside another). */
  buffered?: boolean;
}

function run({ name, command, buffered }: Step): Promise<{ name: string; ok: boolean; s: number }> {
  const started = Date.now();
  const child = spawn(command, { shell: true, stdio: buffered ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
  const chunks: Buffer[] = [];
  child.stdout?.on('data', (c: Buffer) => chunks.push(c));
  child.stderr?.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) =>
    child.on('close', (code) => {
      if (buffered) process.stdout.write(`\n── ${name} ──\n${Buffer.concat(chunks).toString()}`);
      resolve({ name, ok: code === 0, s: Math.round((Date.now() - started) / 1000) });
    }),
  );
}

const stages: Step[][] = [
  [{ name: 'typecheck', command: 'npm run typecheck --silent' }],
  [{ name: 'unit', command: 'npm run test:unit --silent' }],
  [{ name: 'build', command: 'npm run build --silent' }],
  [{ name: 'e2e', command: 'npm run test:e2e --silent' }],
];

const started = Date.now();
const times: string[] = [];
let ok = true;
for (const stage of stages) {
  const results = await Promise.all(stage.map(run));
  times.push(...results.map((r) => `${r.name} ${r.s} s${r.ok ? '' : ' FAILED'}`));
  if (!results.every((r) => r.ok)) {
    ok = false;
    break;
  }
}
console.log(`\nnpm test: ${ok ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s (${times.join(', ')}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
process.exit(ok ? 0 : 1);
