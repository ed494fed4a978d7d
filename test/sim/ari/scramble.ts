import { parseAriTimestamp } from '../../../utils/connectors/ari-timestamp';

type Frame = Record<string, unknown>;
const idOf = (c: unknown) => (c as { id?: unknown } | undefined)?.id;

/**
 * Whose event sequence a frame belongs to. Asterisk orders the events of one channel (its topic),
 * not across channels: a `Dial` is published on the dialling channel, so the rung phone's own
 * Ringing may overtake it (seen on a real PBX). Bridge-only and device events have their own order.
 */
export function ariOrderKey(frame: Frame): string {
  if (frame.type === 'Dial') return `channel:${String(idOf(frame.caller) ?? idOf(frame.peer))}`;
  if (frame.type === 'BridgeAttendedTransfer') return `channel:${String(idOf(frame.transferer_first_leg))}`;
  if (frame.channel) return `channel:${String(idOf(frame.channel))}`;
  if (frame.bridge) return `bridge:${String(idOf(frame.bridge))}`;
  const device = (frame.device_state as { name?: unknown } | undefined)?.name;
  if (device) return `device:${String(device)}`;
  const endpoint = frame.endpoint as { technology?: unknown; resource?: unknown } | undefined;
  if (endpoint) return `endpoint:${String(endpoint.technology)}/${String(endpoint.resource)}`;
  return `type:${String(frame.type)}`;
}

/**
 * A merge of the per-channel event sequences as Asterisk may deliver it: the order within one
 * sequence is kept, events of different sequences are interleaved at random within `windowMs` of
 * Asterisk time (each event is delayed by up to `windowMs`, then the sequences are merged by
 * their heads). `random` returns [0, 1) (pass a seeded one to reproduce an order).
 */
export function scrambleAri<T>(items: T[], frameOf: (item: T) => Frame, o: { windowMs: number; random: () => number }): T[] {
  const queues = new Map<string, { item: T; key: number }[]>();
  items.forEach((item, i) => {
    const f = frameOf(item);
    const t = parseAriTimestamp(typeof f.timestamp === 'string' ? f.timestamp : undefined) ?? i;
    const q = queues.get(ariOrderKey(f)) ?? [];
    q.push({ item, key: t + o.random() * o.windowMs });
    queues.set(ariOrderKey(f), q);
  });
  const heads = [...queues.values()];
  const out: T[] = [];
  const at = heads.map(() => 0);
  for (;;) {
    let best = -1;
    for (let q = 0; q < heads.length; q++) {
      const head = heads[q]?.[at[q] ?? 0];
      if (head && (best < 0 || head.key < (heads[best]?.[at[best] ?? 0]?.key ?? Infinity))) best = q;
    }
    if (best < 0) return out;
    out.push(heads[best]![at[best]!]!.item);
    at[best]!++;
  }
}

/** A small seeded generator (mulberry32), so a failing order can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
