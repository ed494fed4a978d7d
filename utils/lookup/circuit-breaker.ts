export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures (timeouts, network errors, 5xx) that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit refuses requests before it lets one trial through. */
  coolDownMs: number;
  now: () => number;
}

export type CircuitPermit = { ok: true; trial: boolean } | { ok: false; error: string };

interface Entry {
  failures: number;
  openUntil?: number;
  trialRunning: boolean;
}

/**
 * Circuit breakers keyed by origin, so a dead CRM costs one fast refusal per call instead of a
 * 2-second timeout each, while other origins are untouched. Closed → (N consecutive failures) →
 * open for `coolDownMs` → half-open: exactly one trial request; its success closes the circuit,
 * its failure opens it again. Only keys that are failing are kept, so the map stays small.
 */
export function createCircuitBreaker({ failureThreshold, coolDownMs, now }: CircuitBreakerOptions) {
  const entries = new Map<string, Entry>();

  function state(key: string): CircuitState {
    const entry = entries.get(key);
    if (entry?.openUntil === undefined) return 'closed';
    return now() < entry.openUntil ? 'open' : 'half-open';
  }

  function refusal(key: string, entry: Entry): CircuitPermit {
    const wait = Math.max(0, (entry.openUntil ?? now()) - now());
    const when = entry.trialRunning ? 'a trial request is under way' : `next try in ${Math.ceil(wait / 1000)} s`;
    return { ok: false, error: `${key} failed ${failureThreshold} times in a row; requests are paused (${when})` };
  }

  return {
    state,

    /** Asks to send a request to `key`. In half-open state the first caller becomes the trial. */
    acquire(key: string): CircuitPermit {
      const entry = entries.get(key);
      const current = state(key);
      if (!entry || current === 'closed') return { ok: true, trial: false };
      if (current === 'open' || entry.trialRunning) return refusal(key, entry);
      entry.trialRunning = true;
      return { ok: true, trial: true };
    },

    /** The server answered: the circuit closes and the failure count resets. */
    succeed(key: string): void {
      entries.delete(key);
    },

    /** Timeout, network error or 5xx. A failed trial reopens the circuit at once. */
    fail(key: string): void {
      const entry = entries.get(key) ?? { failures: 0, trialRunning: false };
      entries.set(key, entry);
      const current = state(key);
      if (current === 'open') return; // a late answer to a request sent before the circuit opened
      entry.failures += 1;
      if (current === 'half-open' || entry.failures >= failureThreshold) {
        entry.openUntil = now() + coolDownMs;
        entry.trialRunning = false;
      }
    },

    /** The trial ended without an answer either way (the caller gave up): let the next request try. */
    release(key: string): void {
      const entry = entries.get(key);
      if (entry) entry.trialRunning = false;
    },
  };
}

export type CircuitBreaker = ReturnType<typeof createCircuitBreaker>;
