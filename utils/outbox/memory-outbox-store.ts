import type { OutboxRecord, OutboxStore } from './outbox-record';

/**
 * An OutboxStore in memory, for tests and tools. It copies on save and load like real storage,
 * so the outbox cannot keep working on the stored objects by accident; `saved()` shows what a
 * restarted worker would find.
 */
export function createMemoryOutboxStore(initial: unknown = undefined) {
  let stored: unknown = structuredClone(initial);
  return {
    async load(): Promise<unknown> {
      return structuredClone(stored);
    },
    async save(records: readonly OutboxRecord[]): Promise<void> {
      stored = structuredClone(records);
    },
    saved(): OutboxRecord[] {
      return Array.isArray(stored) ? (structuredClone(stored) as OutboxRecord[]) : [];
    },
  } satisfies OutboxStore & { saved(): OutboxRecord[] };
}
