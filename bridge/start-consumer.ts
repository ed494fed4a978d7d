import { DeliverPolicy, type ConsumerMessages, type JsMsg } from 'nats';
import { createDuplicateFilter, type DuplicateFilter } from './duplicate-filter';
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
 * The copy filter of a stream reader that starts at sequence `before` (duplicate-filter.ts), the
 * ids stored within the window before it read first, so a copy right after the start is known too.
 * True for a message to keep; `onIncomplete` when that read-back was cut short.
 */
export async function copyFilter(o: { nats: NatsHandles; stream: string; before: number; windowMs: number; onIncomplete: () => void }): Promise<(m: JsMsg) => boolean> {
  const copies = createDuplicateFilter(o.windowMs);
  if (!(await readRecentIds({ ...o, into: copies }))) o.onIncomplete();
  return (m) => copies.first(m.headers?.get('Nats-Msg-Id'), m.info.timestampNanos / 1e6);
}

/** Direct gets in flight at once while reading back (one request each; a consumer can stall under a node kill). */
const READ_BACK_BATCH = 64;

/**
 * Feeds `into` the ids of the messages stored within `windowMs` (stream time) before sequence
 * `before`, so a reader starting at `before` knows which of its messages are copies of earlier
 * ones (duplicate-filter.ts). Ids are unique per PBX, so other subjects' ids do no harm. Reads
 * back by direct gets, which need no consumer. Bounded by `deadlineMs`: while NATS elects a leader
 * this may not finish, and the reader then starts with what it has (a copy may then pass, as
 * without the filter). True when it finished.
 */
async function readRecentIds(o: { nats: NatsHandles; stream: string; before: number; windowMs: number; into: DuplicateFilter; deadlineMs?: number }): Promise<boolean> {
  if (o.before <= 1) return true;
  const deadlineMs = o.deadlineMs ?? CONSUMER_START_MS;
  let stop = false;
  const read = async (): Promise<boolean> => {
    const jsm = await o.nats.nc.jetstreamManager();
    // A sequence with no message (removed by max age) reads as undefined.
    const get = (seq: number) => jsm.streams.getMessage(o.stream, { seq }).catch((error: Error) => {
      if (/no message found/i.test(error.message)) return undefined;
      throw error;
    });
    const newest = await get(o.before - 1);
    if (!newest) return true; // gone by max age, and everything before it too
    const since = newest.time.getTime() - o.windowMs;
    const found: { seq: number; id: string | undefined; at: number }[] = [];
    for (let hi = o.before - 1; hi >= 1; hi -= READ_BACK_BATCH) {
      if (stop) return false;
      const seqs = Array.from({ length: Math.min(READ_BACK_BATCH, hi) }, (_, i) => hi - i);
      const batch = await Promise.all(seqs.map(get));
      let older = false;
      for (const m of batch) {
        if (!m || m.time.getTime() < since) {
          older = true;
          continue;
        }
        found.push({ seq: m.seq, id: m.header?.get('Nats-Msg-Id'), at: m.time.getTime() });
      }
      if (older) break;
    }
    if (stop) return false;
    for (const f of found.sort((a, b) => a.seq - b.seq)) o.into.first(f.id, f.at);
    return true;
  };
  // Every step may wait out a leader election: the whole read is bounded, not each step.
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), deadlineMs)));
  try {
    return await Promise.race([read().catch(() => false), late]);
  } finally {
    stop = true;
    clearTimeout(timer);
  }
}
