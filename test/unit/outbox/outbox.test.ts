import { afterEach, describe, expect, it } from 'vitest';
import { createOutbox, type OutboxOptions } from '../../../utils/outbox/create-outbox';
import { createMemoryOutboxStore } from '../../../utils/outbox/memory-outbox-store';
import type { OutboxRecord } from '../../../utils/outbox/outbox-record';
import { closeServers, deadOrigin, serve, sleep, waitFor } from '../lookup/local-server';

const stops: AbortController[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop.abort();
  await closeServers();
});

/** An outbox with small delays; started, and stopped after the test. */
async function outbox(overrides: Partial<OutboxOptions> & Pick<OutboxOptions, 'store'>) {
  const box = createOutbox({ fetch, now: Date.now, random: () => 0.5, timeoutMs: 1000, baseDelayMs: 20, maxDelayMs: 200, ...overrides });
  const stop = new AbortController();
  stops.push(stop);
  const started = await box.start(stop.signal);
  return { box, stop, started };
}

const statusIn = (records: OutboxRecord[], key: string) => records.find((r) => r.key === key)?.status;

/** A CRM that answers its first request 429 with `Retry-After: 1`, then 200; `times` are its arrivals. */
async function serveTooManyRequestsOnce() {
  const times: number[] = [];
  const server = await serve((_req, res) => {
    times.push(Date.now());
    if (times.length === 1) res.writeHead(429, { 'retry-after': '1' });
    res.end();
  });
  return { server, times };
}

describe('persistence', () => {
  it('stores the record before the server sees the request', async () => {
    const store = createMemoryOutboxStore();
    let storedWhenRequested: OutboxRecord[] | undefined;
    const server = await serve((req, res) => {
      storedWhenRequested = store.saved();
      res.end();
    });
    // a slow store, and a flush asked for while the save is still under way
    const slowStore = { load: store.load, save: async (records: readonly OutboxRecord[]) => (await sleep(50), store.save(records)) };
    const { box } = await outbox({ store: slowStore });
    const enqueued = box.enqueue({ key: 'k1', url: `${server.origin}/cdr?src=100` });
    await sleep(10);
    await box.flush();
    expect(server.requests).toHaveLength(0);
    expect(await enqueued).toEqual({ ok: true, value: 'queued' });
    await waitFor(() => box.statusOf('k1') === 'delivered');
    expect(storedWhenRequested).toEqual([expect.objectContaining({ key: 'k1', status: 'pending', url: `${server.origin}/cdr?src=100` })]);
    expect(server.requests[0]?.headers['idempotency-key']).toBe('k1');
    expect(server.requests[0]?.headers.cookie).toBeUndefined();
    await waitFor(() => statusIn(store.saved(), 'k1') === 'delivered');
  });

  it('delivers, from a new outbox on the same store, a record stored by a worker killed before sending', async () => {
    const store = createMemoryOutboxStore();
    const server = await serve((_req, res) => res.end());
    // the first worker's timers never fire: it dies between persisting and sending
    const first = await outbox({ store, setTimer: () => undefined });
    await first.box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    first.stop.abort();
    expect(server.requests).toHaveLength(0);
    expect(statusIn(store.saved(), 'k1')).toBe('pending');

    const second = await outbox({ store });
    await waitFor(() => second.box.statusOf('k1') === 'delivered');
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['k1']);
    expect(statusIn(store.saved(), 'k1')).toBe('delivered');
  });

  it('sends again, with the same key, a record that was in flight when the worker was killed', async () => {
    const store = createMemoryOutboxStore();
    let answer = false;
    const server = await serve((_req, res) => {
      if (answer) res.end();
    });
    const first = await outbox({ store });
    await first.box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    await waitFor(() => server.requests.length === 1);
    first.stop.abort();
    await sleep(20);
    expect(statusIn(store.saved(), 'k1')).toBe('pending');

    answer = true;
    const second = await outbox({ store });
    await waitFor(() => second.box.statusOf('k1') === 'delivered');
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['k1', 'k1']);
  });

  it('keeps the record in the store while the server is down for good', async () => {
    const store = createMemoryOutboxStore();
    const { box } = await outbox({ store, baseDelayMs: 10, maxDelayMs: 40 });
    await box.enqueue({ key: 'k1', url: `${await deadOrigin()}/cdr` });
    await waitFor(() => (store.saved()[0]?.attempts ?? 0) >= 3);
    const [record] = store.saved();
    expect(record).toMatchObject({ key: 'k1', status: 'pending' });
    expect(record?.lastError).toMatch(/ECONNREFUSED/);
    expect(box.state()).toMatchObject({ pending: 1, dead: [], delivered: [] });
    expect(box.nextWakeAt()).toBeTypeOf('number');
  });

  it('refuses to work on a store it cannot read, and never overwrites it', async () => {
    let saves = 0;
    const store = {
      load: async () => {
        throw new Error('quota exceeded');
      },
      save: async () => void saves++,
    };
    const { box, started } = await outbox({ store });
    expect(started).toEqual({ ok: false, error: expect.stringContaining('quota exceeded') });
    const result = await box.enqueue({ key: 'k1', url: 'http://127.0.0.1:9/cdr' });
    expect(result.ok).toBe(false);
    expect(saves).toBe(0);
    expect(box.state().storageError).toContain('could not be read');
  });

  it('reports, and does not enqueue, a record it could not store', async () => {
    const store = { load: async () => [], save: async () => Promise.reject(new Error('disk full')) };
    let fetched = 0;
    const { box } = await outbox({ store, fetch: async () => (fetched++, new Response()) });
    const result = await box.enqueue({ key: 'k1', url: 'http://127.0.0.1:9/cdr' });
    expect(result).toEqual({ ok: false, error: expect.stringContaining('disk full') });
    expect(box.state().pending).toBe(0);
    await sleep(30);
    expect(fetched).toBe(0);
  });

  it('ignores unreadable stored entries and says so', async () => {
    const good = { key: 'k1', url: 'http://127.0.0.1:9/x', status: 'dead', createdAt: 1, attempts: 1, nextAttemptAt: 1, lastError: 'HTTP 404' };
    const store = createMemoryOutboxStore([good, { key: 42 }, 'junk', { ...good, status: 'sending' }]);
    const { box } = await outbox({ store });
    expect(box.state().dead).toEqual([expect.objectContaining({ key: 'k1', reason: 'HTTP 404' })]);
    expect(box.state().storageError).toContain('3 unreadable outbox entries');
  });
});

