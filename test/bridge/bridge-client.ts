import WebSocket from 'ws';
import type { CallEvent } from '../../utils/calls/call-event';
import { createJsonSession, type JsonSessionState } from '../../utils/connectors/json-session';
import type { ServerFrame } from '../../utils/connectors/json-protocol';

/**
 * A Node WebSocket client that speaks to the bridge with the extension's own protocol session
 * (`createJsonSession`: resume, de-duplication by event id, snapshot handling), so what it counts
 * is what the extension would see. It reconnects, to the URLs in turn, when told to.
 */
export function bridgeClient(o: { urls: () => string[]; token: string; endpoints: string[]; onEvent?: (e: CallEvent, receivedAt: number, frame: { id?: string; connection: number }) => void }) {
  const events: CallEvent[] = [];
  const errors: Extract<ServerFrame, { type: 'error' }>[] = [];
  const controlResults = new Map<string, { ok: boolean; reason?: string }>();
  const hellos: { resumed: boolean; serverId: string }[] = [];
  let state: JsonSessionState = {};
  let ws: WebSocket | undefined;
  let closedCode: number | undefined;
  let urlIndex = 0;
  let wanted = false;
  let refs = 0;
  /** Connections opened so far: which one an event came on. */
  let opened = 0;

  function open() {
    opened += 1;
    const session = createJsonSession({ endpoints: o.endpoints, token: o.token, activeCallIds: () => activeCalls(), now: Date.now }, state);
    const urls = o.urls();
    const url = urls[urlIndex++ % urls.length]!;
    const socket = new WebSocket(url);
    ws = socket;
    closedCode = undefined;
    socket.on('open', () => socket.send(JSON.stringify(session.authFrame())));
    socket.on('message', (data) => {
      const raw = data.toString();
      const at = Date.now();
      const frame = JSON.parse(raw) as ServerFrame;
      if (frame.type === 'error') errors.push(frame);
      const out = session.handle(raw);
      if (out.hello) hellos.push({ resumed: out.hello.resumed, serverId: out.hello.serverId });
      if (out.controlResult) controlResults.set(out.controlResult.ref, out.controlResult);
      for (const e of out.events) {
        events.push(e);
        o.onEvent?.(e, at, { id: (frame as { id?: string }).id, connection: opened });
      }
      state = session.state();
    });
    socket.on('close', (code) => {
      closedCode = code;
      if (ws === socket && wanted) setTimeout(() => wanted && ws === socket && open(), 100 + Math.random() * 300);
    });
    socket.on('error', () => undefined);
  }

  function activeCalls(): string[] {
    const open = new Set<string>();
    for (const e of events) {
      if (e.type === 'offered') open.add(e.callId);
      if (e.type === 'ended') open.delete(e.callId);
    }
    return [...open];
  }

  return {
    events,
    errors,
    hellos,
    connect() {
      wanted = true;
      open();
    },
    isOpen: () => ws?.readyState === WebSocket.OPEN && hellos.length > 0,
    closedCode: () => closedCode,
    /** Sends a control frame; resolves with the control-result. */
    control(callId: string, route: { type: string; name: string } | null, set: Record<string, string> = {}): Promise<{ ok: boolean; reason?: string }> {
      const ref = `t${++refs}`;
      ws?.send(JSON.stringify({ type: 'control', ref, callId, set, route, break: false }));
      return new Promise((resolve, reject) => {
        const start = Date.now();
        const poll = setInterval(() => {
          const r = controlResults.get(ref);
          if (r) {
            clearInterval(poll);
            resolve(r);
          } else if (Date.now() - start > 5000) {
            clearInterval(poll);
            reject(new Error(`no control-result for ${ref}`));
          }
        }, 10);
      });
    },
    close() {
      wanted = false;
      ws?.terminate();
    },
  };
}
