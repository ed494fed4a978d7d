import { headers as natsHeaders, type Subscription } from 'nats';
import WebSocket from 'ws';
import { ariAppFor } from '../utils/connectors/ari-connector';
import { createAriStasisControl } from '../utils/connectors/ari-stasis-control';
import { ariChannelsUrl, ariEventsUrl, redactAriUrl } from '../utils/connectors/ari-translate';
import { createConnection } from '../utils/connectors/connection';
import { openWebSocket, type WebSocketCtor } from '../utils/connectors/ws-link';
import type { ReplyActions } from '../utils/engine/cti-engine';
import type { RouteType } from '../utils/reply/reply-schema';
import { createCallState } from './call-state';
import { readSecret, type BridgeConfig, type PbxConfig } from './config';
import { routeRefusal, type ControlRequest } from './control-policy';
import { createEndpointTranslator, type EndpointEvent, type EndpointTranslator } from './endpoint-translator';
import { eventFrame, withId, type StoredFrame } from './frames';
import type { NatsHandles } from './nats';
import { controlSubject, eventSubject, subjectToken } from './subjects';

export type Log = (event: string, fields?: Record<string, unknown>) => void;

interface Lease {
  holder: string;
  until: number;
}

interface SavedIngest {
  seq: number;
  translator: unknown;
  counters: Record<string, Record<string, number>>;
}

const SAVE_EVERY_MS = 1000;

/**
 * The ingest for one PBX: one ARI connection (events + REST) while it holds the PBX's lease in
 * KV, every endpoint's events published to JetStream in order with a `Nats-Msg-Id` that names the
 * event (endpoint, call, kind, occurrence), and the snapshot state saved to KV. A standby takes
 * the lease over when it is not renewed, restores the translator state the last holder saved,
 * and reconciles with `GET /ari/channels`: what it re-emits that was already published has the
 * same msg id and is dropped by JetStream's de-duplication, so clients see it once.
 */
