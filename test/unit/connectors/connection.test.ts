import { describe, expect, it } from 'vitest';
import { createConnection } from '@/utils/connectors/connection';
import type { LinkSink } from '@/utils/connectors/link';
import type { ConnectionHealth } from '@/utils/view-state';

/** A manual clock and timer queue, so reconnect and watchdog timing is exact. */
function harness() {
  let now = 0;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const sinks: LinkSink[] = [];
  const sent: string[] = [];
  const closed: number[] = [];
  const health: ConnectionHealth[] = [];
  const conn = createConnection({
    open: (sink) => {
      const n = sinks.push(sink) - 1;
      return { send: (t) => (sent.push(t), true), close: () => void closed.push(n) };
    },
    now: () => now,
    random: () => 0.5,
    setTimer: (fn, ms) => (timers.set(++seq, { at: now + ms, fn }), seq),
    clearTimer: (h) => void timers.delete(h as number),
    silenceMs: 45_000,
    pingMs: 20_000,
    ping: () => 'ping',
    onOpen: () => undefined,
    onFrame: () => undefined,
    onHealth: (h) => health.push(h),
    url: 'ws://pbx/stream',
  });
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
      if (!next || next[1].at > until) break;
      timers.delete(next[0]);
      now = next[1].at;
      next[1].fn();
    }
    now = until;
  };
  return { conn, sinks, sent, closed, health, advance };
}

describe('connection', () => {
  it('reconnects with growing full-jitter delays and reports when it will retry', () => {
    const h = harness();
    h.conn.start();
    h.sinks[0]!.closed('refused');
    expect(h.health.at(-1)).toMatchObject({ state: 'reconnecting', lastError: 'refused', nextRetryAt: 250 });
    h.advance(250);
    expect(h.sinks).toHaveLength(2);
    h.sinks[1]!.closed('refused');
    expect(h.health.at(-1)?.nextRetryAt).toBe(250 + 500);
    h.advance(500);
    h.sinks[2]!.opened();
    expect(h.health.at(-1)?.state).toBe('connected');
  });

  it('pings every interval and drops a silent (half-open) link', () => {
    const h = harness();
    h.conn.start();
    h.sinks[0]!.opened();
    h.advance(20_000);
    expect(h.sent).toEqual(['ping']);
    h.advance(40_000);
    expect(h.closed).toEqual([0]);
    expect(h.health.at(-1)?.lastError).toMatch(/no data from the server for \d+ s/);
  });

  it('keeps a link that receives frames, and reconnects at once when poked while down', () => {
    const h = harness();
    h.conn.start();
    h.sinks[0]!.opened();
    for (let i = 0; i < 10; i++) {
      h.advance(15_000);
      h.sinks[0]!.frame('{"type":"heartbeat","at":1}');
    }
    expect(h.closed).toEqual([]);
    h.sinks[0]!.closed('server restart');
    h.conn.poke();
    expect(h.sinks).toHaveLength(2);
  });

  it('ignores a late report from a link it already replaced', () => {
    const h = harness();
    h.conn.start();
    h.sinks[0]!.closed('x');
    h.advance(1000);
    h.sinks[1]!.opened();
    h.sinks[0]!.closed('late');
    expect(h.health.at(-1)?.state).toBe('connected');
  });
});
