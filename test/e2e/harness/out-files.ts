import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { OUT_DIR } from './paths';

const pause = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/**
 * Merges `entries` into the JSON object in test/e2e/out/`name`. The e2e jobs run side by side
 * (test/e2e/run-lanes.ts) and several write the same report, so the read-modify-write holds a
 * lock folder; a lock older than 10 s was left by a job that died and is taken over.
 */
export function mergeOutJson(name: string, entries: Record<string, unknown>): void {
  mkdirSync(OUT_DIR, { recursive: true });
  const file = `${OUT_DIR}/${name}`;
  const lock = `${file}.lock`;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const age = existsSync(lock) ? Date.now() - statSync(lock).mtimeMs : 0;
      if (age > 10_000) rmSync(lock, { recursive: true, force: true });
      else pause(5);
    }
  }
  try {
    const all = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    writeFileSync(file, `${JSON.stringify({ ...all, ...entries }, null, 2)}\n`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
