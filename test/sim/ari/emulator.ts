import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { SimPlugin } from '../plugin';
import type { Scenario, ScenarioStep } from '../scenario';
import { authenticate, DEFAULT_ARI_CREDENTIALS, type AriCredential } from './ari-auth';
import { createFrameBuilder, formatAriTimestamp, type AriFrame, type SimChannel } from './frame-builders';
import { createPbxModel, type PbxModel, type SimCall } from './pbx-model';
import { scrambleAri } from './scramble';
import { withApp } from './timeline';
import { DIAL_TIMING, originateScenario, type DialTiming } from '../dial-handler';

export interface AriEmulatorOptions {
  /** The PBX's phones (names shown as caller ID). */
  users?: { endpoint: string; name: string; number: string }[];
  credentials?: AriCredential[];
  /**
   * Scenario calls whose dialplan runs `Stasis(app, direction, did-or-exten)` right after `offer`.
   * The call waits there until `POST /ari/channels/{id}/continue`, or falls through by itself after
   * `deadlineMs` (real time, default 3000). Without a client of that app the call goes on at once.
   */
  stasis?: { app: string | ((callId: string) => string); calls: string[] | 'all'; deadlineMs?: number };
  /**
   * ari.conf `allowed_origins` (default none): an authenticated request from one of these origins
   * (or any, with `*`) gets `Access-Control-Allow-Origin`. As in Asterisk, a CORS preflight carries
   * no credentials and is answered 401, so only requests that need no preflight work cross-origin.
   */
  allowedOrigins?: string[];
  /** How an originated call (`POST /ari/channels`) plays out, in real ms. */
  dialTiming?: DialTiming;
  /**
   * Asterisk orders one channel's events, not events across channels (shared/ari/README.md): the
   * frames published within this many ms are delivered as a random merge of their per-channel
   * sequences, each channel's own order kept. Default 30; 0 delivers in publishing order.
   */
  scrambleMs?: number;
  /**
   * Re-stamp each frame's `timestamp` as it leaves (benchmarks): latency then counts from the
   * frame leaving the emulation, not from the PBX model making it before the scramble window.
   */
  stampOnSend?: boolean;
  now?: () => number;
}

/** One control request the emulator received (what a test asserts on). */
export interface AriControlRecord {
  at: number;
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  user?: string;
}

interface Client {
  ws: WebSocket;
  /** The ARI user the socket authenticated as. */
  user: string;
  /** The first of `apps` (what REST-over-WebSocket answers name). */
  app: string;
  /**
   * `app=a,b,c` registers several applications on one socket. As in Asterisk (res/ari
   * resource_events.c: one handler per application, each writing to the socket), every
   * application gets its own copy of an event it is subscribed to, named in `application`.
   */
  apps: string[];
  /** Apps another connection took over (`ApplicationReplaced`): Asterisk stops only those. */
  lost: Set<string>;
}

/** ARI event sources an application can subscribe to whole (`channel:`, `bridge:` …). */
type EventSource = 'channel' | 'bridge' | 'endpoint' | 'deviceState';
const EVENT_SOURCES: EventSource[] = ['channel', 'bridge', 'endpoint', 'deviceState'];

/** The event sources a frame belongs to (a channel entering a bridge is both). */
function sourcesOf(frame: AriFrame): EventSource[] {
  const out: EventSource[] = [];
  if (frame.channel || frame.caller || frame.peer || frame.transferer_first_leg) out.push('channel');
  if (frame.bridge) out.push('bridge');
  if (frame.endpoint) out.push('endpoint');
  if (frame.device_state) out.push('deviceState');
  return out;
}

/** The apps this socket still holds; a socket that lost them all hears nothing more. */
const liveApps = (c: Client) => c.apps.filter((a) => !c.lost.has(a));
const silenced = (c: Client) => liveApps(c).length === 0;

interface Parked {
  call: SimCall;
  channel: SimChannel;
  app: string;
  resume: (target?: { context: string; extension: string }) => void;
}

