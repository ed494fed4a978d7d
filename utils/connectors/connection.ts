import { fullJitter } from '../lookup/backoff';
import type { ConnectionHealth } from '../view-state';
import type { Link, OpenLink } from './link';

export interface ConnectionOptions {
  open: OpenLink;
  now: () => number;
  random: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** No frame for this long means the socket is half-open: drop it and reconnect. */
  silenceMs: number;
  /** Application ping interval on two-way links; keeps Chrome's worker alive (messages within 30 s). */
  pingMs: number;
  ping: () => string | undefined;
  onOpen: (link: Link) => void;
  onFrame: (raw: string, id?: string) => void;
  onHealth: (health: ConnectionHealth) => void;
  url: string;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_CAP_MS = 30_000;

/**
 * Keeps one link to the PBX open for as long as it is started: reconnects with full-jitter
 * exponential backoff, treats silence as a dead socket, pings on two-way links, and reports its
 * health in words for the UI. `poke()` is for outside wake-ups (alarm, network back, screen
 * unlocked): it reconnects at once when the link is down and checks the watchdog when it is up.
 */
export function createConnection(o: ConnectionOptions) {
  let link: Link | undefined;
  let attempt = 0;
  let lastFrameAt = 0;
  let retryTimer: unknown;
  let tickTimer: unknown;
  let running = false;
  let health: ConnectionHealth = { state: 'connecting', since: o.now(), url: o.url };

  const report = (next: Omit<ConnectionHealth, 'since' | 'url'>) => {
    const changed = next.state !== health.state;
    health = { ...next, since: changed ? o.now() : health.since, url: o.url };
    o.onHealth(health);
  };

  function connect() {
    o.clearTimer(retryTimer);
    retryTimer = undefined;
    if (!running) return;
    report({ state: attempt === 0 ? 'connecting' : 'reconnecting', lastError: health.lastError });
    // Silence counts from this attempt: a wake-up (poke) right after it must not take the link
    // that is still opening for a half-open one, and an attempt that hangs is caught like silence.
    lastFrameAt = o.now();
    const current: Link = o.open({
      opened() {
        if (link !== current) return;
        attempt = 0;
        lastFrameAt = o.now();
        report({ state: 'connected' });
        o.onOpen(current);
        schedule();
      },
      frame(raw, id) {
        if (link !== current) return;
        lastFrameAt = o.now();
        o.onFrame(raw, id);
      },
      closed(reason) {
        if (link !== current) return;
        link = undefined;
        retry(reason);
      },
    });
    link = current;
  }

  function retry(reason: string) {
    o.clearTimer(tickTimer);
    if (!running) return;
    const delay = fullJitter(attempt++, BACKOFF_BASE_MS, BACKOFF_CAP_MS, o.random);
    report({ state: 'reconnecting', lastError: reason, nextRetryAt: o.now() + delay });
    retryTimer = o.setTimer(connect, delay);
  }

  /** Every ping interval: send a ping and check for silence. */
  function schedule() {
    o.clearTimer(tickTimer);
    tickTimer = o.setTimer(() => {
      if (!running || !link) return;
      if (!checkSilence()) return;
      const ping = o.ping();
      if (ping) link.send(ping);
      schedule();
    }, o.pingMs);
  }

  function checkSilence(): boolean {
    if (!link || o.now() - lastFrameAt <= o.silenceMs) return true;
    const dead = link;
    link = undefined;
    dead.close();
    retry(`no data from the server for ${Math.round((o.now() - lastFrameAt) / 1000)} s (connection is half-open)`);
    return false;
  }

  return {
    start() {
      if (running) return;
      running = true;
      attempt = 0;
      connect();
    },
    stop() {
      running = false;
      o.clearTimer(retryTimer);
      o.clearTimer(tickTimer);
      const l = link;
      link = undefined;
      l?.close();
    },
    poke() {
      if (!running) return;
      if (link) checkSilence();
      else connect();
    },
    /** Drop the current link and connect again now (settings changed). */
    restart() {
      this.stop();
      this.start();
    },
    send(text: string): boolean {
      return link?.send(text) ?? false;
    },
    health: () => health,
  };
}

export type Connection = ReturnType<typeof createConnection>;
