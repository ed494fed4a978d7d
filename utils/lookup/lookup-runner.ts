import { describeError, type Result } from '../result';
import { redactText } from '../templates/redact-url';
import { createCircuitBreaker } from './circuit-breaker';

export type LookupOutcome = 'ok' | 'timeout' | 'http' | 'network' | 'invalid' | 'refused' | 'circuit-open';

/** What one CTI lookup ended with. `ms` is measured from the call to `lookup`, queue time included. */
export interface LookupResult {
  outcome: LookupOutcome;
  status?: number;
  ms: number;
  /** The reply decoded as UTF-8 (outcome `ok` only). */
  body?: string;
  /** The raw reply, for a parser that honours another declared encoding. */
  bytes?: Uint8Array;
  error?: string;
}

export interface LookupRunnerOptions {
  fetch: typeof fetch;
  now: () => number;
  maxInFlight: number;
  maxBytes: number;
  /** Default deadline per lookup (CTI.md §1: 2 s); covers queueing, redirects and the whole body. */
  timeoutMs: number;
  credentials?: 'omit' | 'include';
  maxRedirects?: number;
  breaker?: { failureThreshold: number; coolDownMs: number };
}

export interface LookupOptions {
  timeoutMs?: number;
  /** Aborting gives up the lookup at once (outcome `timeout`, error "cancelled …"). */
  signal?: AbortSignal;
}

interface Waiter {
  startedAt: number;
  settle: (result: Omit<LookupResult, 'ms'>) => void;
}

/** One HTTP request, shared by every lookup of the same URL while it is queued or running. */
interface Request {
  url: URL;
  trial: boolean;
  waiters: Set<Waiter>;
  controller: AbortController;
  started: boolean;
  /** Every waiter left (timed out or cancelled) before the answer came. */
  abandoned: boolean;
}

type Fetched = Omit<LookupResult, 'ms'>;

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Runs CTI lookups (CTI.md §1): HTTP(S) GETs with a deadline over the whole exchange, a byte cap
 * on the streamed body, at most `maxInFlight` requests at once (the rest queue, and queue time
 * counts against their deadline), one shared request for identical URLs in flight, and a
 * circuit breaker per origin. `lookup` never throws; every failure is an outcome with a reason.
 *
 * Redirects use `redirect: 'manual'` and are followed here, same origin only, at most
 * `maxRedirects` hops. Node's fetch hands back the real 3xx with its Location, so that works
 * there. A browser (extension service worker included) hands back an opaque-redirect response
 * with no status or Location (Fetch standard, "opaque-redirect filtered response"), so there the
 * redirect cannot be inspected and the outcome is `refused` with a reason that says to point the
 * URL at its final address. We chose this over `redirect: 'error'`, which fails the same way but
 * as a TypeError indistinguishable from a network error (and counted by the breaker), and over
 * `'follow'`, which would let a CTI server send the extension to any other origin it can reach.
 */
