/** One benchmark row: figures in microseconds; `baseline` names the row this one is compared to. */
export interface BenchRow {
  name: string;
  median: number;
  p95: number;
  max: number;
  unit: 'µs' | 'ms' | 'frames/s' | 'MB' | 'kB';
  baseline?: string;
  note?: string;
}

/** Runs `fn` `runs` times after `warmup` runs and returns per-run timings in µs (sorted). */
export function sample(fn: () => void, runs = 2000, warmup = 200): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    fn();
    out.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return out.sort((a, b) => a - b);
}

export function summarize(name: string, sorted: number[], unit: BenchRow['unit'] = 'µs', baseline?: string): BenchRow {
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  return { name, median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? NaN, unit, baseline };
}
