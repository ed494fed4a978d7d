import { browser } from 'wxt/browser';
import { createOutbox } from '@/utils/outbox/create-outbox';
import type { OutboxRecord } from '@/utils/outbox/outbox-record';
import { redactText, redactUrl } from '@/utils/templates/redact-url';
import type { Settings } from '@/utils/settings/schema';
import type { OutboxView } from '@/utils/view-state';
import { OUTBOX_ALARM } from './alarms';

const OUTBOX_KEY = 'outbox';

export interface OutboxAdapter {
  start(): Promise<void>;
  /** Resolves once the record is stored; rejects when the outbox refuses it (full, bad URL). */
  enqueue(key: string, url: string): Promise<void>;
  flush(): Promise<void>;
  retryDead(key: string): Promise<boolean>;
  isPending(key: string): boolean;
  /** Sign-out: sends every waiting record now; resolves with how many are still undelivered. */
  deliverNow(): Promise<number>;
  /** Sign-out: forgets every record. */
  clear(): Promise<void>;
  view(): OutboxView;
}

/**
 * The post-call outbox on `storage.local`. Its retry timers die with the worker, so every change
 * also sets an alarm for the next due record: the alarm wakes a stopped worker to send it.
 */
export async function createOutboxAdapter(settings: Settings, onChange: () => void): Promise<OutboxAdapter> {
  const outbox = createOutbox({
    store: {
      load: async () => (await browser.storage.local.get(OUTBOX_KEY))[OUTBOX_KEY],
      save: (records: readonly OutboxRecord[]) => browser.storage.local.set({ [OUTBOX_KEY]: records }),
    },
    fetch: globalThis.fetch.bind(globalThis),
    now: Date.now,
    random: Math.random,
    timeoutMs: settings.advanced.postCallTimeoutMs,
    onChange: () => {
      onChange();
      const at = outbox.nextWakeAt();
      if (at === undefined) void browser.alarms.clear(OUTBOX_ALARM);
      else void browser.alarms.create(OUTBOX_ALARM, { when: Math.max(at, Date.now() + 1000) });
    },
  });
  return {
    start: async () => void (await outbox.start()),
    async enqueue(key, url) {
      const result = await outbox.enqueue({ key, url });
      if (!result.ok) throw new Error(result.error);
    },
    flush: () => outbox.flush(),
    retryDead: async (key) => (await outbox.retryDead(key)).ok,
    isPending: (key) => outbox.statusOf(key) === 'pending',
    deliverNow: () => outbox.deliverNow(),
    async clear() {
      const result = await outbox.clear();
      if (!result.ok) throw new Error(result.error);
    },
    view() {
      const s = outbox.state();
      return { pending: s.pending, nextAttemptAt: s.nextAttemptAt, dead: s.dead.map((d) => ({ key: d.key, url: redactUrl(d.url), reason: redactText(d.reason) })) };
    },
  };
}
