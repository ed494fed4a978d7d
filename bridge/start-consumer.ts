import { DeliverPolicy, type ConsumerMessages } from 'nats';
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