/**
 * The simulator's Asterisk ARI face: `ws /ari/events`, `GET /ari/channels[/{id}]`, and call
 * control for channels in Stasis (`POST /ari/channels/{id}/variable`, `/continue`), originate
 * (`POST /ari/channels`) and `GET /ari/endpoints/{tech}/{resource}`. Frames come
 * from the PBX model in the exact shape of the recorded traces.
 */
export function createAriEmulator(o: AriEmulatorOptions = {}) {
  const now = o.now ?? Date.now;
  const credentials = o.credentials ?? DEFAULT_ARI_CREDENTIALS;
  const phoneNames = Object.fromEntries((o.users ?? []).map((u) => [u.number, u.name]));
  const wss = new WebSocketServer({ noServer: true });
  const clients = new Set<Client>();
  const timers = new Set<NodeJS.Timeout>();
  const parked = new Map<string, Parked>();
  const control: AriControlRecord[] = [];
  const f = createFrameBuilder({ app: '', asteriskId: '02:fc:00:00:00:01' });
  let pbx: PbxModel = createPbxModel({ phoneNames });
  let framesSent = 0;
  let connects = 0;
  let accepting = true;
  let originates = 0;
  /** Phones that are not registered now: an originate to them fails as on a real PBX. */
  const offline = new Set<string>();
  const known = (endpoint: string) => (o.users ?? []).some((u) => u.endpoint.toLowerCase() === endpoint.toLowerCase());

  function later(ms: number, fn: () => void) {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, Math.max(0, ms));
    timers.add(t);
  }

  /**
   * What each application is subscribed to whole: all sources with `subscribeAll=true`, or the
   * ones `POST /ari/applications/{app}/subscription?eventSource=channel:` named. It belongs to the
   * application, not the socket: it goes on when another socket registers the same name.
   */
  const subscriptions = new Map<string, Set<EventSource>>();

  const scrambleMs = o.scrambleMs ?? 30;
  let pending: AriFrame[] = [];

  function publish(frames: AriFrame[]) {
    if (scrambleMs <= 0) return deliver(frames);
    if (pending.length === 0) {
      later(scrambleMs, () => {
        const batch = pending;
        pending = [];
        deliver(scrambleAri(batch, (x) => x, { windowMs: scrambleMs, random: Math.random }));
      });
    }
    pending.push(...frames);
  }

  function deliver(frames: AriFrame[]) {
    for (const frame of frames) {
      if (o.stampOnSend) frame.timestamp = formatAriTimestamp(now());
      const stasisEvent = frame.type === 'StasisStart' || frame.type === 'StasisEnd';
      const channelId = (frame.channel as { id?: string } | undefined)?.id;
      // The app holding this channel in Stasis hears its events without subscribing.
      const holder = channelId ? parked.get(channelId)?.app : undefined;
      const sources = sourcesOf(frame);
      const wants = (app: string) => stasisEvent ? app === frame.application : app === holder || sources.some((x) => subscriptions.get(app)?.has(x));
      for (const c of clients) {
        if (c.ws.readyState !== c.ws.OPEN) continue;
        for (const app of c.apps) {
          if (c.lost.has(app) || !wants(app)) continue;
          c.ws.send(JSON.stringify(stasisEvent ? frame : withApp(frame, app)));
          framesSent++;
        }
      }
    }
  }

  const wantsStasis = (callId: string) => o.stasis !== undefined && (o.stasis.calls === 'all' || o.stasis.calls.includes(callId));
  const appConnected = (app: string) => [...clients].some((c) => liveApps(c).includes(app));
  const stasisApp = (callId: string) => (typeof o.stasis?.app === 'function' ? o.stasis.app(callId) : o.stasis?.app ?? '');

  /** Plays one call's steps on its own clock, which a Stasis wait pushes back. */
  function playCall(call: SimCall, steps: ScenarioStep[], start: number, speed: number) {
    let delay = 0;
    let i = 0;
    const next = () => {
      const step = steps[i];
      if (!step) return;
      const due = start + delay + step.at / speed;
      if (due > now()) return later(due - now(), next);
      i++;
      publish(pbx.step(call, step, now()));
      if (step.do === 'offer' && o.stasis && wantsStasis(call.spec.id) && appConnected(stasisApp(call.spec.id))) {
        const app = stasisApp(call.spec.id);
        const { deadlineMs = 3000 } = o.stasis;
        const entered = pbx.enterStasis(call, now(), app);
        if (entered) {
          const since = now();
          let done = false;
          const resume = (target?: { context: string; extension: string }) => {
            if (done) return;
            done = true;
            parked.delete(entered.channel.id);
            publish(pbx.leaveStasis(entered.channel, now(), app, target));
            delay += now() - since;
            next();
          };
          parked.set(entered.channel.id, { call, channel: entered.channel, app, resume });
          publish(entered.frames);
          later(deadlineMs, () => resume());
          return;
        }
      }
      next();
    };
    next();
  }

  /** Asterisk's process_cors_request: only after authentication, only for an allowed Origin. */
  function corsHeaders(req: IncomingMessage): Record<string, string> {
    const origin = req.headers.origin;
    const allowed = o.allowedOrigins ?? [];
    if (!origin || !(allowed.includes('*') || allowed.includes(origin))) return {};
    return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' };
  }

  function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
    if (body === undefined) res.writeHead(status, headers).end();
    else res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
  }

  function rest(req: IncomingMessage, res: ServerResponse, url: URL) {
    const user = authenticate(req, url, credentials);
    const query = Object.fromEntries(url.searchParams);
    delete query.api_key;
    const record = (status: number) => control.push({ at: now(), method: req.method ?? '', path: url.pathname, query, status, user: user?.username });
    if (!user) {
      if (req.method === 'POST') record(401);
      return send(res, 401, { message: 'Authentication required' }, { 'WWW-Authenticate': 'Basic realm="Asterisk REST Interface"' });
    }
    for (const [name, value] of Object.entries(corsHeaders(req))) res.setHeader(name, value);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent); // ari, channels, id, action
    if (parts[1] === 'endpoints' && req.method === 'GET' && parts.length === 4) {
      const endpoint = `${parts[2]}/${parts[3]}`;
      if (!known(endpoint)) return send(res, 404, { message: 'Endpoint not found' });
      return send(res, 200, { technology: parts[2], resource: parts[3], state: offline.has(endpoint) ? 'offline' : 'online', channel_ids: pbx.channelIdsOf(endpoint) });
    }
    if (parts[1] === 'applications' && parts[3] === 'subscription' && parts.length === 4) return subscribe(req, res, parts[2]!, url.searchParams.getAll('eventSource').flatMap((x) => x.split(',')), record, user.readOnly === true);
    if (parts[1] !== 'channels') return send(res, 404, { message: 'Resource not found' });
    if (req.method === 'POST' && parts.length === 2) return originate(res, query, record, user.readOnly === true);
    if (req.method === 'GET' && parts.length === 2) return send(res, 200, pbx.channels());
    const channel = parts[2] ? pbx.channel(parts[2]) : undefined;
    if (req.method === 'GET' && parts.length === 3) return channel ? send(res, 200, channel) : send(res, 404, { message: 'Channel not found' });
    if (req.method !== 'POST' || parts.length !== 4) return send(res, 405, { message: 'Method not allowed' });
    const fail = (status: number, message: string) => {
      record(status);
      send(res, status, { message });
    };
    if (user.readOnly) return fail(403, 'Write access denied');
    if (!channel) return fail(404, 'Channel not found');
    const stay = parked.get(channel.id);
    if (parts[3] === 'variable') {
      if (!query.variable) return fail(400, 'Variable name is required');
      record(204);
      publish(pbx.setVariable(channel, now(), query.variable, query.value ?? ''));
      return send(res, 204);
    }
    if (parts[3] === 'continue') {
      if (!stay) return fail(409, 'Channel not in Stasis application');
      record(204);
      send(res, 204);
      stay.resume(query.context && query.extension ? { context: query.context, extension: query.extension } : undefined);
      return;
    }
    return fail(404, 'Resource not found');
  }

  /**
   * `POST /ari/applications/{app}/subscription?eventSource=channel:,bridge:`: an event source
   * without a resource subscribes the application to all of it (Asterisk 13.6+, the REST twin of
   * `subscribeAll`). Subscribing to one resource (`channel:<id>`) is not emulated.
   */
  function subscribe(req: IncomingMessage, res: ServerResponse, app: string, eventSources: string[], record: (status: number) => void, readOnly: boolean) {
    const fail = (status: number, message: string) => {
      record(status);
      send(res, status, { message });
    };
    if (req.method !== 'POST') return fail(405, 'Method not allowed');
    if (readOnly) return fail(403, 'Write access denied');
    if (!eventSources.length) return fail(400, 'Missing parameter eventSource');
    if (!appConnected(app)) return fail(404, 'Application not found');
    const wanted: EventSource[] = [];
    for (const uri of eventSources) {
      const [scheme, resource] = [uri.slice(0, uri.indexOf(':')), uri.slice(uri.indexOf(':') + 1)];
      if (!uri.includes(':') || !EVENT_SOURCES.includes(scheme as EventSource)) return fail(400, 'Invalid event source URI scheme');
      if (resource) return fail(422, 'Event source was not found (the emulation subscribes to whole event sources only)');
      wanted.push(scheme as EventSource);
    }
    const have = subscriptions.get(app) ?? new Set<EventSource>();
    for (const x of wanted) have.add(x);
    subscriptions.set(app, have);
    record(200);
    send(res, 200, { name: app, channel_ids: [], bridge_ids: [], endpoint_ids: [], device_names: [], events_allowed: [], events_disallowed: [] });
  }

  /**
   * `POST /ari/channels` with `endpoint` + `extension`/`context`, as Asterisk 22 answers it: the
   * endpoint's channel is created at once (ringing the phone, `AppDial2`) and returned; when the
   * phone answers, the dialplan dials the extension. A phone Asterisk cannot reach (unknown
   * endpoint, not registered) fails channel allocation: 500 "Allocation failed".
   */
  function originate(res: ServerResponse, query: Record<string, string>, record: (status: number) => void, readOnly: boolean) {
    const fail = (status: number, message: string) => {
      record(status);
      send(res, status, { message });
    };
    if (readOnly) return fail(403, 'Write access denied');
    const endpoint = query.endpoint ?? '';
    if (!endpoint) return fail(400, 'Endpoint must be specified');
    if (!/^[^/]+\/[^/]+$/.test(endpoint)) return fail(400, 'Endpoint must be in the format technology/resource');
    if (!query.extension && !query.app) return fail(400, 'Application or extension must be specified');
    if (query.channelId && pbx.channel(query.channelId)) return fail(409, 'Channel with given unique ID already exists');
    if (!known(endpoint) || offline.has(endpoint)) return fail(500, 'Allocation failed');
    const spec = originateScenario({ id: String(++originates), endpoint, number: query.extension ?? '', context: query.context, channelId: query.channelId }, o.dialTiming ?? DIAL_TIMING).calls[0]!;
    const call = pbx.open(spec);
    playCall(call, [...spec.steps], now(), 1);
    record(200);
    send(res, 200, call.origin ? pbx.channel(call.origin.id) : {});
  }

  /**
   * ARI's REST over WebSocket (Asterisk 20.14/22.4+): a `RESTRequest` frame is answered on the same
   * socket with a `RESTResponse`. Only `GET asterisk/ping` and `GET channels` are emulated; clients
   * use the ping as keep-alive traffic.
   */
  function answerRest(client: Client, text: string) {
    let req: { type?: unknown; transaction_id?: unknown; request_id?: unknown; method?: unknown; uri?: unknown };
    try {
      req = JSON.parse(text) as typeof req;
    } catch {
      return;
    }
    if (req.type !== 'RESTRequest' || silenced(client)) return;
    const uri = String(req.uri ?? '').replace(/^\/+/, '').split('?')[0];
    const body = req.method !== 'GET' ? undefined
      : uri === 'asterisk/ping' ? { asterisk_id: '02:fc:00:00:00:01', ping: 'pong', timestamp: formatAriTimestamp(now()) }
      : uri === 'channels' ? pbx.channels() : undefined;
    client.ws.send(JSON.stringify({
      type: 'RESTResponse', transaction_id: String(req.transaction_id ?? ''), request_id: String(req.request_id ?? ''),
      status_code: body ? 200 : 404, reason_phrase: body ? 'OK' : 'Not Found', uri: String(req.uri ?? ''),
      content_type: 'application/json', message_body: JSON.stringify(body ?? { message: 'Resource not found' }),
      asterisk_id: '02:fc:00:00:00:01', application: client.app,
    }));
  }

  function refuse(socket: Duplex, status: number, text: string) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ message: text })}`);
  }

  const plugin: SimPlugin = {
    handleRequest(req, res) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!url.pathname.startsWith('/ari/')) return false;
      rest(req, res, url);
      return true;
    },
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== '/ari/events') return false;
      if (!accepting) {
        refuse(socket, 503, 'Service Unavailable');
        return true;
      }
      const user = authenticate(req, url, credentials);
      if (!user) {
        refuse(socket, 401, 'Unauthorized');
        return true;
      }
      const apps = (url.searchParams.get('app') ?? '').split(',');
      const app = apps[0]!;
      if (!apps.every((a) => /^[A-Za-z0-9_.-]+$/.test(a))) {
        refuse(socket, 400, 'Bad Request');
        return true;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        for (const c of clients) {
          // Asterisk tells the older connection, per application, and then sends it nothing more
          // for that application, without closing it; its other applications go on.
          for (const taken of liveApps(c).filter((a) => apps.includes(a))) {
            c.ws.send(JSON.stringify(f.applicationReplaced(now(), taken)));
            c.lost.add(taken);
          }
        }
        if (url.searchParams.get('subscribeAll') === 'true') for (const a of apps) subscriptions.set(a, new Set(EVENT_SOURCES));
        const client: Client = { ws, user: user.username, app, apps, lost: new Set() };
        clients.add(client);
        connects++;
        ws.on('message', (data) => answerRest(client, String(data)));
        ws.on('close', () => clients.delete(client));
        ws.on('error', () => clients.delete(client));
      });
      return true;
    },
    play(s: Scenario, speed: number) {
      const start = now();
      for (const spec of s.calls) {
        const steps = [...spec.steps].sort((a, b) => a.at - b.at);
        playCall(pbx.open(spec), steps, start, speed);
      }
    },
    kill() {
      for (const c of clients) c.ws.terminate();
      clients.clear();
    },
    accept(on) {
      accepting = on;
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      plugin.kill();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };

  return {
    ...plugin,
    /** Control requests received (variable/continue), oldest first. */
    controlLog: (): AriControlRecord[] => control.map((r) => ({ ...r, query: { ...r.query } })),
    /** Channels alive now (what GET /ari/channels answers). */
    channels: () => pbx.channels(),
    /** Marks a phone unregistered (true) or back (false). */
    setOffline: (endpoint: string, off: boolean) => void (off ? offline.add(endpoint) : offline.delete(endpoint)),
    /** Channels waiting in Stasis now. */
    parkedChannels: () => [...parked.keys()],
    /** `connects` counts every event socket accepted since the start (reconnects included). */
    state: () => ({ clients: [...clients].map((c) => ({ user: c.user, app: c.app, apps: liveApps(c), subscribeAll: liveApps(c).some((a) => subscriptions.get(a)?.has('channel')), replaced: silenced(c) })), framesSent, connects }),
    /** Forget every channel (a PBX restart): timers stop, ids start again. */
    reset() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      parked.clear();
      pbx = createPbxModel({ phoneNames });
    },
  };
}

export type AriEmulator = ReturnType<typeof createAriEmulator>;
