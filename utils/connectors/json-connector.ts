import type { Settings } from '../settings/schema';
import type { Connector, ConnectorDeps, DialOutcome } from './connector';
import { dialFrame } from '../dial/plan-dial';

/** A PBX that has not answered a `dial` by then is taken as not having placed the call. */
const DIAL_ANSWER_MS = 5000;
import { createControlRoundTrip } from './json-control';
import { createJsonSession, type JsonSessionState } from './json-session';
import type { Link } from './link';
import { resumeSaver } from './resume-saver';
import { openSse } from './sse-link';
import { openWebSocket, type WebSocketCtor } from './ws-link';

/**
 * The CTI Pop event stream (protocol v1) over WebSocket (`json-ws`, two-way: control) or SSE
 * (`json-sse`, events only). `client` names this worker life in the `auth` frame.
 */
export function createJsonConnector(settings: Settings, deps: ConnectorDeps, client: { name: string; version: string; instance: string }): Connector {
  const c = settings.connection;
  const session = createJsonSession({ endpoints: c.endpoints, token: c.secret, activeCallIds: deps.activeCallIds, now: deps.now, client }, (deps.resume ?? {}) as JsonSessionState);
  let last: string | undefined;
  let nonce = 0;
  let link: Link | undefined;
  const roundTrip = createControlRoundTrip((frame) => link?.send(JSON.stringify(frame)) ?? false);
  const saveResume = resumeSaver(deps.saveResume);
  const ws = c.kind === 'json-ws';
  const dials = new Map<string, (r: DialOutcome) => void>();
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
    onFrame(raw, id) {
      const out = session.handle(raw, id);
      if (out.problem) last = out.problem;
      if (out.controlResult) roundTrip.settle(out.controlResult);
      const d = out.dialResult;
      if (d) dials.get(d.ref)?.(d.ok ? { ok: true, callId: d.callId } : { ok: false, reason: `the PBX refused: ${d.reason ?? 'no reason given'}` });
      if (out.events.length) saveResume(deps.emit(out.events), session.state());
      else if (out.hello) saveResume(Promise.resolve(), session.state());
    },
    ping: () => (ws ? JSON.stringify({ type: 'ping', nonce: String(++nonce) }) : undefined),
    control: ws ? roundTrip.request : undefined,
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
