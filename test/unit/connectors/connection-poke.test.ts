import { describe, expect, it } from 'vitest';
import { createConnection } from '@/utils/connectors/connection';
import type { LinkSink } from '@/utils/connectors/link';

/** Wake-ups (alarm, screen unlocked, network back) come in bursts when a laptop wakes up. */
function harness() {
  let now = 1_000_000;
  const sinks: LinkSink[] = [];
  const closed: number[] = [];
  const conn = createConnection({
    open: (sink) => {
      const n = sinks.push(sink) - 1;
      return { send: () => true, close: () => void closed.push(n) };
    },
    now: () => now,
    random: () => 0.5,
    setTimer: () => 0,
    clearTimer: () => undefined,
    silenceMs: 45_000,
    pingMs: 20_000,
    ping: () => 'ping',
    onOpen: () => undefined,
    onFrame: () => undefined,
    onHealth: () => undefined,
    url: 'ws://pbx/stream',
  });
  return { conn, sinks, closed, later: (ms: number) => void (now += ms) };
}

describe('connection wake-ups', () => {
  it('the poke of the alarm that started the worker leaves its first link alone while it opens', () => {
    const h = harness();
    h.conn.start();
    h.conn.poke();
    expect(h.closed).toEqual([]);
  });

  it('after a long sleep: the dead link is dropped, and the next wake-ups leave the new one alone while it opens', () => {
    const h = harness();
    h.conn.start();
    h.sinks[0]!.opened();
    h.later(3_600_000); // asleep for an hour: the socket died without a word
    h.conn.poke(); // screen unlocked: the silence is noticed
    expect(h.closed).toEqual([0]);
    h.conn.poke(); // network back: connects now rather than after the backoff
    expect(h.sinks).toHaveLength(2);
    h.later(200);
    h.conn.poke(); // the watchdog alarm, a moment later
    expect(h.closed).toEqual([0]);
  });

  it('an attempt that hangs past the silence limit is dropped by the next poke', () => {
    const h = harness();
    h.conn.start();
    h.later(46_000);
    h.conn.poke();
    expect(h.closed).toEqual([0]);
  });
});
