/** One post-call request (one CDR record, CTI.md §1) as the outbox keeps it. */
export interface OutboxRecord {
  /** Stable per CDR record; sent as `Idempotency-Key` so a repeated send is harmless at the CRM. */
  key: string;
  url: string;
  status: 'pending' | 'dead' | 'delivered';
  createdAt: number;
  /** Sends that came back with an answer or an error (a send cut off by a restart is not counted). */
  attempts: number;
  /** When a pending record may be sent next. */
  nextAttemptAt: number;
  /** When it was delivered or dead-lettered. */
  settledAt?: number;
  httpStatus?: number;
  /** Why the last attempt failed; for a dead letter, why it will not be retried by itself. */
  lastError?: string;
}

/**
 * Where the outbox keeps its records across service-worker restarts (the background backs it with
 * `browser.storage.local`). `save` gets the whole list every time: it is bounded (see createOutbox)
 * and one write keeps the stored list consistent. `load` returns whatever was stored (nothing,
 * an older shape, garbage); the outbox validates it.
 */
export interface OutboxStore {
  load(): Promise<unknown>;
  save(records: readonly OutboxRecord[]): Promise<void>;
}

/** Keeps the well-formed records of a stored list and counts the rest. */
export function readStoredRecords(raw: unknown): { records: OutboxRecord[]; rejected: number } {
  if (raw === undefined || raw === null) return { records: [], rejected: 0 };
  if (!Array.isArray(raw)) return { records: [], rejected: 1 };
  const records: OutboxRecord[] = [];
  const seen = new Set<string>();
  for (const item of raw) {
    const record = asRecord(item);
    if (record && !seen.has(record.key)) {
      seen.add(record.key);
      records.push(record);
    }
  }
  return { records, rejected: raw.length - records.length };
}

function asRecord(item: unknown): OutboxRecord | undefined {
  if (typeof item !== 'object' || item === null) return undefined;
  const r = item as Record<string, unknown>;
  const status = r.status;
  if (typeof r.key !== 'string' || r.key === '' || typeof r.url !== 'string') return undefined;
  if (status !== 'pending' && status !== 'dead' && status !== 'delivered') return undefined;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  return {
    key: r.key,
    url: r.url,
    status,
    createdAt: num(r.createdAt) ?? 0,
    attempts: num(r.attempts) ?? 0,
    nextAttemptAt: num(r.nextAttemptAt) ?? 0,
    ...(num(r.settledAt) !== undefined && { settledAt: num(r.settledAt) }),
    ...(num(r.httpStatus) !== undefined && { httpStatus: num(r.httpStatus) }),
    ...(typeof r.lastError === 'string' && { lastError: r.lastError }),
  };
}
