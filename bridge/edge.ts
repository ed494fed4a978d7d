import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsumerMessages } from 'nats';
import { PROTOCOL_VERSION, type CallFrame, type ServerFrame } from '../utils/connectors/json-protocol';
import { createCallState, type CallState } from './call-state';
import type { BridgeConfig } from './config';
import { routeRefusal, type ControlRequest, type DialRequest } from './control-policy';
import { withId, type StoredFrame } from './frames';
import type { Log } from './ingest';
import { jsRetry, readKey, type NatsHandles } from './nats';
import type { AuthOutcome, ControlFrame, ControlResultFrame, DialFrame, DialResultFrame, Principal, StreamBackend } from './protocol/stream-backend';
import { createStreamServer } from './protocol/stream-server';
import { resumePlan } from './resume-plan';
import { copyFilter, startConsumer } from './start-consumer';
import { controlSubject, dialSubject, EVENT_SUBJECTS, subjectToken } from './subjects';
import { tokenVerifier } from './tokens';
import { refuseUpgrade, trackSockets } from './protocol/open-sockets';

const CONTROL_TIMEOUT_MS = 2800;
/** How often an edge checks that it still follows the stream (a stalled consumer is replaced). */
const STALL_CHECK_MS = 2000;

/**
 * A stateless edge: serves the event stream (README "Event stream protocol") to browsers. It
 * reads the whole event stream from JetStream once (one ordered consumer), folds it into the
 * active calls (starting from the snapshot the ingest saved in KV), keeps recent events in
 * memory for resuming clients, and fans each event out to the connections of its endpoint. Event
 * ids are JetStream sequences, so a client resumes on any edge. Tokens are checked here; control
 * frames are checked here and applied by the ingest.
 */
