import type { OutboxRecord } from './outbox-record';

/** What the UI shows of the outbox. Shaped to fit `OutboxView` in utils/view-state.ts. */
export interface OutboxState {
  /** Records waiting to be delivered (never dropped). */
  pending: number;
  /** The earliest time a pending record will be sent; absent when nothing is pending. */
  nextAttemptAt?: number;
  /** The key being sent right now. */
  sending?: string;
  waiting: { key: string; url: string; attempts: number; nextAttemptAt: number; lastError?: string }[];
  /** Records the server refused; they stay until the user retries or discards them. */
  dead: { key: string; url: string; reason: string; status?: number; at: number; attempts: number }[];
  /** Recently delivered, newest first (bounded log). */
  delivered: { key: string; url: string; status?: number; at: number; attempts: number }[];
  /** Pending plus dead records, against the limit at which enqueue refuses new ones. */
  used: number;
  capacity: number;
  /** Why the store could not be read or written, if it could not. */
  storageError?: string;
}

export function outboxState(
  records: readonly OutboxRecord[],
  extra: { capacity: number; sending?: string; storageError?: string },
): OutboxState {
  const pending = records.filter((r) => r.status === 'pending');
  const dead = records.filter((r) => r.status === 'dead');
  const delivered = records.filter((r) => r.status === 'delivered').sort((a, b) => (b.settledAt ?? 0) - (a.settledAt ?? 0));
  const next = pending.length > 0 ? Math.min(...pending.map((r) => r.nextAttemptAt)) : undefined;
  return {
    pending: pending.length,
    ...(next !== undefined && { nextAttemptAt: next }),
    ...(extra.sending !== undefined && { sending: extra.sending }),
    waiting: pending.map(({ key, url, attempts, nextAttemptAt, lastError }) => ({ key, url, attempts, nextAttemptAt, ...(lastError !== undefined && { lastError }) })),
    dead: dead.map((r) => ({
      key: r.key,
      url: r.url,
      reason: r.lastError ?? 'refused by the server',
      ...(r.httpStatus !== undefined && { status: r.httpStatus }),
      at: r.settledAt ?? 0,
      attempts: r.attempts,
    })),
    delivered: delivered.map((r) => ({
      key: r.key,
      url: r.url,
      ...(r.httpStatus !== undefined && { status: r.httpStatus }),
      at: r.settledAt ?? 0,
      attempts: r.attempts,
    })),
    used: pending.length + dead.length,
    capacity: extra.capacity,
    ...(extra.storageError !== undefined && { storageError: extra.storageError }),
  };
}
