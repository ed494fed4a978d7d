import { browser } from 'wxt/browser';
import type { CallEvent } from '@/utils/calls/call-event';
import { createJsonSession, type JsonSessionState } from '@/utils/connectors/json-session';
import type { Link, OpenLink } from '@/utils/connectors/link';
import { openSse } from '@/utils/connectors/sse-link';
import { openWebSocket, type WebSocketCtor } from '@/utils/connectors/ws-link';
import type { ReplyActions } from '@/utils/engine/cti-engine';
import type { Settings } from '@/utils/settings/schema';
import { dialFrame, type DialPlan } from '@/utils/dial/plan-dial';
import { createAriConnector } from './ari-connector';

/** The PBX placed the call (`callId` names it when the PBX said so), or why it did not. */
export type DialOutcome = { ok: true; callId?: string } | { ok: false; reason: string };
/** A PBX that has not answered a `dial` by then is taken as not having placed the call. */
const DIAL_ANSWER_MS = 5000;

/** Changes every time the browser starts the worker anew: lets a server (and our tests) tell a reconnect from a restart. */
const WORKER_INSTANCE = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export interface Connector {
  open: OpenLink;
  onOpen(link: Link): void;
  onFrame(raw: string, id?: string): void;
  ping(): string | undefined;
  /** Present when the connector can ask the PBX to act on a reply. */
  control?: (callId: string, actions: ReplyActions) => Promise<{ ok: boolean; reason?: string }>;
  /** Present when the connector can place calls (ARI originate, or `dial` on the WebSocket stream). */
  dial?: (plan: DialPlan) => Promise<DialOutcome>;
  /** Dropped frames and why (shown as the connection's last problem). */
  problems: () => { dropped: number; last?: string };
}

export interface ConnectorDeps {
  /** Hands events to the engine; the promise (if any) resolves once the engine has stored what they did. */
  emit: (events: CallEvent[]) => void | Promise<unknown>;
  activeCallIds: () => string[];
  /** Where the connector stores what it needs after a worker restart (resume point, ARI legs). */
  saveResume: (state: unknown) => void;
  resume: unknown;
  now: () => number;
}

/**
 * Saves resume points in order, each only after the engine stored the events before it: a worker
 * stopped in between gets those events again on resume (harmless, events are idempotent) instead
 * of skipping them, which would leave a call open forever and without its post-call record.
 */
export function resumeSaver(save: (state: unknown) => void) {
  let last: Promise<unknown> = Promise.resolve();
  return (stored: void | Promise<unknown>, state: unknown) => {
    // A failed store skips its own resume point only: the engine stores the whole book each time,
    // so the next stored event carries this one's effect too.
    last = Promise.allSettled([last, stored]).then(([, own]) => {
      if (own.status === 'fulfilled') save(state);
    });
  };
}

/** Builds the connector the settings ask for; the connection manager owns its links. */
export function createConnector(settings: Settings, deps: ConnectorDeps): Connector {
  const c = settings.connection;
  if (c.kind === 'ari') return createAriConnector(settings, deps);
  const client = { name: 'cti-pop', version: browser.runtime.getManifest().version, instance: WORKER_INSTANCE };
  const session = createJsonSession({ endpoints: c.endpoints, token: c.secret, activeCallIds: deps.activeCallIds, now: deps.now, client }, (deps.resume ?? {}) as JsonSessionState);
  let last: string | undefined;
  let nonce = 0;
  const pending = new Map<string, (r: { ok: boolean; reason?: string }) => void>();
  const dials = new Map<string, (r: DialOutcome) => void>();
  let link: Link | undefined;
  const saveResume = resumeSaver(deps.saveResume);
  const onFrame = (raw: string, id?: string) => {
    const out = session.handle(raw, id);
    if (out.problem) last = out.problem;
    if (out.controlResult) pending.get(out.controlResult.ref)?.(out.controlResult);
    const d = out.dialResult;
    if (d) dials.get(d.ref)?.(d.ok ? { ok: true, callId: d.callId } : { ok: false, reason: `the PBX refused: ${d.reason ?? 'no reason given'}` });
    if (out.events.length) saveResume(deps.emit(out.events), session.state());
    else if (out.hello) saveResume(Promise.resolve(), session.state());
  };
  const ws = c.kind === 'json-ws';
  return {
    open: (sink) => {
      if (ws) return openWebSocket(c.url, sink, WebSocket as unknown as WebSocketCtor);
      const url = new URL(c.url);
      if (c.endpoints.length) url.searchParams.set('users', c.endpoints.join(','));
      return openSse(url.href, { token: c.secret, lastEventId: session.state().lastEventId, fetch: globalThis.fetch.bind(globalThis) }, sink);
    },
    onOpen(l) {
      link = l;
      if (ws) l.send(JSON.stringify(session.authFrame()));
    },
    onFrame,
    ping: () => (ws ? JSON.stringify({ type: 'ping', nonce: String(++nonce) }) : undefined),
    control: ws
      ? (callId, actions) =>
          new Promise((resolve) => {
            if (!Object.keys(actions.set).length && !actions.route) return resolve({ ok: true });
            const ref = `c${++nonce}`;
            const timer = setTimeout(() => settle({ ok: false, reason: 'the PBX did not acknowledge within 3 s' }), 3000);
            const settle = (r: { ok: boolean; reason?: string }) => {
              clearTimeout(timer);
              pending.delete(ref);
              resolve(r);
            };
            pending.set(ref, settle);
            const sent = link?.send(JSON.stringify({ type: 'control', ref, callId, set: actions.set, route: actions.route, break: actions.break }));
            if (!sent) settle({ ok: false, reason: 'not connected to the PBX' });
          })
      : undefined,
    dial: ws
      ? (plan) =>
          new Promise((resolve) => {
            const ref = `d${++nonce}`;
            const timer = setTimeout(() => settle({ ok: false, reason: `the PBX did not answer within ${DIAL_ANSWER_MS / 1000} s` }), DIAL_ANSWER_MS);
            const settle = (r: DialOutcome) => {
              clearTimeout(timer);
              dials.delete(ref);
              resolve(r);
            };
            dials.set(ref, settle);
            if (!link?.send(JSON.stringify(dialFrame(plan, ref)))) settle({ ok: false, reason: 'not connected to the PBX' });
          })
      : undefined,
    problems: () => ({ dropped: session.stats.dropped, last }),
  };
}