export function createLookupRunner(opts: LookupRunnerOptions) {
  const { now, maxBytes } = opts;
  const maxInFlight = Math.max(1, opts.maxInFlight);
  const maxRedirects = opts.maxRedirects ?? 3;
  const breaker = createCircuitBreaker({
    failureThreshold: opts.breaker?.failureThreshold ?? 5,
    coolDownMs: opts.breaker?.coolDownMs ?? 30_000,
    now,
  });
  const inFlight = new Map<string, Request>();
  const queue: Request[] = [];
  let running = 0;

  function pump(): void {
    while (running < maxInFlight) {
      const request = queue.shift();
      if (!request) return;
      request.started = true;
      running += 1;
      void run(request).finally(() => {
        running -= 1;
        pump();
      });
    }
  }

  async function run(request: Request): Promise<void> {
    const result = await fetchFollowing(request.url, request.controller.signal);
    if (request.abandoned) return; // every waiter has its answer; leave() counted it
    if (isServerFailure(result)) breaker.fail(request.url.origin);
    else breaker.succeed(request.url.origin);
    inFlight.delete(request.url.href);
    for (const waiter of request.waiters) waiter.settle(result);
  }

  function leave(request: Request, waiter: Waiter, why: 'timeout' | 'cancelled'): void {
    request.waiters.delete(waiter);
    if (request.waiters.size > 0) return;
    request.abandoned = true;
    if (inFlight.get(request.url.href) === request) inFlight.delete(request.url.href);
    if (request.started) request.controller.abort();
    else queue.splice(queue.indexOf(request), 1);
    // Counted now, not when the aborted fetch settles, so the very next lookup sees it. Time
    // spent only in our own queue says nothing about the server.
    if (request.started && why === 'timeout') breaker.fail(request.url.origin);
    else if (request.trial) breaker.release(request.url.origin);
  }

  async function fetchFollowing(start: URL, signal: AbortSignal): Promise<Fetched> {
    let url = start;
    try {
      for (let hop = 0; ; hop++) {
        const response = await untilAborted(
          opts.fetch(url.href, {
            method: 'GET',
            headers: { Accept: 'application/xml, text/xml;q=0.9, */*;q=0.1' },
            credentials: opts.credentials ?? 'omit',
            cache: 'no-store',
            redirect: 'manual',
            signal,
          }),
          signal,
        );
        if (response.type === 'opaqueredirect') {
          return {
            outcome: 'refused',
            error: `${url.href} answered with a redirect, which a browser extension cannot inspect; use the final address as the CTI URL`,
          };
        }
        if (REDIRECT_STATUSES.has(response.status) && response.headers.has('location')) {
          discard(response);
          const next = redirectTarget(url, response.headers.get('location') ?? '', hop);
          if (!next.ok) return { outcome: 'refused', status: response.status, error: next.error };
          url = next.value;
          continue;
        }
        if (!response.ok) {
          discard(response);
          const text = `${response.status} ${response.statusText}`.trim();
          return { outcome: 'http', status: response.status, error: `${url.href} answered HTTP ${text}` };
        }
        const body = await readCapped(response, maxBytes, signal);
        if (!body.ok) return { outcome: 'invalid', status: response.status, error: body.error };
        return { outcome: 'ok', status: response.status, body: new TextDecoder().decode(body.value), bytes: body.value };
      }
    } catch (error) {
      if (signal.aborted) return { outcome: 'timeout', error: 'aborted' };
      return { outcome: 'network', error: `${url.href} could not be reached: ${describeError(error)}` };
    }

    function redirectTarget(from: URL, location: string, hop: number): Result<URL> {
      let next: URL;
      try {
        next = new URL(location, from);
      } catch {
        return { ok: false, error: `${from.href} redirected to an invalid address: ${location}` };
      }
      if (next.origin !== start.origin) {
        return { ok: false, error: `redirect from ${start.origin} to another origin (${next.origin}) refused` };
      }
      if (hop >= maxRedirects) return { ok: false, error: `more than ${maxRedirects} redirects from ${start.href}` };
      return { ok: true, value: next };
    }
  }

  /**
   * Looks `url` up. Resolves with an outcome; never rejects.
   * @example const r = await runner.lookup('https://crm.example/cti?n=%2B4930123'); if (r.outcome === 'ok') parse(r.body)
   */
  function lookup(rawUrl: string, options: LookupOptions = {}): Promise<LookupResult> {
    const startedAt = now();
    // Every message is shown to people (call card, test bench): addresses in it go redacted.
    const done = (result: Fetched): LookupResult => ({ ...result, ...(result.error !== undefined && { error: redactText(result.error) }), ms: now() - startedAt });
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return Promise.resolve(done({ outcome: 'refused', error: `not a valid URL: ${rawUrl}` }));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.resolve(done({ outcome: 'refused', error: `only http: and https: URLs are looked up, not ${url.protocol}` }));
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.resolve(done({ outcome: 'timeout', error: `cancelled: ${describeError(signal.reason)}` }));

    let request = inFlight.get(url.href);
    if (!request) {
      const permit = breaker.acquire(url.origin);
      if (!permit.ok) return Promise.resolve(done({ outcome: 'circuit-open', error: permit.error }));
      request = { url, trial: permit.trial, waiters: new Set(), controller: new AbortController(), started: false, abandoned: false };
      inFlight.set(url.href, request);
      queue.push(request);
    }
    const shared = request;
    const timeoutMs = options.timeoutMs ?? opts.timeoutMs;

    return new Promise<LookupResult>((resolve) => {
      const onAbort = () => {
        finish({ outcome: 'timeout', error: `cancelled: ${describeError(signal?.reason)}` });
        leave(shared, waiter, 'cancelled');
      };
      const timer = setTimeout(() => {
        finish({ outcome: 'timeout', error: `no complete answer from ${url.origin} within ${timeoutMs} ms` });
        leave(shared, waiter, 'timeout');
      }, timeoutMs);
      let settled = false;
      const finish = (result: Fetched) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(done(result));
      };
      const waiter: Waiter = { startedAt, settle: finish };
      shared.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      pump();
    });
  }

  return { lookup };
}

export type LookupRunner = ReturnType<typeof createLookupRunner>;

function isServerFailure(result: Fetched): boolean {
  return result.outcome === 'timeout' || result.outcome === 'network' || (result.outcome === 'http' && (result.status ?? 0) >= 500);
}

/** Reads the body as a stream and stops as soon as it passes `maxBytes`, so a huge reply is never buffered. */
async function readCapped(
  response: Response,
  maxBytes: number,
  signal: AbortSignal,
): Promise<Result<Uint8Array>> {
  const tooLarge = { ok: false as const, error: `reply larger than ${maxBytes} bytes` };
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    discard(response);
    return tooLarge;
  }
  if (!response.body) return { ok: true, value: new Uint8Array(0) };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await untilAborted(reader.read(), signal);
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => undefined);
      return tooLarge;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { ok: true, value: bytes };
}

/** Rejects as soon as `signal` aborts, even if the wrapped fetch or stream ignores the signal. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function discard(response: Response): void {
  response.body?.cancel().catch(() => undefined);
}

