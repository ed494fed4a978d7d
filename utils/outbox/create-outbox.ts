import { describeError, type Result } from '../result';
import { originOf } from './describe';
import { fullJitter } from '../lookup/backoff';
import { readStoredRecords, type OutboxRecord, type OutboxStore } from './outbox-record';
import { outboxState, type OutboxState } from './outbox-state';
import { sendRecord, type SendOutcome } from './send-record';

export interface OutboxOptions {
  store: OutboxStore;
  fetch: typeof fetch;
  now: () => number;
  random: () => number;
  /** Per request, until the response headers (the body is ignored). */
  timeoutMs: number;
  /** Backoff base and cap for retries (defaults 1 s and 15 min). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Pending plus dead records at which enqueue refuses new ones (default 1000). */
  maxRecords?: number;
  /** Delivered records kept for the UI and for duplicate detection (default 50). */
  maxDelivered?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
  /** Called after every change the UI may want to show. */
  onChange?: () => void;
}


/** A server may ask for a long pause, but a day is the most we hold a record back for it. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
/** setTimeout overflows past 2^31-1 ms; a far wake-up is re-checked hourly instead. */
const MAX_TIMER_MS = 3_600_000;

/**
 * The post-call outbox (CTI.md §1: one GET per CDR record, reply ignored). Delivery is
 * at-least-once: a record is in the store before its first send and leaves the pending state
 * only after a 2xx, so a worker killed mid-send resends it on the next `start()`; the
 * `Idempotency-Key` header lets the CRM drop the repeat.
 *
 * - One sender at a time, oldest due record first; concurrent `flush()` calls join the running one.
 * - No answer, 408, 429, 5xx: retry with full-jitter backoff, or after `Retry-After`. Other records
 *   to the same origin wait until then too, so a dead CRM gets one probe per backoff window.
 * - Other 4xx or a redirect: dead letter, kept and shown until the user retries or discards it.
 * - Capacity: pending records are never dropped. When pending + dead reach `maxRecords`, enqueue
 *   refuses the new record with an error the caller must show (the CDR is not silently lost, and
 *   old records are not pushed out). Delivered records are a log: the oldest beyond `maxDelivered`
 *   are forgotten, after which an enqueue with the same key would be sent again (harmless, same key).
 * - Timers do not survive a stopped service worker: the background sets an alarm at `nextWakeAt()`
 *   and calls `start()` (or `flush()`) when woken; everything resumes from the store.
 */
