/**
 * Full-jitter exponential backoff: a uniformly random delay in [0, min(cap, base·2^attempt)).
 * Spreading each retry over the whole window keeps clients that failed together (a CRM restart,
 * a PBX reboot) from coming back together. Used by the post-call outbox and the reconnect logic.
 *
 * `attempt` counts from 0 for the first retry; `random` returns [0, 1) like Math.random.
 * @example fullJitter(3, 1000, 900_000, Math.random) // somewhere in [0, 8000)
 */
export function fullJitter(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  // 2^52 already exceeds any sane cap; clamping the exponent keeps the product finite.
  const exponent = Math.min(Math.max(0, Math.floor(attempt)), 52);
  const ceiling = Math.max(0, Math.min(capMs, baseMs * 2 ** exponent));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.min(Math.floor(r * ceiling), Math.max(0, ceiling - 1));
}
