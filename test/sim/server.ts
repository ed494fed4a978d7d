import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createEventHub } from './event-hub';
import { handleControl } from './control-api';
import { peoplePage } from './people-page';
import type { SimPlugin } from './plugin';
import type { Scenario } from './scenario';
import { listScenarioNames, loadScenario, type Result } from './scenario-files';
import { createScenarioPlayer, type PlayResult } from './scenario-player';
import { openingFrames } from './stream-opening';
import type { ControlFrame, StreamBackend } from '../../bridge/protocol/stream-backend';
import { createStreamServer } from '../../bridge/protocol/stream-server';
import type { CallFrame } from '../../utils/connectors/json-protocol';
import { createDialHandler, DIAL_TIMING, type DialTiming } from './dial-handler';
import { SIM_USERS } from './sim-users';
import { refuseUpgrade, trackSockets } from '../../bridge/protocol/open-sockets';

export interface SimulatorOptions {
  /** 0 (default) picks a free port; read the real one from `port`. */
  port?: number;
  /** Token clients must present (default `sim-token`). */
  token?: string;
  heartbeatMs?: number;
  /** How many recent call frames are kept for resuming clients (default 1000). */
  bufferSize?: number;
  /** Default time scale for scenarios (default 1 = real time; tests use 100). */
  speed?: number;
  /** Default for attaching a CDR to `ended` frames (default false). */
  withCdr?: boolean;
  serverId?: string;
  /** Second PBX face mounted on this server (the ARI emulation). */
  plugin?: SimPlugin;
  /** How calls placed by `dial` frames play out (real time, not scaled by `speed`). */
  dialTiming?: DialTiming;
  now?: () => number;
}

export interface DialRecord {
  at: number;
  ref: string;
  endpoint: string;
  number: string;
  ok: boolean;
  callId?: string;
  reason?: string;
}

export interface ControlRecord {
  at: number;
  ref: string;
  callId: string;
  set: Record<string, string>;
  route: { type: string; name: string } | null;
  break: boolean;
  ok: boolean;
  reason?: string;
}

export interface SimState {
  serverId: string;
  accepting: boolean;
  connections: number;
  ws: number;
  sse: number;
  framesSent: number;
  lastEventId: string;
  delayMs: number;
  heartbeatMs: number;
  connectCount: number;
  /** Epoch ms of the most recent connects, newest last (at most 50). */
  lastConnectTimes: number[];
  /** The most recent connections' client identities (WebSocket), newest last (at most 50). */
  lastClients: { at: number; instance: string; version: string }[];
  authFailures: number;
  activeCalls: { callId: string; users: string[] }[];
  controlMessages: ControlRecord[];
  /** Every `dial` frame received, oldest first. */
  dialMessages: DialRecord[];
}

export interface Simulator {
  port: number;
  url: string;
  wsUrl: string;
  sseUrl: string;
  token: string;
  serverId: string;
  /** Plays a scenario file by name, or an inline scenario. */
  play(scenario: string | Scenario, opts?: { speed?: number; withCdr?: boolean }): Result<PlayResult>;
  /** Destroys every stream socket (and the plugin's) without a close handshake. */
  kill(): number;
  /** Refuses new stream connections (the plugin's too) until start(); open ones stay. */
  stop(): void;
  start(): void;
  setDelay(ms: number): void;
  /** Sends text frames as-is to every connected client (optionally one transport). */
  inject(frames: string[], transport?: 'ws' | 'sse'): number;
  setHeartbeat(ms: number): void;
  /** Calls `listener` with every published call frame right after it was written to the clients (latency benches). */
  onFrame(listener: (frame: CallFrame) => void): void;
  /** Marks one of the PBX's phones as unregistered (true) or back (false): `dial` to it is refused. */
  setOffline(endpoint: string, off: boolean): void;
  state(): SimState;
  close(): Promise<void>;
}

