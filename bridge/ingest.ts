import { headers as natsHeaders, type ConsumerMessages, type Subscription } from 'nats';
import WebSocket from 'ws';
import { ariAppFor } from '../utils/connectors/ari-connector';
import { createAriStasisControl, type AriStasisControl } from '../utils/connectors/ari-stasis-control';
import { ariChannelsUrl, ariEventsUrl, redactAriUrl } from '../utils/connectors/ari-translate';
import { createConnection, type Connection } from '../utils/connectors/connection';
import { openWebSocket, type WebSocketCtor } from '../utils/connectors/ws-link';
import type { ReplyActions } from '../utils/engine/cti-engine';
import type { RouteType } from '../utils/reply/reply-schema';
import { createCallState } from './call-state';
import { readSecret, type BridgeConfig, type PbxConfig } from './config';
import { createAriDial } from '../utils/dial/ari-dial';
import { routeRefusal, type ControlRequest, type DialRequest } from './control-policy';
import { createEndpointTranslator, type EndpointEvent, type EndpointTranslator } from './endpoint-translator';
import { eventFrame, withId, type StoredFrame } from './frames';
import { jsRetry, type NatsHandles } from './nats';
import { copyFilter, startConsumer } from './start-consumer';
import { controlSubject, dialSubject, eventSubject, subjectToken } from './subjects';

export type Log = (event: string, fields?: Record<string, unknown>) => void;

interface Lease {
  holder: string;
  until: number;
}

interface SavedTranslation {
  translator: unknown;
  counters: Record<string, Record<string, number>>;
}

const SAVE_EVERY_MS = 1000;
/** Publishes awaiting JetStream's ack at most (bounds what a failure re-sends). */
const MAX_OUTSTANDING = 256;
const RETRY_PAUSE_MS = 200;

interface QueueItem {
  subject: string;
  frame: StoredFrame;
  msgId: string;
  acked: boolean;
}
/** How long a new ARI socket waits for the old one's ApplicationReplaced before it takes over anyway. */
const HANDOVER_MS = 2000;

/**
 * The ingest for one PBX. Every instance (run two for high availability) holds its own ARI event
 * socket (subscribeAll, an application of its own) and publishes every endpoint's events to
 * JetStream, in order, with a `Nats-Msg-Id` naming the event (endpoint, call, kind, occurrence):
 * both instances translate the same frames the same way, so JetStream stores each event once
 * and killing either loses nothing. The instance holding the PBX's lease in KV also owns what
 * must happen once: the per-endpoint Stasis applications (control), the control requests from
 * edges, and the snapshot state in KV. A successor restores the translator state saved in KV and
 * reconciles with `GET /ari/channels`; what it re-emits has the same msg ids and is dropped.
 */
