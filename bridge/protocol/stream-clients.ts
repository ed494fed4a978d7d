import type { CallFrame, ServerFrame } from '../../utils/connectors/json-protocol';
import type { Principal } from './stream-backend';

/** One connected stream client, WebSocket or SSE, as the registry drives it. */
export interface StreamClient {
  transport: 'ws' | 'sse';
  principal: Principal;
  connectedAt: number;
  /** What the client said it is (WebSocket auth frame), if it did. */
  client?: { name: string; version: string; instance: string };
  /** Writes one frame now (the registry applies delays); `json` is the frame already serialised. */
  write(frame: ServerFrame, json?: string): void;
  /** Writes text exactly as given (chaos tests: broken, oversize, duplicate frames). */
  writeRaw(text: string): void;
  /** Sends `error` and closes the connection (expired or revoked token). */
  refuse(code: string, message: string): void;
  /** Drops the connection without a close handshake. */
  destroy(): void;
}

export interface ClientRegistry {
  add(client: StreamClient): void;
  remove(client: StreamClient): void;
  /** Sends to one client after the configured delay. */
  send(client: StreamClient, frame: ServerFrame): void;
  /** Sends a published call frame to every client (of that scope) subscribed to one of its users (serialised once). */
  broadcast(frame: CallFrame, scope?: string): void;
  clients(): Iterable<StreamClient>;
  inject(frames: string[], transport?: 'ws' | 'sse'): number;
  killAll(): number;
  setDelay(ms: number): void;
  /** 0 = silent: clients still hear `heartbeatMs` in hello but never get a heartbeat. */
  setHeartbeat(ms: number): void;
  /** The interval announced in hello. */
  announcedHeartbeatMs(): number;
  stats(): { connections: number; ws: number; sse: number; framesSent: number; delayMs: number; heartbeatMs: number };
  close(): void;
}

/** True when a client subscribed to these users should get a frame for `frameUsers`. */
export function wantsUsers(users: string[], frameUsers: string[]): boolean {
  return users.length === 0 || frameUsers.some((u) => users.includes(u));
}

/**
 * The connected clients, indexed by endpoint so a frame costs the clients it concerns, not all
 * of them (a bridge edge holds thousands), plus the heartbeat and the simulator's chaos knobs.
 */
export function createClientRegistry(opts: { heartbeatMs: number; now: () => number }): ClientRegistry {
  const clients = new Set<StreamClient>();
  const byUser = new Map<string, Set<StreamClient>>();
  const everyone = new Set<StreamClient>();
  const timers = new Set<NodeJS.Timeout>();
  let delayMs = 0;
  let heartbeatMs = opts.heartbeatMs;
  let announced = opts.heartbeatMs > 0 ? opts.heartbeatMs : 15_000;
  let framesSent = 0;
  let beat: NodeJS.Timeout | undefined;

  const later = (fn: () => void) => {
    if (delayMs <= 0) return fn();
    const t = setTimeout(() => { timers.delete(t); fn(); }, delayMs);
    timers.add(t);
  };
  const send = (client: StreamClient, frame: ServerFrame, json?: string) =>
    later(() => {
      if (!clients.has(client)) return;
      client.write(frame, json);
      framesSent += 1;
    });
  const restartBeat = () => {
    if (beat) clearInterval(beat);
    beat = heartbeatMs > 0 ? setInterval(() => { for (const c of clients) send(c, { type: 'heartbeat', at: opts.now() }); }, heartbeatMs) : undefined;
  };
  restartBeat();
  const key = (scope: string | undefined, user: string) => `${scope ?? ''}\n${user}`;
  const remove = (c: StreamClient) => {
    clients.delete(c);
    everyone.delete(c);
    for (const u of c.principal.users) {
      const k = key(c.principal.scope, u);
      const set = byUser.get(k);
      set?.delete(c);
      if (set?.size === 0) byUser.delete(k);
    }
  };

  return {
    add(c) {
      clients.add(c);
      if (c.principal.users.length === 0) everyone.add(c);
      for (const u of c.principal.users) {
        const k = key(c.principal.scope, u);
        let set = byUser.get(k);
        if (!set) byUser.set(k, (set = new Set()));
        set.add(c);
      }
    },
    remove,
    send,
    broadcast(frame, scope) {
      const json = JSON.stringify(frame);
      const targets = new Set([...everyone].filter((c) => c.principal.scope === scope));
      for (const u of frame.users) for (const c of byUser.get(key(scope, u)) ?? []) targets.add(c);
      for (const c of targets) if (c.principal.after === undefined || Number(frame.id) > c.principal.after) send(c, frame, json);
    },
    clients: () => clients,
    inject(frames, transport) {
      let n = 0;
      for (const c of clients) {
        if (transport && c.transport !== transport) continue;
        for (const text of frames) later(() => { if (clients.has(c)) c.writeRaw(text); });
        n += 1;
      }
      return n;
    },
    killAll() {
      const all = [...clients];
      for (const c of all) {
        c.destroy();
        remove(c);
      }
      return all.length;
    },
    setDelay: (ms) => void (delayMs = Math.max(0, ms)),
    setHeartbeat(ms) {
      heartbeatMs = Math.max(0, ms);
      if (heartbeatMs > 0) announced = Math.min(heartbeatMs, 60_000);
      restartBeat();
    },
    announcedHeartbeatMs: () => announced,
    stats() {
      const all = [...clients];
      return { connections: all.length, ws: all.filter((c) => c.transport === 'ws').length, sse: all.filter((c) => c.transport === 'sse').length, framesSent, delayMs, heartbeatMs };
    },
    close() {
      if (beat) clearInterval(beat);
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}
