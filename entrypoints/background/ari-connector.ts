import { ariControlRequests, ariRequestUrl } from '@/utils/connectors/ari-control';
import { ariChannelsUrl, ariEventsUrl, createAriTranslator } from '@/utils/connectors/ari-translate';
import { openWebSocket, type WebSocketCtor } from '@/utils/connectors/ws-link';
import type { ReplyActions } from '@/utils/engine/cti-engine';
import type { Settings } from '@/utils/settings/schema';
import { ariOriginateRequest } from '@/utils/dial/plan-dial';
import { originateRefusal } from '@/utils/dial/originate-refusal';
import { resumeSaver, type Connector, type ConnectorDeps, type DialOutcome } from './connector';

/** A call held in Stasis continues by itself after this, whatever the lookups are doing. */
const STASIS_GRACE_MS = 1000;
/** One ARI REST request may take this long; a hung PBX must not keep a caller parked. */
const REST_TIMEOUT_MS = 3000;

/**
 * The ARI application name: `ctipop-100` for `PJSIP/100`, what the admin's dialplan names in
 * `Stasis(ctipop-${EXTEN})`. Only a control-mode connection claims that name: Asterisk's
 * `Stasis()` falls through at once (STASISSTATUS=FAILED) when no client registered the app, so
 * with control mode off callers are never parked waiting for a client that will not continue them.
 */
export function ariAppName(settings: Settings): string {
  const c = settings.connection;
  const name = `${c.ariApp}-${(c.endpoints[0] ?? 'any').split('/').pop()!.replace(/[^A-Za-z0-9_.-]/g, '')}`;
  return c.control ? name : `${name}-events`;
}

/**
 * Asterisk ARI: events from `/ari/events` (whole PBX, subscribeAll), the current channels from
 * `GET /ari/channels` after every (re)connect because ARI keeps nothing while we are away, and,
 * in control mode, replies applied to calls the dialplan hands to our Stasis application.
 */
