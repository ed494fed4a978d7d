import { DeliverPolicy, type ConsumerMessages } from 'nats';
import type { DuplicateFilter } from './duplicate-filter';
import type { NatsHandles } from './nats';

/** Starting a stream consumer takes longer than this only while NATS is electing a leader. */
export const CONSUMER_START_MS = 5000;
const RETRY_PAUSE_MS = 250;

/**
 * An ordered consumer of `filter` on `stream` from sequence `from()`, started within
 * CONSUMER_START_MS or tried again (from `from()` then) for as long as `wanted()`; undefined once
 * it is not. Bounded because nats.js 2.29's ordered `consume()` retries creating its consumer up
 * to 30 times with pauses of up to 30 s each (OrderedPullConsumerImpl.resetConsumer): seen under a
 * NATS node kill (stream leader moving), a `consume()` that resolved only 18 minutes later.
 */
export async function startConsumer(o: { nats: NatsHandles; stream: string; filter: string; from: () => number; wanted: () => boolean; onRetry: (from: number, reason: string) => void }): Promise<ConsumerMessages | undefined> {
  while (o.wanted()) {
    const from = o.from();
    try {
      const consumer = await o.nats.js.consumers.get(o.stream, { filterSubjects: o.filter, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
      const started = consumer.consume();
      const m = await Promise.race([started, new Promise<undefined>((r) => setTimeout(() => r(undefined), CONSUMER_START_MS))]);
      if (!m) {
        void started.then((late) => late.stop(), () => undefined);
        throw new Error(`the consumer did not start within ${CONSUMER_START_MS} ms`);
      }
      if (o.wanted()) return m;
      m.stop();
    } catch (error) {
      o.onRetry(from, (error as Error).message);
      await new Promise((r) => setTimeout(r, RETRY_PAUSE_MS));
    }
  }
  return undefined;
}

/**
 * Feeds `into` the ids of the messages of `filter` stored within `windowMs` (stream time) before
 * sequence `before`, so a reader starting at `before` knows which of its messages are copies of
 * earlier ones (duplicate-filter.ts). Bounded by `deadlineMs`: while NATS elects a leader this may
 * not finish, and the reader then starts with what it has (a copy may then pass, as without the filter).
 */
export async function readRecentIds(o: { nats: NatsHandles; stream: string; filter: string; before: number; windowMs: number; into: DuplicateFilter; deadlineMs?: number }): Promise<boolean> {
  if (o.before <= 1) return true;
  const until = Date.now() + (o.deadlineMs ?? CONSUMER_START_MS);
  try {
    const jsm = await o.nats.nc.jetstreamManager();
    const last = await jsm.streams.getMessage(o.stream, { seq: o.before - 1 }).catch(() => undefined);
    if (!last) return true; // gone by max age, and everything before it too
    const consumer = await o.nats.js.consumers.get(o.stream, { filterSubjects: o.filter, deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(last.time.getTime() - o.windowMs).toISOString() });
    // A fetch for more than is there waits for its expiry: ask for exactly what is pending.
    let pending = (await consumer.info()).num_pending;
    while (pending > 0 && Date.now() < until) {
      const batch = await consumer.fetch({ max_messages: Math.min(pending, 1000), expires: Math.max(1000, until - Date.now()) });
      let got = 0;
      for await (const m of batch) {
        if (m.seq >= o.before) return true;
        o.into.first(m.headers?.get('Nats-Msg-Id'), m.info.timestampNanos / 1e6);
        pending = m.info.pending;
        got += 1;
      }
      if (got === 0) break;
    }
    return pending === 0;
  } catch {
    // Counted below as not finished.
  }
  return false;
}