describe('retries', () => {
  it('retries 5xx with backoff until the server recovers, always with the same key', async () => {
    const store = createMemoryOutboxStore();
    const times: number[] = [];
    const server = await serve((_req, res) => {
      times.push(Date.now());
      res.statusCode = times.length <= 2 ? 500 : 200;
      res.end();
    });
    const { box } = await outbox({ store, baseDelayMs: 40, random: () => 0.99 });
    await box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    await waitFor(() => box.statusOf('k1') === 'delivered');
    expect(server.requests.map((r) => r.headers['idempotency-key'])).toEqual(['k1', 'k1', 'k1']);
    // full jitter with random≈1: ~40 ms, then ~80 ms
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(35);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(75);
    expect(box.state().delivered).toEqual([expect.objectContaining({ key: 'k1', attempts: 3, status: 200 })]);
  });

  it('waits as long as Retry-After asks after a 429', async () => {
    const store = createMemoryOutboxStore();
    const { server, times } = await serveTooManyRequestsOnce();
    const { box } = await outbox({ store, baseDelayMs: 5 });
    await box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    await waitFor(() => times.length === 1);
    await waitFor(() => store.saved()[0]?.httpStatus === 429);
    expect(box.state().waiting[0]?.lastError).toContain('429');
    expect((box.nextWakeAt() ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(990);
    await waitFor(() => box.statusOf('k1') === 'delivered', 3000);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(990);
  });

  it('makes a record enqueued during Retry-After wait too, instead of sending it at once', async () => {
    const store = createMemoryOutboxStore();
    const { server, times } = await serveTooManyRequestsOnce();
    const { box } = await outbox({ store, baseDelayMs: 5 });
    await box.enqueue({ key: 'k1', url: `${server.origin}/cdr?n=1` });
    await waitFor(() => store.saved()[0]?.httpStatus === 429);
    await box.enqueue({ key: 'k2', url: `${server.origin}/cdr?n=2` });
    await waitFor(() => box.statusOf('k1') === 'delivered' && box.statusOf('k2') === 'delivered', 3000);
    expect(times).toHaveLength(3);
    expect(Math.min(times[1]!, times[2]!) - times[0]!).toBeGreaterThanOrEqual(990);
  });

  it('retries a request that gets no answer within the timeout', async () => {
    const store = createMemoryOutboxStore();
    const server = await serve((req, res) => {
      if (server.requests.length > 1) res.end();
    });
    const { box } = await outbox({ store, timeoutMs: 50 });
    await box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    await waitFor(() => box.statusOf('k1') === 'delivered');
    // The first request never gets an answer. Every retry is answered at once, but on a loaded
    // machine an answer can itself come later than 50 ms and be retried again: at least one retry,
    // always with the same key.
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
    expect(new Set(server.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set(['k1']));
  });

  it('holds back the other records for an origin that failed, so a dead CRM gets one probe', async () => {
    const store = createMemoryOutboxStore();
    let calls = 0;
    const { box } = await outbox({
      store,
      baseDelayMs: 10_000,
      fetch: async () => {
        calls++;
        return new Response(null, { status: 503 });
      },
      setTimer: () => undefined, // flush by hand only
    });
    for (const key of ['a', 'b', 'c']) await box.enqueue({ key, url: `https://crm.example/cdr?k=${key}` });
    await box.enqueue({ key: 'other', url: 'https://other.example/cdr' });
    await box.flush();
    expect(calls).toBe(2); // 'a' failed and held back 'b' and 'c'; 'other' went out
    const waiting = box.state().waiting;
    const aNext = waiting.find((w) => w.key === 'a')?.nextAttemptAt;
    expect(waiting.filter((w) => w.key !== 'other').map((w) => w.nextAttemptAt)).toEqual([aNext, aNext, aNext]);
    expect(waiting.map((w) => w.attempts)).toEqual([1, 0, 0, 1]);
  });
});

describe('dead letters', () => {
  it('keeps a 404 as a dead letter, does not retry it, and sends it again on retryDead', async () => {
    const store = createMemoryOutboxStore();
    let status = 404;
    const server = await serve((_req, res) => {
      res.statusCode = status;
      res.end();
    });
    const { box } = await outbox({ store });
    await box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    await waitFor(() => box.statusOf('k1') === 'dead');
    await sleep(100);
    expect(server.requests).toHaveLength(1);
    expect(box.nextWakeAt()).toBeUndefined();
    expect(box.state()).toMatchObject({ pending: 0, used: 1, dead: [{ key: 'k1', status: 404, attempts: 1 }] });
    expect(box.state().dead[0]?.reason).toContain('HTTP 404');
    expect(statusIn(store.saved(), 'k1')).toBe('dead');

    status = 200;
    expect(await box.retryDead('k1')).toEqual({ ok: true, value: undefined });
    await waitFor(() => box.statusOf('k1') === 'delivered');
    expect(server.requests).toHaveLength(2);
    expect(await box.retryDead('k1')).toMatchObject({ ok: false });
  });

  it('treats a redirect as a dead letter instead of following it', async () => {
    const store = createMemoryOutboxStore();
    const server = await serve((_req, res) => {
      res.writeHead(302, { location: '/login' });
      res.end();
    });
    const { box } = await outbox({ store });
    await box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    await waitFor(() => box.statusOf('k1') === 'dead');
    expect(box.state().dead[0]?.reason).toContain('redirect');
    expect(server.requests.map((r) => r.url)).toEqual(['/cdr']);
  });

  it('removes a dead letter only when the user discards it', async () => {
    const good = { key: 'k1', url: 'http://127.0.0.1:9/x', status: 'dead', createdAt: 1, attempts: 1, nextAttemptAt: 1 };
    const store = createMemoryOutboxStore([good]);
    const { box } = await outbox({ store });
    expect(await box.discardDead('k1')).toEqual({ ok: true, value: undefined });
    expect(store.saved()).toEqual([]);
    expect(box.state().used).toBe(0);
  });
});

describe('one sender, one record per key', () => {
  it('never sends one key twice at once, however often flush is called', async () => {
    const store = createMemoryOutboxStore();
    const server = await serve(async (_req, res) => {
      await sleep(80);
      res.end();
    });
    const { box } = await outbox({ store });
    const enqueued = box.enqueue({ key: 'k1', url: `${server.origin}/cdr` });
    const flushes = [box.flush(), box.flush()];
    await enqueued;
    flushes.push(box.flush(), box.flush(), box.flush());
    expect(flushes[3]).toBe(flushes[2]);
    await Promise.all(flushes);
    await waitFor(() => box.statusOf('k1') === 'delivered');
    await sleep(50);
    expect(server.requests).toHaveLength(1);
    expect(server.maxActive()).toBe(1);
  });

  it('sends records one after another, oldest first', async () => {
    const store = createMemoryOutboxStore();
    const server = await serve(async (_req, res) => {
      await sleep(20);
      res.end();
    });
    const { box } = await outbox({ store });
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => box.enqueue({ key, url: `${server.origin}/${key}` })));
    await waitFor(() => box.state().delivered.length === 4);
    expect(server.requests.map((r) => r.url)).toEqual(['/a', '/b', '/c', '/d']);
    expect(server.maxActive()).toBe(1);
  });

  it('treats a second enqueue of the same key as a no-op, even while the first is being stored', async () => {
    const store = createMemoryOutboxStore();
    const server = await serve((_req, res) => res.end());
    const { box } = await outbox({ store });
    const url = `${server.origin}/cdr`;
    const results = await Promise.all([box.enqueue({ key: 'k1', url }), box.enqueue({ key: 'k1', url }), box.enqueue({ key: 'k1', url: `${url}?other` })]);
    expect(results.map((r) => r.ok && r.value)).toEqual(['queued', 'duplicate', 'duplicate']);
    await waitFor(() => box.statusOf('k1') === 'delivered');
    expect(await box.enqueue({ key: 'k1', url })).toEqual({ ok: true, value: 'duplicate' });
    await sleep(30);
    expect(server.requests).toHaveLength(1);
    expect(store.saved()).toHaveLength(1);
  });
});

describe('bounds', () => {
  it('refuses a new record when full, and never drops a pending one', async () => {
    const store = createMemoryOutboxStore();
    const { box } = await outbox({ store, maxRecords: 2, setTimer: () => undefined });
    const url = `${await deadOrigin()}/cdr`;
    await box.enqueue({ key: 'a', url });
    await box.enqueue({ key: 'b', url });
    const refused = await box.enqueue({ key: 'c', url });
    expect(refused).toEqual({ ok: false, error: expect.stringContaining('outbox is full') });
    expect(store.saved().map((r) => r.key)).toEqual(['a', 'b']);
    expect(box.state()).toMatchObject({ used: 2, capacity: 2, pending: 2 });
  });

  it('keeps only the newest delivered records in the log', async () => {
    const store = createMemoryOutboxStore();
    const server = await serve((_req, res) => res.end());
    const { box } = await outbox({ store, maxDelivered: 2 });
    for (const key of ['a', 'b', 'c']) {
      await box.enqueue({ key, url: `${server.origin}/${key}` });
      await waitFor(() => box.statusOf(key) === 'delivered');
    }
    expect(box.state().delivered.map((d) => d.key)).toEqual(['c', 'b']);
    expect(store.saved().map((r) => r.key)).toEqual(['b', 'c']);
  });

  it('refuses URLs that are not http(s) and empty keys', async () => {
    const { box } = await outbox({ store: createMemoryOutboxStore() });
    expect((await box.enqueue({ key: 'k', url: 'javascript:alert(1)' })).ok).toBe(false);
    expect((await box.enqueue({ key: 'k', url: 'not a url' })).ok).toBe(false);
    expect((await box.enqueue({ key: '', url: 'https://crm.example/' })).ok).toBe(false);
  });
});

describe('scheduling', () => {
  it('schedules its timer for nextWakeAt and stops writing once stopped', async () => {
    const store = createMemoryOutboxStore();
    let clock = 1_000_000;
    const timers: { fn: () => void; ms: number }[] = [];
    const { box, stop } = await outbox({
      store,
      now: () => clock,
      baseDelayMs: 1000,
      maxDelayMs: 900_000,
      random: () => 0.5,
      fetch: async () => new Response(null, { status: 500 }),
      setTimer: (fn, ms) => timers.push({ fn, ms }),
    });
    await box.enqueue({ key: 'k1', url: 'https://crm.example/cdr' });
    expect(timers.at(-1)?.ms).toBe(0); // due now
    timers.at(-1)?.fn();
    await waitFor(() => box.state().waiting[0]?.attempts === 1);
    expect(box.nextWakeAt()).toBe(clock + 500);
    await waitFor(() => timers.at(-1)?.ms === 500);

    stop.abort();
    const before = JSON.stringify(store.saved());
    clock += 500;
    timers.at(-1)?.fn();
    await box.flush();
    expect((await box.enqueue({ key: 'k2', url: 'https://crm.example/cdr' })).ok).toBe(false);
    expect(JSON.stringify(store.saved())).toBe(before);
  });
});

describe('sign-out', () => {
  it('delivers records still in backoff at once, and counts what could not be delivered', async () => {
    let down = true;
    const server = await serve((_req, res) => {
      res.writeHead(down ? 503 : 200);
      res.end();
    });
    const store = createMemoryOutboxStore();
    // Backoff far beyond the test: only deliverNow can send the record again in time.
    const { box } = await outbox({ store, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await box.enqueue({ key: 'k1', url: `${server.origin}/cdr?k=1` });
    await waitFor(() => store.saved()[0]?.attempts === 1);
    expect(store.saved()[0]!.nextAttemptAt).toBeGreaterThan(Date.now() + 10_000);
    expect(await box.deliverNow()).toBe(1);
    down = false;
    expect(await box.deliverNow()).toBe(0);
    expect(statusIn(store.saved(), 'k1')).toBe('delivered');
  });

  it('clear forgets every record, delivered or not, in storage too', async () => {
    const store = createMemoryOutboxStore();
    const { box } = await outbox({ store, fetch: async () => new Response(null, { status: 503 }), baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await box.enqueue({ key: 'k1', url: 'https://crm.example/cdr?k=1' });
    await box.enqueue({ key: 'k2', url: 'https://crm.example/cdr?k=2' });
    expect(store.saved()).toHaveLength(2);
    expect((await box.clear()).ok).toBe(true);
    expect(store.saved()).toEqual([]);
    expect(box.state().pending).toBe(0);
    expect(await box.deliverNow()).toBe(0);
  });
});
