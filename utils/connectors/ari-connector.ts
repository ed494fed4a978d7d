import type { Settings } from '../settings/schema';
import { createAriStasisControl } from './ari-stasis-control';
import { ariChannelsUrl, ariEventsUrl, createAriTranslator } from './ari-translate';
import type { Connector, ConnectorDeps } from './connector';
import { resumeSaver } from './resume-saver';
import { createAriDial } from '../dial/ari-dial';
import { openWebSocket, type WebSocketCtor } from './ws-link';

/**
 * The ARI application name: `ctipop-100` for `PJSIP/100`, what the admin's dialplan names in
 * `Stasis(ctipop-${EXTEN})`. Only a control-mode connection claims that name: Asterisk's
 * `Stasis()` falls through at once (STASISSTATUS=FAILED) when no client registered the app, so
 * with control mode off callers are never parked waiting for a client that will not continue them.
 * Events-only connections listen under a name of their own (`ctipop-100-events-k3j9x2a1`): ARI
 * gives one application to one connection, and a second browser on the same name would silence the
 * first (`ApplicationReplaced`).
 */
export function ariAppName(settings: Settings): string {
  const c = settings.connection;
  const name = ariAppFor(c.ariApp, c.endpoints[0] ?? 'any');
  return c.control ? name : `${name}-events-${INSTANCE}`;
}

/** This background's own suffix: two browsers (or two profiles) on one endpoint never share an app name. */
const INSTANCE = Math.random().toString(36).slice(2, 10);

/** `ctipop` + `PJSIP/100` → `ctipop-100`: the Stasis app that holds one endpoint's calls. */
export function ariAppFor(prefix: string, endpoint: string): string {
  return `${prefix}-${endpoint.split('/').pop()!.replace(/[^A-Za-z0-9_.-]/g, '')}`;
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
  const stasis = createAriStasisControl({
    url: c.url,
    secret: c.secret,
    isOurApp: (name) => name === app,
    controlChannel: translator.controlChannel,
    holdMs: settings.advanced.lookupTimeoutMs,
  });
  let last: string | undefined;
  let pings = 0;

  const saveResume = resumeSaver(deps.saveResume);
  const emit = (events: ReturnType<typeof translator.handle>) => {
    if (!events.length) return;
    saveResume(deps.emit(events), translator.snapshot());
    if (c.control) for (const e of events) if (e.type === 'offered') stasis.hold(e.callId);
  };

  return {
    dial: createAriDial({ url: c.url, secret: c.secret, dialling: settings.dialling }),
    open: (sink) => openWebSocket(ariEventsUrl(c.url, app, c.secret), sink, WebSocket as unknown as WebSocketCtor),
    async onOpen() {
      try {
        const u = new URL(ariChannelsUrl(c.url));
        u.searchParams.set('api_key', c.secret);
        const response = await fetch(u.href, { credentials: 'omit', cache: 'no-store' });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const channels = (await response.json()) as unknown[];
        emit(translator.reconcile(channels));
        if (c.control) stasis.continueOrphans(channels);
      } catch (error) {
        last = `could not re-read the current channels after connecting (${(error as Error).message}); calls that started meanwhile show up with their next event`;
      }
    },
    onFrame: (raw) => emit(translator.handle(raw)),
    // ARI's REST-over-WebSocket (Asterisk 20.14/22.4+): a cheap request whose answer is traffic
    // that keeps Chrome's worker alive and proves the socket is not half-open.
    ping: () => JSON.stringify({ type: 'RESTRequest', transaction_id: 'ctipop', request_id: `ping-${++pings}`, method: 'GET', uri: 'asterisk/ping' }),
    control: c.control ? stasis.release : undefined,
    problems: () => ({ dropped: translator.stats().malformed, last }),
  };
}