/** Starts the PBX simulator on 127.0.0.1: `/stream` (WebSocket), `/events` (SSE), `/control/*`, `/`. */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? Date.now;
  const token = opts.token ?? 'sim-token';
  const serverId = opts.serverId ?? `sim-${randomUUID().slice(0, 8)}`;
  const hub = createEventHub({ size: opts.bufferSize ?? 1000, now });
  const player = createScenarioPlayer({ publish: (f) => hub.publish(f), now, plugin: opts.plugin });
  let accepting = true;
  let connectCount = 0;
  let authFailures = 0;
  const lastConnectTimes: number[] = [];
  const lastClients: SimState['lastClients'] = [];
  const controlMessages: ControlRecord[] = [];
  const dialMessages: DialRecord[] = [];
  const offline = new Set<string>();
  const placeDial = createDialHandler({
    play: (s) => sim!.play(s, { speed: 1 }),
    phones: () => SIM_USERS.map((u) => u.endpoint),
    offline: () => [...offline],
    timing: () => opts.dialTiming ?? DIAL_TIMING,
  });

  const control = (_: unknown, f: ControlFrame) => {
    const call = player.find(f.callId);
    const reason = !call ? `unknown call "${f.callId}"` : !call.isActive() ? `call "${f.callId}" has ended` : undefined;
    if (call && reason === undefined) call.applyVariables(f.set);
    controlMessages.push({ at: now(), ref: f.ref, callId: f.callId, set: f.set, route: f.route, break: f.break, ok: reason === undefined, ...(reason ? { reason } : {}) });
    return { type: 'control-result' as const, ref: f.ref, ok: reason === undefined, ...(reason ? { reason } : {}) };
  };
  const backend: StreamBackend = {
    accepting: () => accepting,
    // One shared token for every user: a test server, not a bridge (the bridge signs one per user).
    authenticate: (given, users) => (token !== '' && given === token ? { ok: true, principal: { name: 'sim', users } } : { ok: false, code: 'auth', message: 'token rejected' }),
    opening: (principal, resume) => openingFrames({ serverId, hub, player, heartbeatMs: () => registry.announcedHeartbeatMs() }, principal.users, resume),
    connected(client) {
      connectCount += 1;
      lastConnectTimes.push(client.connectedAt);
      if (lastConnectTimes.length > 50) lastConnectTimes.shift();
      if (client.client) lastClients.push({ at: client.connectedAt, instance: client.client.instance, version: client.client.version });
      if (lastClients.length > 50) lastClients.shift();
    },
    authFailed: () => void (authFailures += 1),
    control,
    dial(principal, frame) {
      const result = placeDial(frame, principal.users);
      dialMessages.push({ at: now(), ref: frame.ref, endpoint: frame.endpoint, number: frame.number, ok: result.ok, ...(result.callId ? { callId: result.callId } : {}), ...(result.reason ? { reason: result.reason } : {}) });
      return result;
    },
    now,
  };
  const stream = createStreamServer(backend, { heartbeatMs: opts.heartbeatMs ?? 15_000, allowQueryToken: true });
  const registry = stream.registry;
  hub.onPublish((f) => stream.publish(f));
  let sim: Simulator | undefined;

  const server: Server = createServer((req, res) => {
    if (opts.plugin?.handleRequest(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/events' && (req.method === 'GET' || req.method === 'OPTIONS')) return stream.sse(req, res, url);
    if (url.pathname === '/' && req.method === 'GET' && sim) {
      const scenarios = listScenarioNames().map((name) => {
        const s = loadScenario(name);
        return { name, description: s.ok ? s.value.description : s.error };
      });
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(peoplePage(scenarios, { ws: sim.wsUrl, sse: sim.sseUrl, token }));
      return;
    }
    if (url.pathname.startsWith('/control/') && sim) {
      void handleControl(sim, req, res, url.pathname);
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  const sockets = trackSockets(server);
  server.on('upgrade', (req, socket, head) => {
    if (opts.plugin?.handleUpgrade(req, socket, head)) return;
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/stream') return stream.upgrade(req, socket, head);
    refuseUpgrade(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  sim = {
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/stream`,
    sseUrl: `http://127.0.0.1:${port}/events`,
    token,
    serverId,
    play(s, o = {}) {
      const loaded = typeof s === 'string' ? loadScenario(s) : { ok: true as const, value: s };
      if (!loaded.ok) return loaded;
      const speed = o.speed ?? opts.speed ?? 1;
      if (!(speed > 0)) return { ok: false, error: `speed must be a number above 0, got ${speed}` };
      return { ok: true, value: player.play(loaded.value, { speed, withCdr: o.withCdr ?? opts.withCdr ?? false }) };
    },
    kill() {
      opts.plugin?.kill();
      return registry.killAll();
    },
    stop() {
      accepting = false;
      opts.plugin?.accept?.(false);
    },
    start() {
      accepting = true;
      opts.plugin?.accept?.(true);
    },
    setDelay: (ms) => registry.setDelay(ms),
    inject: (frames, transport) => registry.inject(frames, transport),
    setHeartbeat: (ms) => registry.setHeartbeat(ms),
    onFrame: (listener) => hub.onPublish(listener),
    setOffline: (endpoint, off) => void (off ? offline.add(endpoint) : offline.delete(endpoint)),
    state() {
      const s = registry.stats();
      return {
        serverId,
        accepting,
        ...s,
        lastEventId: hub.lastEventId(),
        connectCount,
        lastConnectTimes: [...lastConnectTimes],
        lastClients: [...lastClients],
        authFailures,
        activeCalls: player.activeCalls().map((c) => ({ callId: c.callId, users: c.activeUsers() })),
        controlMessages: [...controlMessages],
        dialMessages: dialMessages.map((d) => ({ ...d })),
      };
    },
    async close() {
      player.stop();
      stream.close();
      await opts.plugin?.close?.();
      sockets.destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return sim;
}
