/**
 * JetStream's de-duplication by `Nats-Msg-Id`, completed where the stream is read. Both ingests
 * publish every event under one id, and a publisher re-sends what was not acked; the stream's
 * duplicate window should store each id once. But nats-server before 2.11 (Debian 12 ships 2.9.10)
 * can store a copy around a stream leader election: a new leader may take writes before it has
 * applied every entry the old one committed, so its de-dup map lacks their ids (fixed upstream by
 * "leader completeness", nats-server PRs 6485 and 6486). Not seen in our fault runs (they read the
 * stream back and list any copy), but nothing of ours prevents it; test/e2e/bridge-copies.test.ts
 * makes JetStream store one on purpose.
 *
 * A reader keeps the ids it read within the duplicate window (stream time, not its own clock) and
 * drops a later message under one of them. The first copy in stream order wins, so every edge and
 * the ingest's snapshot fold drop the same messages and agree on event ids.
 */
export function createDuplicateFilter(windowMs: number) {
  /** id → stream time (ms) of its first copy, in stream order (so oldest first). */
  const seen = new Map<string, number>();

  return {
    /** True for the first message under `id` within the window; a message without an id always passes. */
    first(id: string | undefined, atMs: number): boolean {
      for (const [old, t] of seen) {
        if (t >= atMs - windowMs) break;
        seen.delete(old);
      }
      if (!id) return true;
      if (seen.has(id)) return false;
      seen.set(id, atMs);
      return true;
    },
    size: () => seen.size,
  };
}

export type DuplicateFilter = ReturnType<typeof createDuplicateFilter>;