export async function startEdge(o: { config: BridgeConfig; baseDir: string; nats: NatsHandles; log: Log; port?: number }) {
  const { config, nats, log } = o;
  const verify = tokenVerifier(readKey(config.tokens.publicKeyFile, o.baseDir));
  const serverId = config.edge.serverId ?? `edge-${Math.random().toString(36).slice(2, 8)}`;
  const resumeToken = `${config.stream.name}.${nats.streamEpoch}`;
  const pbxOf = new Map(config.pbxs.map((p) => [subjectToken(p.id), p.id]));
  const states = new Map<string, CallState>(config.pbxs.map((p) => [p.id, createCallState()]));
  const floors = new Map<string, number>();
  const revoked = new Set<string>();
  const stats = { events: 0, copiesDropped: 0, consumerRestarts: 0, controlRefused: 0, controls: 0, authRefused: 0, dials: 0, dialRefused: 0 };

  // Recent events for resume: a ring of (seq, pbx, frame).
  const ring: { seq: number; pbx: string; frame: CallFrame }[] = [];
  let ringFrom = 1;
  let lastSeq = 0;

  for (const p of config.pbxs) {
    const entry = await jsRetry(() => nats.calls.get(subjectToken(p.id)));
    if (entry?.operation !== 'PUT') continue;
    const saved = JSON.parse(entry.string()) as { seq: number; legs: Parameters<CallState['load']>[0] };
    states.get(p.id)!.load(saved.legs);
    floors.set(p.id, saved.seq);
  }
  const start = config.pbxs.every((p) => floors.has(p.id)) && floors.size ? Math.min(...floors.values()) + 1 : 1;
  ringFrom = start;
  lastSeq = start - 1;
  const jsm = await jsRetry(() => nats.nc.jetstreamManager());
  const streamInfo = await jsRetry(() => jsm.streams.info(config.stream.name));
  const caughtUpAt = streamInfo.state.last_seq;

  const backend: StreamBackend = {
    accepting: () => lastSeq >= caughtUpAt,
    async authenticate(token, users): Promise<AuthOutcome> {
      const check = verify(token, Date.now());
      if (!check.ok) return refused(check.code, check.message);
      const c = check.claims;
      if (revoked.has(c.jti) || (await nats.revoked.get(c.jti).catch(() => null))?.operation === 'PUT') return refused('token-revoked', 'this token was revoked by an administrator');
      if (!states.has(c.pbx)) return refused('token-unknown-pbx', `this bridge serves no PBX "${c.pbx}"`);
      const outside = users.filter((u) => !c.endpoints.includes(u));
      if (outside.length) return refused('forbidden', `this token does not cover ${outside.join(', ')} (it covers ${c.endpoints.join(', ')})`);
      return { ok: true, principal: { name: c.sub, users: users.length ? users : c.endpoints, expiresAt: c.exp, tokenId: c.jti, scope: c.pbx } };
    },
    opening(principal, resume) {
      const pbx = principal.scope!;
      const mine = (f: CallFrame, p: string) => p === pbx && f.users.some((u) => principal.users.includes(u));
      const plan = resumePlan({ resume, streamToken: resumeToken, keptFrom: ringFrom, lastSeq });
      const hello: ServerFrame = { type: 'hello', protocol: PROTOCOL_VERSION, serverId, resumeToken, resumed: plan.resumed, heartbeatMs: config.edge.heartbeatMs };
      if (plan.resumed) {
        if (plan.after !== undefined) principal.after = plan.after;
        return [hello, ...ring.filter((r) => r.seq > plan.from && mine(r.frame, r.pbx)).map((r) => r.frame)];
      }
      const calls = states.get(pbx)!.active(principal.users);
      return [hello, { type: 'snapshot', callIds: calls.map((c) => c.callId) }, ...calls.flatMap((c) => c.frames)];
    },
    async control(principal, frame) {
      const result = await control(principal, frame);
      stats.controls += 1;
      if (!result.ok) {
        stats.controlRefused += 1;
        log('control-refused', { user: principal.name, pbx: principal.scope, callId: frame.callId, route: frame.route, reason: result.reason });
      }
      return result;
    },
    async dial(principal, frame) {
      const result = await dial(principal, frame);
      stats.dials += 1;
      if (!result.ok) {
        stats.dialRefused += 1;
        log('dial-refused', { user: principal.name, pbx: principal.scope, endpoint: frame.endpoint, reason: result.reason });
      }
      return result;
    },
    authFailed: (transport, code) => {
      stats.authRefused += 1;
      log('auth-refused', { transport, code });
    },
    now: Date.now,
  };

  function refused(code: string, message: string): AuthOutcome {
    return { ok: false, code, message };
  }

  async function control(principal: Principal, frame: ControlFrame): Promise<ControlResultFrame> {
    const answer = (ok: boolean, reason?: string): ControlResultFrame => ({ type: 'control-result', ref: frame.ref, ok, ...(reason ? { reason } : {}) });
    const pbx = principal.scope!;
    const endpoint = principal.users.find((u) => states.get(pbx)!.has([u], frame.callId));
    if (!endpoint) return answer(false, `call "${frame.callId}" is not an active call of ${principal.users.join(', ')}`);
    const refusal = routeRefusal(config.control.allow, frame.route);
    if (refusal) return answer(false, refusal);
    const req: ControlRequest = { user: principal.name, endpoint, callId: frame.callId, set: frame.set, route: frame.route, break: frame.break };
    const r = await ask(controlSubject(pbx), pbx, req);
    return answer(r.ok, r.reason);
  }

  /** Click-to-dial: only a phone of the token's own (the protocol schema admits only dial strings); the ingest originates it over ARI. */
  async function dial(principal: Principal, frame: DialFrame): Promise<DialResultFrame> {
    const refuse = (reason: string): DialResultFrame => ({ type: 'dial-result', ref: frame.ref, ok: false, reason });
    const pbx = principal.scope!;
    const endpoint = principal.users.find((u) => u.toLowerCase() === frame.endpoint.toLowerCase());
    if (!endpoint) return refuse(`${frame.endpoint} is not one of this token's phones (${principal.users.join(', ')})`);
    const req: DialRequest = { user: principal.name, endpoint, number: frame.number };
    const r = await ask(dialSubject(pbx), pbx, req);
    return { type: 'dial-result', ref: frame.ref, ok: r.ok, ...(r.callId ? { callId: r.callId } : {}), ...(r.reason ? { reason: r.reason } : {}) };
  }

  /** A request to the ingest that holds `pbx`'s lease (NATS request/reply). */
  async function ask(subject: string, pbx: string, req: object): Promise<{ ok: boolean; reason?: string; callId?: string }> {
    try {
      const reply = await nats.nc.request(subject, JSON.stringify(req), { timeout: CONTROL_TIMEOUT_MS });
      return JSON.parse(reply.string()) as { ok: boolean; reason?: string; callId?: string };
    } catch (error) {
      return { ok: false, reason: /no responders/i.test(String((error as Error).message)) ? `no ingest is connected to PBX ${pbx}` : `the PBX did not answer: ${(error as Error).message}` };
    }
  }

  const stream = createStreamServer(backend, { heartbeatMs: config.edge.heartbeatMs });

  // Revocations: known ones now, new ones as they come; a revoked token's open connections close.
  const watch = await jsRetry(() => nats.revoked.watch());
  void (async () => {
    for await (const e of watch) {
      if (e.operation !== 'PUT') continue;
      revoked.add(e.key);
      const n = stream.kick((c) => c.principal.tokenId === e.key, 'token-revoked', 'this token was revoked by an administrator');
      if (n) log('revoked', { tokenId: e.key, closed: n });
    }
  })();

  let messages: ConsumerMessages | undefined;
  let following = true;
  /**
   * Reads the stream from `lastSeq + 1` with an ordered consumer, started within a bound
   * (start-consumer.ts). Seen under a NATS node kill (nats.js 2.29, stream leader moving): an
   * ordered consumer that stays open but delivers nothing more. So a watchdog (below) starts a
   * fresh consumer from where this edge stopped when the stream moved on and this edge did not;
   * sequences at or below `lastSeq` are skipped, so nothing is sent twice.
   */
  async function follow(): Promise<void> {
    const m = await startConsumer({ nats, stream: config.stream.name, filter: EVENT_SUBJECTS, from: () => lastSeq + 1, wanted: () => following, onRetry: (from, reason) => log('edge-consumer-retry', { serverId, from, reason }) });
    if (!m) return;
    messages = m;
    void read(m);
  }

  async function read(m: ConsumerMessages) {
    for await (const msg of m) {
      if (m !== messages || msg.seq <= lastSeq) continue;
      lastSeq = msg.seq;
      if (!isFirstCopy(msg)) {
        stats.copiesDropped += 1;
        continue;
      }
      const pbx = pbxOf.get(msg.subject.split('.')[2] ?? '');
      if (!pbx || msg.seq <= (floors.get(pbx) ?? 0)) continue;
      let frame: CallFrame;
      try {
        frame = withId(JSON.parse(msg.string()) as StoredFrame, msg.seq);
      } catch {
        continue;
      }
      stats.events += 1;
      states.get(pbx)!.apply(frame);
      ring.push({ seq: msg.seq, pbx, frame });
      if (ring.length > config.edge.replayEvents) ringFrom = ring.shift()!.seq + 1;
      stream.publish(frame, pbx);
    }
  }

  // Copies JetStream stored under an id it already had are dropped (duplicate-filter.ts); this edge reads from `start`.
  const isFirstCopy = await copyFilter({ nats, stream: config.stream.name, before: start, windowMs: config.stream.duplicateWindowSec * 1000, onIncomplete: () => log('edge-recent-ids-incomplete', { serverId, before: start }) });
  await follow();
  let watched = lastSeq;
  let restarting = false;
  const watchdog = setInterval(() => {
    if (restarting) return;
    const seen = watched;
    watched = lastSeq;
    if (lastSeq !== seen) return;
    void jsm.streams.info(config.stream.name).then(async (info) => {
      if (info.state.last_seq <= lastSeq || lastSeq !== seen || restarting || !following) return;
      restarting = true;
      stats.consumerRestarts += 1;
      log('edge-consumer-stalled', { serverId, lastSeq, streamLastSeq: info.state.last_seq });
      messages?.stop();
      messages = undefined;
      await follow();
      restarting = false;
    }, () => undefined);
  }, STALL_CHECK_MS);

  const wsPath = config.edge.path;
  const ssePath = `${wsPath.replace(/\/$/, '')}/events`;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://edge');
    if (url.pathname === ssePath && (req.method === 'GET' || req.method === 'OPTIONS')) return stream.sse(req, res, url);
    if (url.pathname === '/healthz') {
      const ok = backend.accepting();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'application/json' }).end(JSON.stringify({ ok, serverId, lastSeq, connections: stream.registry.stats().connections, ...stats }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
  });
  const sockets = trackSockets(server);
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://edge').pathname === wsPath) return stream.upgrade(req, socket, head);
    refuseUpgrade(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? config.edge.port, config.edge.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  log('edge-listening', { serverId, port, ws: wsPath, sse: ssePath });

  return {
    serverId,
    port,
    wsUrl: `ws://${config.edge.host}:${port}${wsPath}`,
    sseUrl: `http://${config.edge.host}:${port}${ssePath}`,
    stats: () => ({ ...stats, lastSeq, connections: stream.registry.stats().connections }),
    ready: () => backend.accepting(),
    async close() {
      following = false;
      clearInterval(watchdog);
      messages?.stop();
      watch.stop();
      stream.close();
      sockets.destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Edge = Awaited<ReturnType<typeof startEdge>>;