export function startIngest(o: { config: BridgeConfig; baseDir: string; pbx: PbxConfig; nats: NatsHandles; instance: string; log: Log; translator?: (pbx: PbxConfig) => EndpointTranslator }) {
  const { pbx, nats, log } = o;
  const leaseKey = `lease.${subjectToken(pbx.id)}`;
  const stateKey = `state.${subjectToken(pbx.id)}`;
  const ariKey = readSecret(pbx.ariKey, o.baseDir);
  const leaseMs = o.config.ingest.leaseMs;
  const apps = pbx.endpoints.map((e) => ariAppFor(pbx.app, e));
  const appSet = new Set(apps);
  // One socket registers every endpoint's application (`app=ctipop-100,ctipop-101,…`).
  const eventsUrl = ariEventsUrl(pbx.ariUrl, apps.join(','), ariKey);
  let leaseRev = 0;
  let active: ReturnType<typeof activate> | undefined;
  let stopped = false;
  const stats = { published: 0, duplicates: 0, publishRetries: 0, takeovers: 0, controls: 0, controlRefused: 0 };

  async function tick() {
    if (stopped) return;
    const now = Date.now();
    const value = JSON.stringify({ holder: o.instance, until: now + leaseMs } satisfies Lease);
    try {
      if (active) {
        leaseRev = await nats.ingest.update(leaseKey, value, leaseRev);
        return;
      }
      const entry = await nats.ingest.get(leaseKey);
      if (!entry || entry.operation !== 'PUT') leaseRev = await nats.ingest.create(leaseKey, value);
      else {
        const lease = JSON.parse(entry.string()) as Lease;
        if (lease.holder !== o.instance && lease.until > now) return;
        leaseRev = await nats.ingest.update(leaseKey, value, entry.revision);
      }
      stats.takeovers += 1;
      log('lease-acquired', { pbx: pbx.id });
      active = activate();
      await active.ready;
    } catch (error) {
      if (active) {
        log('lease-lost', { pbx: pbx.id, reason: (error as Error).message });
        await active.stop();
        active = undefined;
      }
    }
  }

  function activate() {
    const translator = (o.translator ?? createEndpointTranslator)(pbx);
    const state = createCallState();
    const counters = new Map<string, Map<string, number>>();
    const queue: { subject: string; frame: StoredFrame; msgId: string }[] = [];
    let draining = false;
    let lastSeq = 0;
    let dirty = false;
    let running = true;
    let controlSub: Subscription | undefined;
    let saveTimer: NodeJS.Timeout | undefined;

    const controlChannel = (callId: string) => {
      for (const e of pbx.endpoints) {
        const ch = translator.controlChannel(e, callId);
        if (ch) return ch;
      }
      return undefined;
    };
    const stasis = createAriStasisControl({ url: pbx.ariUrl, secret: ariKey, isOurApp: (name) => appSet.has(name), controlChannel, holdMs: pbx.holdMs });

    function enqueue(events: EndpointEvent[]) {
      for (const { endpoint, event } of events) {
        const key = `${endpoint}|${event.callId}`;
        let perCall = counters.get(key);
        if (!perCall) counters.set(key, (perCall = new Map()));
        const n = (perCall.get(event.type) ?? 0) + 1;
        perCall.set(event.type, n);
        if (event.type === 'ended') counters.delete(key);
        queue.push({ subject: eventSubject(pbx.id, endpoint), frame: eventFrame(endpoint, event), msgId: `${pbx.id}|${key}|${event.type}|${n}` });
        if (event.type === 'offered' && controlChannel(event.callId)) stasis.hold(event.callId);
      }
      void drain();
    }

    /** One publish at a time, in order, each retried until JetStream stored it (a node may be down, a leader moving). */
    async function drain() {
      if (draining) return;
      draining = true;
      while (running && queue.length) {
        const item = queue[0]!;
        const h = natsHeaders();
        h.set('Nats-Msg-Id', item.msgId);
        try {
          const ack = await nats.js.publish(item.subject, JSON.stringify(item.frame), { headers: h, timeout: 2000 });
          queue.shift();
          if (ack.duplicate) stats.duplicates += 1;
          else {
            stats.published += 1;
            state.apply(withId(item.frame, ack.seq));
            lastSeq = ack.seq;
          }
          dirty = true;
        } catch (error) {
          stats.publishRetries += 1;
          if (stats.publishRetries % 10 === 1) log('publish-retry', { pbx: pbx.id, reason: (error as Error).message });
          await new Promise((r) => setTimeout(r, 200));
        }
      }
      draining = false;
    }

    /** Translator state is saved only when everything it emitted is stored, so a successor never skips an event. */
    async function save() {
      if (!dirty || queue.length || !running) return;
      dirty = false;
      const saved: SavedIngest = { seq: lastSeq, translator: translator.snapshot(), counters: Object.fromEntries([...counters].map(([k, m]) => [k, Object.fromEntries(m)])) };
      try {
        await nats.ingest.put(stateKey, JSON.stringify(saved));
        await nats.calls.put(subjectToken(pbx.id), JSON.stringify({ seq: lastSeq, legs: state.toJSON() }));
      } catch (error) {
        dirty = true;
        log('save-failed', { pbx: pbx.id, reason: (error as Error).message });
      }
    }

    const connection = createConnection({
      url: redactAriUrl(eventsUrl),
      open: (sink) => openWebSocket(eventsUrl, sink, WebSocket as unknown as WebSocketCtor),
      now: Date.now,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
      silenceMs: 45_000,
      pingMs: 20_000,
      ping: () => JSON.stringify({ type: 'RESTRequest', transaction_id: 'ctipop-bridge', request_id: `ping-${Date.now()}`, method: 'GET', uri: 'asterisk/ping' }),
      async onOpen() {
        try {
          const url = new URL(ariChannelsUrl(pbx.ariUrl));
          url.searchParams.set('api_key', ariKey);
          const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          const channels = (await response.json()) as unknown[];
          enqueue(translator.reconcile(channels));
          stasis.continueOrphans(channels);
        } catch (error) {
          log('reconcile-failed', { pbx: pbx.id, reason: (error as Error).message });
        }
      },
      onFrame: (raw) => enqueue(translator.handle(raw)),
      onHealth: (h) => log('ari', { pbx: pbx.id, state: h.state, ...(h.lastError ? { error: h.lastError } : {}) }),
    });

    async function control(req: ControlRequest): Promise<{ ok: boolean; reason?: string }> {
      if (!pbx.endpoints.includes(req.endpoint)) return { ok: false, reason: `endpoint ${req.endpoint} is not on PBX ${pbx.id}` };
      const refusal = routeRefusal(o.config.control.allow, req.route);
      if (refusal) return { ok: false, reason: refusal };
      if (!translator.controlChannel(req.endpoint, req.callId)) return { ok: false, reason: 'the call is not held in the bridge\'s Stasis application' };
      const actions: ReplyActions = { set: req.set, route: req.route as { type: RouteType; name: string } | null, break: req.break };
      return stasis.release(req.callId, actions);
    }

    const ready = (async () => {
      const saved = await nats.ingest.get(stateKey);
      if (saved?.operation === 'PUT') {
        const s = JSON.parse(saved.string()) as SavedIngest;
        const refused = translator.restore(s.translator);
        if (refused) log('state-refused', { pbx: pbx.id, reason: refused });
        for (const [k, m] of Object.entries(s.counters)) counters.set(k, new Map(Object.entries(m)));
        lastSeq = s.seq;
      }
      const calls = await nats.calls.get(subjectToken(pbx.id));
      if (calls?.operation === 'PUT') state.load((JSON.parse(calls.string()) as { legs: Parameters<typeof state.load>[0] }).legs);
      controlSub = nats.nc.subscribe(controlSubject(pbx.id), {
        callback: (err, msg) => {
          if (err) return;
          let req: ControlRequest;
          try {
            req = JSON.parse(msg.string()) as ControlRequest;
          } catch {
            return msg.respond(JSON.stringify({ ok: false, reason: 'unreadable control request' }));
          }
          void control(req).then((r) => {
            stats.controls += 1;
            if (!r.ok) stats.controlRefused += 1;
            log('control', { pbx: pbx.id, user: req.user, endpoint: req.endpoint, callId: req.callId, route: req.route, ok: r.ok, ...(r.reason ? { reason: r.reason } : {}) });
            msg.respond(JSON.stringify(r));
          });
        },
      });
      connection.start();
      saveTimer = setInterval(() => void save(), SAVE_EVERY_MS);
    })();

    return {
      ready,
      async stop() {
        running = false;
        clearInterval(saveTimer);
        connection.stop();
        stasis.close();
        controlSub?.unsubscribe();
      },
    };
  }

  const timer = setInterval(() => void tick(), Math.max(100, Math.floor(leaseMs / 3)));
  void tick();

  return {
    stats: () => ({ ...stats, active: active !== undefined }),
    isActive: () => active !== undefined,
    /** Stops and gives the lease up at once (a planned restart), so a standby need not wait for it to lapse. */
    async stop(release = true) {
      stopped = true;
      clearInterval(timer);
      if (active) {
        await active.ready.catch(() => undefined);
        await active.stop();
        active = undefined;
        if (release) await nats.ingest.delete(leaseKey).catch(() => undefined);
      }
    },
  };
}