export function createOutbox(opts: OutboxOptions) {
  const { store, now } = opts;
  const baseMs = opts.baseDelayMs ?? 1000;
  const capMs = opts.maxDelayMs ?? 15 * 60_000;
  const capacity = opts.maxRecords ?? 1000;
  const maxDelivered = opts.maxDelivered ?? 50;
  const setTimer = opts.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = opts.clearTimer ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));

  let records: OutboxRecord[] = [];
  /** Enqueues whose first save is under way: such a record is never sent yet. */
  const enqueuing = new Map<string, Promise<Result<'queued' | 'duplicate'>>>();
  let loading: Promise<Result<void>> | undefined;
  let readProblem: string | undefined;
  let writeProblem: string | undefined;
  let saving: Promise<unknown> = Promise.resolve();
  let flushing: Promise<void> | undefined;
  let sending: string | undefined;
  let timer: unknown;
  const halted = new AbortController();

  function changed(): void {
    opts.onChange?.();
  }

  function ensureLoaded(): Promise<Result<void>> {
    loading ??= (async (): Promise<Result<void>> => {
      try {
        const { records: loaded, rejected } = readStoredRecords(await store.load());
        records = loaded;
        if (rejected > 0) readProblem = `${rejected} unreadable outbox entr${rejected === 1 ? 'y was' : 'ies were'} found in storage and ignored`;
        return { ok: true, value: undefined };
      } catch (error) {
        // Never save over a store we could not read; the next call tries to load again.
        loading = undefined;
        readProblem = `the post-call outbox could not be read from storage: ${describeError(error)}`;
        return { ok: false, error: readProblem };
      }
    })();
    return loading;
  }

  /** Saves the whole list after any save already under way; `undo` runs before the next save starts. */
  function persist(undo?: () => void): Promise<Result<void>> {
    const run = saving.then(async (): Promise<Result<void>> => {
      if (halted.signal.aborted) return { ok: false, error: 'the outbox was stopped' };
      try {
        await store.save(records.map((r) => ({ ...r })));
        writeProblem = undefined;
        return { ok: true, value: undefined };
      } catch (error) {
        undo?.();
        writeProblem = `the post-call outbox could not be saved: ${describeError(error)}`;
        return { ok: false, error: writeProblem };
      }
    });
    saving = run;
    return run;
  }

  async function addRecord(key: string, url: string): Promise<Result<'queued' | 'duplicate'>> {
    const loaded = await ensureLoaded();
    if (!loaded.ok) return loaded;
    if (halted.signal.aborted) return { ok: false, error: 'the outbox was stopped; the record was not queued' };
    if (records.some((r) => r.key === key)) return { ok: true, value: 'duplicate' };
    const used = records.filter((r) => r.status !== 'delivered').length;
    if (used >= capacity) {
      return {
        ok: false,
        error: `the post-call outbox is full (${used} records waiting or refused), so this record was not queued; fix the CRM or the post-call URL, then retry or discard the refused records`,
      };
    }
    const t = now();
    // A new record for an origin in backoff (or under Retry-After) waits with the others.
    const origin = originOf(url);
    const held = records.reduce((at, r) => (r.status === 'pending' && r.attempts > 0 && originOf(r.url) === origin ? Math.max(at, r.nextAttemptAt) : at), t);
    const record: OutboxRecord = { key, url, status: 'pending', createdAt: t, attempts: 0, nextAttemptAt: held };
    records.push(record);
    const saved = await persist(() => {
      records = records.filter((r) => r !== record);
    });
    if (!saved.ok) return { ok: false, error: `the post-call record was not queued: ${saved.error}` };
    return { ok: true, value: 'queued' };
  }

  /** Oldest first among the due records that are safely stored. */
  function nextDue(t: number): OutboxRecord | undefined {
    return records.find((r) => r.status === 'pending' && !enqueuing.has(r.key) && r.nextAttemptAt <= t);
  }

  function nextWakeAt(): number | undefined {
    let wake: number | undefined;
    for (const r of records) {
      if (r.status === 'pending' && !enqueuing.has(r.key) && (wake === undefined || r.nextAttemptAt < wake)) wake = r.nextAttemptAt;
    }
    return wake;
  }

  function schedule(): void {
    if (timer !== undefined) clearTimer(timer);
    timer = undefined;
    if (halted.signal.aborted || flushing) return; // a running flush reschedules when it ends
    const wake = nextWakeAt();
    if (wake === undefined) return;
    timer = setTimer(() => {
      timer = undefined;
      void flush();
    }, Math.min(Math.max(0, wake - now()), MAX_TIMER_MS));
  }

  function settle(record: OutboxRecord, outcome: SendOutcome, t: number): void {
    record.attempts += 1;
    if (outcome.kind === 'retry' || outcome.kind === 'dead') record.lastError = outcome.error;
    else delete record.lastError;
    if (outcome.status === undefined) delete record.httpStatus;
    else record.httpStatus = outcome.status;

    if (outcome.kind === 'retry') {
      const delay = outcome.retryAfterMs === undefined
        ? fullJitter(record.attempts - 1, baseMs, capMs, opts.random)
        : Math.min(outcome.retryAfterMs, MAX_RETRY_AFTER_MS);
      record.nextAttemptAt = t + delay;
      holdBackOrigin(record);
      return;
    }
    record.status = outcome.kind;
    record.settledAt = t;
    if (outcome.kind === 'delivered') forgetOldDeliveries();
  }

  function holdBackOrigin(failed: OutboxRecord): void {
    const origin = originOf(failed.url);
    for (const r of records) {
      if (r.status === 'pending' && originOf(r.url) === origin && r.nextAttemptAt < failed.nextAttemptAt) r.nextAttemptAt = failed.nextAttemptAt;
    }
  }

  function forgetOldDeliveries(): void {
    const delivered = records.filter((r) => r.status === 'delivered');
    if (delivered.length <= maxDelivered) return;
    const forget = new Set(delivered.sort((a, b) => (a.settledAt ?? 0) - (b.settledAt ?? 0)).slice(0, delivered.length - maxDelivered));
    records = records.filter((r) => !forget.has(r));
  }

  async function drain(): Promise<void> {
    if (!(await ensureLoaded()).ok) return;
    for (;;) {
      if (halted.signal.aborted) return;
      const record = nextDue(now());
      if (!record) return;
      sending = record.key;
      changed();
      const outcome = await sendRecord(record.key, record.url, { fetch: opts.fetch, now, timeoutMs: opts.timeoutMs, signal: halted.signal });
      sending = undefined;
      if (halted.signal.aborted) return; // going away: the store still holds the record as pending
      settle(record, outcome, now());
      await persist();
      changed();
    }
  }

  function flush(): Promise<void> {
    if (halted.signal.aborted) return Promise.resolve();
    flushing ??= drain().finally(() => {
      flushing = undefined;
      schedule();
    });
    return flushing;
  }

  /** Moves a dead letter back to pending (or drops it), saved before the call resolves. */
  async function changeDead(key: string, change: (record: OutboxRecord) => void): Promise<Result<void>> {
    const loaded = await ensureLoaded();
    if (!loaded.ok) return loaded;
    const index = records.findIndex((r) => r.key === key && r.status === 'dead');
    const record = records[index];
    if (!record) return { ok: false, error: `no refused post-call record with key ${key}` };
    const before = { ...record };
    change(record);
    const saved = await persist(() => {
      if (records[index] === record) Object.assign(record, before);
      else records.splice(index, 0, Object.assign(record, before));
    });
    changed();
    schedule();
    return saved;
  }

  return {
    /**
     * Loads the stored records and schedules what is due; aborting `signal` stops timers and
     * any send under way, and nothing more is written (as if the worker had been stopped).
     */
    async start(signal?: AbortSignal): Promise<Result<void>> {
      if (signal?.aborted) halted.abort();
      signal?.addEventListener('abort', () => {
        halted.abort();
        if (timer !== undefined) clearTimer(timer);
        timer = undefined;
      }, { once: true });
      const loaded = await ensureLoaded();
      changed();
      schedule();
      return loaded;
    },

    /**
     * Stores a post-call request, then schedules its send. Resolves once it is stored (or refused);
     * the same key again is a no-op ('duplicate').
     * @example await outbox.enqueue({ key: 'linkedid-1700000000.12:3', url: 'https://crm.example/cdr?src=100' })
     */
    async enqueue(input: { key: string; url: string }): Promise<Result<'queued' | 'duplicate'>> {
      if (input.key === '') return { ok: false, error: 'a post-call record needs a non-empty key' };
      if (!isHttpUrl(input.url)) return { ok: false, error: `post-call URLs must be http: or https: URLs, not ${input.url}` };
      const running = enqueuing.get(input.key);
      if (running) {
        const first = await running;
        return first.ok ? { ok: true, value: 'duplicate' } : first;
      }
      const adding = addRecord(input.key, input.url);
      enqueuing.set(input.key, adding);
      const result = await adding;
      enqueuing.delete(input.key);
      changed();
      schedule();
      return result;
    },

    flush,
    retryDead: (key: string) =>
      changeDead(key, (r) => {
        Object.assign(r, { status: 'pending', attempts: 0, nextAttemptAt: now() });
        delete r.settledAt;
      }),
    /** The user gives up on a refused record; it is removed for good. */
    discardDead: (key: string) =>
      changeDead(key, (r) => {
        records = records.filter((x) => x !== r);
      }),
    /**
     * Sign-out: tries every waiting record once more now, whatever its backoff, and resolves with
     * how many are still not delivered (waiting again or refused).
     */
    async deliverNow(): Promise<number> {
      if ((await ensureLoaded()).ok) {
        const at = now();
        for (const r of records) if (r.status === 'pending' && r.nextAttemptAt > at) r.nextAttemptAt = at;
        await flush();
      }
      return records.filter((r) => r.status !== 'delivered').length;
    },
    /** Sign-out: forgets every record, delivered or not (the user chose to discard what is left). */
    async clear(): Promise<Result<void>> {
      const loaded = await ensureLoaded();
      if (!loaded.ok) return loaded;
      records = [];
      const saved = await persist();
      changed();
      schedule();
      return saved;
    },
    statusOf: (key: string): OutboxRecord['status'] | undefined => records.find((r) => r.key === key)?.status,
    state(): OutboxState {
      const storageError = writeProblem ?? readProblem;
      return outboxState(records, { capacity, ...(sending !== undefined && { sending }), ...(storageError !== undefined && { storageError }) });
    },
    /** When the background should wake the outbox (an `alarms` time); undefined when nothing is pending. */
    nextWakeAt,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;

function isHttpUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
