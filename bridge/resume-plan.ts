/**
 * How an edge answers a client's `resume` (its `lastEventId` is the JetStream sequence of the last
 * event it got, its token names the stream):
 * - a point within what this edge keeps: resumed, replaying the kept events after it;
 * - a point this edge has not read up to yet (the client got further on another edge, and this one
 *   is behind, e.g. its consumer is being restarted after a node kill): resumed too, and the live
 *   events up to that point are not sent to this client (`after`), since it has them; without this
 *   a client moved from a faster edge got those events twice, under ids its new session had not seen;
 * - anything else (no point, another stream, older than what is kept): a snapshot.
 */
export type ResumePlan = { resumed: false } | { resumed: true; from: number; after?: number };

export function resumePlan(o: { resume?: { token?: string; lastEventId: string }; streamToken: string; keptFrom: number; lastSeq: number }): ResumePlan {
  const r = o.resume;
  if (!r || !/^\d{1,15}$/.test(r.lastEventId) || (r.token !== undefined && r.token !== o.streamToken)) return { resumed: false };
  const last = Number(r.lastEventId);
  if (last < o.keptFrom - 1) return { resumed: false };
  return last > o.lastSeq ? { resumed: true, from: last, after: last } : { resumed: true, from: last };
}