export function createAriConnector(settings: Settings, deps: ConnectorDeps): Connector {
  const c = settings.connection;
  const app = ariAppName(settings);
  const translator = createAriTranslator({ endpoints: c.endpoints, trunks: c.trunks, queues: c.queues, app, now: deps.now });
  if (deps.resume) translator.restore(deps.resume);
  // The key goes in the query, as on the event socket, not in an Authorization header: a header
  // makes a cross-origin request "preflighted", and Asterisk answers every preflight 401 (it
  // carries no credentials). So REST works both with the host permission and, without it, from
  // an origin listed in ari.conf `allowed_origins`.
  const keyed = (url: string) => {
    const u = new URL(url);
    u.searchParams.set('api_key', c.secret);
    return u.href;
  };
  let last: string | undefined;
  let pings = 0;
  const released = new Set<string>();
  const deadlines = new Map<string, ReturnType<typeof setTimeout>>();

  const saveResume = resumeSaver(deps.saveResume);
  const emit = (events: ReturnType<typeof translator.handle>) => {
    if (!events.length) return;
    saveResume(deps.emit(events), translator.snapshot());
    if (c.control) for (const e of events) if (e.type === 'offered') holdDeadline(e.callId);
  };

  async function send(channelId: string, r: ReturnType<typeof ariControlRequests>[number]): Promise<string | undefined> {
    let response: Response;
    try {
      response = await fetch(keyed(ariRequestUrl(c.url, r)), { method: r.method, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(REST_TIMEOUT_MS) });
    } catch (error) {
      return `ARI unreachable: ${(error as Error).message}`;
    }
    if (response.status === 403) return 'the ARI user may not write (read_only); use a write-capable user for control mode';
    if (response.status === 404) return `channel ${channelId} is gone`;
    if (!response.ok) return `ARI answered HTTP ${response.status} to ${r.path}`;
    return undefined;
  }

  /** Sets the variables, stopping at the first failure, and then always asks for the continue: the caller must not stay parked. */
  async function post(channelId: string, requests: ReturnType<typeof ariControlRequests>): Promise<{ ok: boolean; reason?: string }> {
    let failed: string | undefined;
    for (const r of requests) {
      const isContinue = r.path.endsWith('/continue');
      if (failed && !isContinue) continue;
      const reason = await send(channelId, r);
      failed ??= reason;
    }
    return failed ? { ok: false, reason: failed } : { ok: true };
  }

  /** Never leave a caller stuck in Stasis: continue unchanged when the engine has not spoken in time. */
  function holdDeadline(callId: string) {
    if (deadlines.has(callId)) return;
    deadlines.set(callId, setTimeout(() => void release(callId, { set: {}, route: null, break: false }), settings.advanced.lookupTimeoutMs + STASIS_GRACE_MS));
  }

  async function release(callId: string, actions: ReplyActions): Promise<{ ok: boolean; reason?: string }> {
    clearTimeout(deadlines.get(callId));
    deadlines.delete(callId);
    const channel = translator.controlChannel(callId);
    if (!channel) return { ok: false, reason: 'the call is not held in our Stasis application' };
    if (released.has(channel)) return { ok: false, reason: 'the call had already continued (deadline passed)' };
    released.add(channel);
    return post(channel, ariControlRequests(channel, actions));
  }

  /**
   * Calls parked in our Stasis app that nobody in this worker life is handling: their lookup and
   * deadline died with a stopped worker, and Asterisk has no timeout of its own in `Stasis()`.
   * They continue unchanged now.
   */
  function continueOrphans(channels: unknown[]) {
    const held = new Set([...deadlines.keys()].map((callId) => translator.controlChannel(callId)));
    for (const raw of channels) {
      const ch = raw as { id?: unknown; dialplan?: { app_name?: unknown; app_data?: unknown } };
      if (typeof ch.id !== 'string' || ch.dialplan?.app_name !== 'Stasis' || String(ch.dialplan.app_data ?? '').split(',')[0] !== app) continue;
      if (released.has(ch.id) || held.has(ch.id)) continue;
      released.add(ch.id);
      void post(ch.id, ariControlRequests(ch.id, { set: {}, route: null, break: false }));
    }
  }

  /** Click-to-dial: `POST /ari/channels` rings the user's phone, then the dialplan dials the number. */
  async function dial(plan: Parameters<NonNullable<Connector['dial']>>[0]): Promise<DialOutcome> {
    const channelId = `ctipop-${crypto.randomUUID()}`;
    const d = settings.dialling;
    const request = ariOriginateRequest(plan, { context: d.context, callerId: d.callerId, ringTimeoutS: d.ringTimeoutS }, channelId);
    if (!request.ok) return { ok: false, reason: request.error };
    const call = (path: string, method: string) =>
      fetch(keyed(ariRequestUrl(c.url, { ...request.value, path, query: method === 'GET' ? {} : request.value.query })), { method, credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(REST_TIMEOUT_MS) });
    try {
      const response = await call(request.value.path, 'POST');
      if (response.ok) return { ok: true, callId: channelId };
      const message = String(((await response.json().catch(() => ({}))) as { message?: unknown }).message ?? '');
      const [tech, resource] = plan.endpoint.split('/');
      const info = response.status === 401 || response.status === 403 ? undefined
        : await call(`/ari/endpoints/${encodeURIComponent(tech!)}/${encodeURIComponent(resource!)}`, 'GET')
          .then(async (r) => ({ status: r.status, state: r.ok ? String(((await r.json()) as { state?: unknown }).state) : undefined }))
          .catch(() => undefined);
      return { ok: false, reason: originateRefusal(response.status, message, plan.endpoint, info) };
    } catch (error) {
      return { ok: false, reason: `ARI unreachable: ${(error as Error).message}` };
    }
  }

  return {
    dial,
    open: (sink) => openWebSocket(ariEventsUrl(c.url, app, c.secret), sink, WebSocket as unknown as WebSocketCtor),
    async onOpen() {
      try {
        const response = await fetch(keyed(ariChannelsUrl(c.url)), { credentials: 'omit', cache: 'no-store' });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const channels = (await response.json()) as unknown[];
        emit(translator.reconcile(channels));
        if (c.control) continueOrphans(channels);
      } catch (error) {
        last = `could not re-read the current channels after connecting (${(error as Error).message}); calls that started meanwhile show up with their next event`;
      }
    },
    onFrame: (raw) => emit(translator.handle(raw)),
    // ARI's REST-over-WebSocket (Asterisk 20.14/22.4+): a cheap request whose answer is traffic
    // that keeps Chrome's worker alive and proves the socket is not half-open.
    ping: () => JSON.stringify({ type: 'RESTRequest', transaction_id: 'ctipop', request_id: `ping-${++pings}`, method: 'GET', uri: 'asterisk/ping' }),
    control: c.control ? release : undefined,
    problems: () => ({ dropped: translator.stats().malformed, last }),
  };
}