export function startIngest(o: { config: BridgeConfig; baseDir: string; pbx: PbxConfig; nats: NatsHandles; instance: string; log: Log; translator?: (pbx: PbxConfig) => EndpointTranslator }) {
  const { pbx, nats, log } = o;
  const pbxKey = subjectToken(pbx.id);
  const leaseKey = `lease.${pbxKey}`;
  const stateKey = `state.${pbxKey}`;
  const ariKey = readSecret(pbx.ariKey, o.baseDir);
  const leaseMs = o.config.ingest.leaseMs;
  const apps = pbx.endpoints.map((e) => ariAppFor(pbx.app, e));
  const appSet = new Set(apps);
  const ownApp = `${pbx.app}-ingest-${o.instance.replace(/[^A-Za-z0-9_.-]/g, '')}`;
  const stats = { published: 0, duplicates: 0, publishRetries: 0, takeovers: 0, controls: 0, controlRefused: 0, dials: 0, dialRefused: 0 };

  const translator = (o.translator ?? createEndpointTranslator)(pbx);
  const counters = new Map<string, Map<string, number>>();
  /** Emitted events not yet acked by JetStream, in emission order; `sent` of them are on their way. */
  const queue: QueueItem[] = [];
  let sent = 0;
  let outstanding = 0;
  /** Set by the first failed ack of a round; sending resumes from the first unacked event. */
  let failure: Error | undefined;
  /**
   * After a failure, one event at a time until one is acked: a pipelined retry while the stream
   * leader was being elected had a call's `offered` refused (503) and the `ringing`, `answered`
   * and `ended` sent right behind it stored, so the call's end came before its offer.
   */
  let probing = false;
  let rounds = 0;
  let dirty = false;
  let running = true;
  /** Until stop(): the ARI socket is kept open. */
  let listening = true;
  let leaseRev = 0;
  let holder: ReturnType<typeof holdLease> | undefined;

  const controlChannel = (callId: string) => {
    for (const e of pbx.endpoints) {
      const ch = translator.controlChannel(e, callId);
      if (ch) return ch;
    }
    return undefined;
  };

  function enqueue(events: EndpointEvent[]) {
    for (const { endpoint, event } of events) {
      const key = `${endpoint}|${event.callId}`;
      let perCall = counters.get(key);
      if (!perCall) counters.set(key, (perCall = new Map()));
      const n = (perCall.get(event.type) ?? 0) + 1;
      perCall.set(event.type, n);
      if (event.type === 'ended') counters.delete(key);
      queue.push({ subject: eventSubject(pbx.id, endpoint), frame: eventFrame(endpoint, event), msgId: `${pbx.id}|${key}|${event.type}|${n}`, acked: false });
      if (event.type === 'offered' && holder && controlChannel(event.callId)) holder.stasis.hold(event.callId);
    }
    pump();
  }

  /**
   * Publishes in emission order without waiting for each ack: one NATS connection keeps a
   * publisher's order, so JetStream stores the events as emitted while up to MAX_OUTSTANDING
   * acks are on their way (the latency of an event is one replicated ack, not a window of them).
   * An event leaves the queue when acked and everything before it is. When an ack fails (a node
   * down, a leader moving, a timeout) sending stops, the outstanding acks settle, and after a
   * pause everything not yet acked is sent again in order from the first unacked event: what did
   * land the first time carries the same `Nats-Msg-Id` and JetStream drops it.
   */
  function pump() {
    while (running && !failure && outstanding < (probing ? 1 : MAX_OUTSTANDING) && sent < queue.length) send(queue[sent++]!);
  }

  function send(item: QueueItem) {
    const round = rounds;
    outstanding += 1;
    const h = natsHeaders();
    h.set('Nats-Msg-Id', item.msgId);
    nats.js.publish(item.subject, JSON.stringify(item.frame), { headers: h, timeout: 2000 }).then(
      (ack) => {
        item.acked = true;
        probing = false;
        if (ack.duplicate) stats.duplicates += 1;
        else stats.published += 1;
      },
      (error: Error) => {
        if (round !== rounds || failure) return;
        failure = error;
      },
    ).finally(() => {
      outstanding -= 1;
      let done = 0;
      while (done < queue.length && done < sent && queue[done]!.acked) done += 1;
      if (done) {
        queue.splice(0, done);
        sent -= done;
        dirty = true;
      }
      if (!failure) return pump();
      if (outstanding) return;
      const retried = queue.slice(0, sent).filter((i) => !i.acked).length;
      stats.publishRetries += retried;
      log('publish-retry', { pbx: pbx.id, retried, reason: failure.message });
      setTimeout(() => {
        // Events emitted during the pause are in the queue too, behind the unacked ones.
        const unacked = queue.filter((i) => !i.acked);
        queue.splice(0, queue.length, ...unacked);
        sent = 0;
        rounds += 1;
        failure = undefined;
        probing = true;
        pump();
      }, RETRY_PAUSE_MS);
    });
  }

  const channelsUrl = () => {
    const url = new URL(ariChannelsUrl(pbx.ariUrl));
    url.searchParams.set('api_key', ariKey);
    return url;
  };

  function ariSocket(url: string, onFrame: (raw: string) => void, onOpen: () => Promise<void>) {
    return createConnection({
      url: redactAriUrl(url),
      open: (sink) => openWebSocket(url, sink, WebSocket as unknown as WebSocketCtor),
      now: Date.now,
      random: Math.random,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
      silenceMs: 45_000,
      pingMs: 20_000,
      ping: () => JSON.stringify({ type: 'RESTRequest', transaction_id: 'ctipop-bridge', request_id: `ping-${Date.now()}`, method: 'GET', uri: 'asterisk/ping' }),
      onOpen: () => void onOpen(),
      onFrame,
      onHealth: (h) => log('ari', { pbx: pbx.id, url: h.url, state: h.state, ...(h.lastError ? { error: h.lastError } : {}) }),
    });
  }

  /**
   * The one ARI socket per instance: our own application, subscribed over REST to every channel
   * and bridge event, and, while this instance holds the lease, the endpoints' Stasis applications
   * (`app=own,ctipop-100,…`). Not `subscribeAll`: Asterisk hands a socket one copy of an event per
   * application subscribed to it (res/ari resource_events.c), so every endpoint application would
   * multiply the traffic. Events come under our own name; of the endpoint applications only
   * StasisStart/End matter (their other frames are copies). Taking or giving up the lease registers
   * the new set of applications on a second socket; Asterisk moves our application to it with an
   * `ApplicationReplaced` on the old one, so frames are taken from the old socket until that frame
   * and from the new one after: nothing missed or taken twice at the handover.
   */
  function eventSocket(withStasis: boolean, handover: boolean) {
    const url = new URL(ariEventsUrl(pbx.ariUrl, (withStasis ? [ownApp, ...apps] : [ownApp]).join(','), ariKey));
    url.searchParams.delete('subscribeAll');
    const link = ariSocket(url.href, (raw) => onFrame(link, raw), async () => {
      try {
        const subscribe = new URL(`${ariChannelsUrl(pbx.ariUrl).replace(/\/channels$/, '')}/applications/${encodeURIComponent(ownApp)}/subscription`);
        subscribe.searchParams.set('eventSource', 'channel:,bridge:');
        subscribe.searchParams.set('api_key', ariKey);
        const subscribed = await fetch(subscribe, { method: 'POST', signal: AbortSignal.timeout(5000) });
        if (!subscribed.ok) throw new Error(`subscribing to every channel and bridge: HTTP ${subscribed.status}`);
        const response = await fetch(channelsUrl(), { signal: AbortSignal.timeout(5000) });
        if (!response.ok) throw new Error(`GET /ari/channels: HTTP ${response.status}`);
        const channels = (await response.json()) as unknown[];
        // A handover needs no reconcile (the old socket covered the gap); a (re)connect does.
        if (!handover) enqueue(translator.reconcile(channels));
        handover = false;
        holder?.stasis.continueOrphans(channels);
      } catch (error) {
        log('reconcile-failed', { pbx: pbx.id, reason: (error as Error).message });
      }
    });
    return link;
  }

  let live: Connection | undefined;
  let next: { link: Connection; buffered: string[]; interrupted: boolean; timer: NodeJS.Timeout } | undefined;

  function onFrame(from: Connection, raw: string) {
    let frame: { type?: unknown; application?: unknown };
    try {
      frame = JSON.parse(raw) as typeof frame;
    } catch {
      frame = {};
    }
    if (next && from === next.link) return void next.buffered.push(raw);
    if (from !== live) return;
    if (frame.type === 'ApplicationReplaced') {
      if (next && frame.application === ownApp) return finishHandover();
      return log('ari-application-replaced', { pbx: pbx.id, application: frame.application });
    }
    const stasis = frame.type === 'StasisStart' || frame.type === 'StasisEnd';
    if (stasis ? appSet.has(String(frame.application)) : frame.application === ownApp || frame.application === undefined) enqueue(translator.handle(raw));
  }

  /** Registers the applications this instance needs now on a new socket (see eventSocket). */
  function switchSocket(withStasis: boolean) {
    if (!listening) return;
    // A handover still under way (the lease came and went at once): what its socket heard is lost.
    const interrupted = next !== undefined;
    if (next) {
      clearTimeout(next.timer);
      next.link.stop();
    }
    const link = eventSocket(withStasis, true);
    // Without the old socket's ApplicationReplaced (it died meanwhile), take the new one as is.
    next = { link, buffered: [], interrupted, timer: setTimeout(() => finishHandover(true), HANDOVER_MS) };
    link.start();
  }

  function finishHandover(late = false) {
    if (!next) return;
    const { link, buffered, interrupted, timer } = next;
    clearTimeout(timer);
    next = undefined;
    live?.stop();
    live = link;
    if (late) log('ari-handover-late', { pbx: pbx.id });
    for (const raw of buffered) onFrame(link, raw);
    if (late || interrupted) void reconcileNow();
  }

  async function reconcileNow() {
    try {
      const response = await fetch(channelsUrl(), { signal: AbortSignal.timeout(5000) });
      if (response.ok) enqueue(translator.reconcile((await response.json()) as unknown[]));
    } catch (error) {
      log('reconcile-failed', { pbx: pbx.id, reason: (error as Error).message });
    }
  }

  /** What only the lease holder does. */
  function holdLease() {
    const state = createCallState();
    let stateSeq = 0;
    let stateDirty = false;
    let subs: Subscription[] = [];
    let consumer: ConsumerMessages | undefined;
    let holding = true;
    const stasis: AriStasisControl = createAriStasisControl({ url: pbx.ariUrl, secret: ariKey, isOurApp: (name) => appSet.has(name), controlChannel, holdMs: pbx.holdMs });
    async function apply(req: ControlRequest): Promise<{ ok: boolean; reason?: string }> {
      if (!pbx.endpoints.includes(req.endpoint)) return { ok: false, reason: `endpoint ${req.endpoint} is not on PBX ${pbx.id}` };
      const refusal = routeRefusal(o.config.control.allow, req.route);
      if (refusal) return { ok: false, reason: refusal };
      if (!translator.controlChannel(req.endpoint, req.callId)) return { ok: false, reason: 'the call is not held in the bridge\'s Stasis application' };
      const actions: ReplyActions = { set: req.set, route: req.route as { type: RouteType; name: string } | null, break: req.break };
      return stasis.release(req.callId, actions);
    }

    const originate = pbx.dial && createAriDial({ url: pbx.ariUrl, secret: ariKey, dialling: pbx.dial });
    async function dial(req: DialRequest): Promise<{ ok: boolean; reason?: string; callId?: string }> {
      if (!originate) return { ok: false, reason: `click-to-dial is not set up for PBX ${pbx.id} (no "dial" in its bridge config)` };
      if (!pbx.endpoints.includes(req.endpoint)) return { ok: false, reason: `endpoint ${req.endpoint} is not on PBX ${pbx.id}` };
      const outcome = await originate({ endpoint: req.endpoint, number: { dial: req.number, display: req.number, kind: 'outside', e164: req.number.startsWith('+') ? req.number : '' } });
      return outcome.ok ? { ok: true, callId: outcome.callId } : { ok: false, reason: outcome.reason };
    }

    /** Answers an edge's requests on `subject` (NATS request/reply) with `apply`, and logs each. */
    function serve<R extends { user: string; endpoint: string }>(subject: string, event: string, apply: (req: R) => Promise<{ ok: boolean; reason?: string }>, counts: (ok: boolean) => void) {
      subs.push(nats.nc.subscribe(subject, {
        callback: (err, msg) => {
          if (err) return;
          let req: R;
          try {
            req = JSON.parse(msg.string()) as R;
          } catch {
            return msg.respond(JSON.stringify({ ok: false, reason: `unreadable ${event} request` }));
          }
          void apply(req).then((r) => {
            counts(r.ok);
            const { ok, reason, ...rest } = r;
            log(event, { pbx: pbx.id, ...req, ...rest, ok, ...(reason ? { reason } : {}) });
            msg.respond(JSON.stringify(r));
          });
        },
      }));
    }

    /** Translator state only when everything it emitted is stored, so a successor never skips an event; call state as folded from the stream. */
    async function save() {
      try {
        if (dirty && !queue.length) {
          dirty = false;
          const saved: SavedTranslation = { translator: translator.snapshot(), counters: Object.fromEntries([...counters].map(([k, m]) => [k, Object.fromEntries(m)])) };
          await nats.ingest.put(stateKey, JSON.stringify(saved));
        }
        if (stateDirty) {
          stateDirty = false;
          await nats.calls.put(pbxKey, JSON.stringify({ seq: stateSeq, legs: state.toJSON() }));
        }
      } catch (error) {
        dirty = stateDirty = true;
        log('save-failed', { pbx: pbx.id, reason: (error as Error).message });
      }
    }

    /**
     * Folds this PBX's events from the stream into the snapshot state, from `stateSeq + 1`,
     * dropping the copies the edges drop too (duplicate-filter.ts), so a snapshot never holds one.
     */
    async function follow() {
      const start = stateSeq + 1;
      const isFirstCopy = await copyFilter({ nats, stream: o.config.stream.name, before: start, windowMs: o.config.stream.duplicateWindowSec * 1000, onIncomplete: () => log('state-recent-ids-incomplete', { pbx: pbx.id, before: start }) });
      consumer = await startConsumer({ nats, stream: o.config.stream.name, filter: `ctipop.ev.${pbxKey}.>`, from: () => stateSeq + 1, wanted: () => holding, onRetry: (from, reason) => log('state-consumer-retry', { pbx: pbx.id, from, reason }) });
      if (!consumer) return;
      for await (const m of consumer) {
        if (isFirstCopy(m)) state.apply(withId(JSON.parse(m.string()) as StoredFrame, m.seq));
        stateSeq = m.seq;
        stateDirty = true;
      }
    }

    const ready = (async () => {
      const calls = await jsRetry(() => nats.calls.get(pbxKey));
      if (calls?.operation === 'PUT') {
        const saved = JSON.parse(calls.string()) as { seq: number; legs: Parameters<typeof state.load>[0] };
        state.load(saved.legs);
        stateSeq = saved.seq;
      }
      // The fold starts beside the rest: control, dial and the Stasis apps must not wait for it.
      void follow();
      serve<ControlRequest>(controlSubject(pbx.id), 'control', apply, (ok) => {
        stats.controls += 1;
        if (!ok) stats.controlRefused += 1;
      });
      serve<DialRequest>(dialSubject(pbx.id), 'dial', dial, (ok) => {
        stats.dials += 1;
        if (!ok) stats.dialRefused += 1;
      });
      switchSocket(true);
    })();
    const saveTimer = setInterval(() => void save(), SAVE_EVERY_MS);

    return {
      stasis,
      ready,
      async stop(finalSave: boolean) {
        holding = false;
        clearInterval(saveTimer);
        await ready.catch(() => undefined);
        // Give the endpoints' Stasis applications back (a standby may take the lease).
        switchSocket(false);
        stasis.close();
        for (const s of subs.splice(0)) s.unsubscribe();
        if (finalSave) await save();
        consumer?.stop();
      },
    };
  }

  async function tick() {
    if (!running) return;
    const now = Date.now();
    const value = JSON.stringify({ holder: o.instance, until: now + leaseMs } satisfies Lease);
    try {
      if (holder) {
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
      log('lease-acquired', { pbx: pbx.id, instance: o.instance });
      holder = holdLease();
    } catch (error) {
      if (holder) {
        log('lease-lost', { pbx: pbx.id, reason: (error as Error).message });
        const h = holder;
        holder = undefined;
        await h.stop(false);
      }
    }
  }

  let timer: NodeJS.Timeout | undefined;
  const ready = (async () => {
    const saved = await jsRetry(() => nats.ingest.get(stateKey));
    if (saved?.operation === 'PUT') {
      const s = JSON.parse(saved.string()) as SavedTranslation;
      const refused = translator.restore(s.translator);
      if (refused) log('state-refused', { pbx: pbx.id, reason: refused });
      else for (const [k, m] of Object.entries(s.counters)) counters.set(k, new Map(Object.entries(m)));
    }
    live = eventSocket(false, false);
    live.start();
    timer = setInterval(() => void tick(), Math.max(100, Math.floor(leaseMs / 4)));
    await tick();
  })();

  return {
    ready,
    stats: () => ({ ...stats, holdsLease: holder !== undefined, queued: queue.length }),
    isActive: () => holder !== undefined,
    /** Stops. `release` (a planned stop) saves and gives the lease up at once; without it (a crash) a standby waits for the lease to lapse. */
    async stop(release = true) {
      await ready.catch(() => undefined);
      clearInterval(timer);
      listening = false;
      if (next) clearTimeout(next.timer);
      next?.link.stop();
      live?.stop();
      if (release) {
        const until = Date.now() + 2000;
        while (queue.length && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      }
      running = false;
      const h = holder;
      holder = undefined;
      await h?.stop(release);
      if (h && release) await nats.ingest.delete(leaseKey).catch(() => undefined);
    },
  };
}
