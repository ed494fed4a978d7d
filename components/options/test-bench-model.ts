import type { TestBenchStep } from '@/utils/messages';

/** How long a step took against its timeout, for the timing bar; undefined when not requested. */
export function stepTiming(step: TestBenchStep): { ms: number; timeoutMs?: number; percent: number; late: boolean } | undefined {
  if (step.ms === undefined) return undefined;
  const ms = Math.round(step.ms);
  if (!step.timeoutMs) return { ms, percent: 100, late: false };
  return { ms, timeoutMs: step.timeoutMs, percent: Math.min(100, Math.round((step.ms / step.timeoutMs) * 100)), late: step.ms >= step.timeoutMs };
}

/**
 * The parsed reply as indented JSON text (rendered as text, never as markup), in the shape
 * `ctipop reply` prints — `{ ok, set, route, break, issues }` — so the bench and the CLI read alike.
 */
export function formatReply(reply: unknown): string | undefined {
  if (reply === undefined) return undefined;
  const r = reply as { ok?: unknown; value?: { set?: unknown; route?: unknown; break?: unknown }; issues?: unknown };
  const printed = r.ok === true && r.value ? { ok: true, set: r.value.set, route: r.value.route, break: r.value.break, issues: r.issues } : reply;
  return JSON.stringify(printed, null, 2);
}
