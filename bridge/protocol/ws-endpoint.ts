import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { clientFrame, PROTOCOL_VERSION, type ServerFrame } from '../../utils/connectors/json-protocol';
import type { StreamBackend } from './stream-backend';
import type { ClientRegistry, StreamClient } from './stream-clients';

const AUTH_TIMEOUT_MS = 10_000;

/**
 * The protocol-v1 WebSocket endpoint: `auth` first (within 10 s), then `hello` + replay or
 * snapshot; `ping` → `pong`; `control` → the backend → `control-result`. Frames that arrive while
 * the credentials are being checked wait for the answer, in order.
 */
export function createWsEndpoint(backend: StreamBackend, registry: ClientRegistry, joined: (client: StreamClient) => void) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });

  const sendNow = (ws: WebSocket, frame: ServerFrame) => ws.send(JSON.stringify(frame));
  const refuse = (ws: WebSocket, code: number, errorCode: string, message: string) => {
    if (ws.readyState !== ws.OPEN) return;
    sendNow(ws, { type: 'error', code: errorCode, message });
    ws.close(code, errorCode);
  };

  wss.on('connection', (ws: WebSocket) => {
    let client: StreamClient | undefined;
    let authenticating = false;
    const queued: RawData[] = [];
    const authTimer = setTimeout(() => refuse(ws, 4408, 'auth-timeout', `send an auth frame within ${AUTH_TIMEOUT_MS} ms`), AUTH_TIMEOUT_MS);
    ws.on('close', () => {
      clearTimeout(authTimer);
      if (client) registry.remove(client);
    });
    ws.on('error', () => ws.terminate());
    const onMessage = (data: RawData) => {
      if (authenticating) return void queued.push(data);
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        json = undefined;
      }
      const parsed = clientFrame.safeParse(json);
      if (!parsed.success) {
        if (client) return registry.send(client, { type: 'error', code: 'bad-frame', message: 'frame is not a valid protocol-v1 client frame' });
        return refuse(ws, 4400, 'bad-frame', 'the first frame must be a valid auth frame');
      }
      const frame = parsed.data;
      if (!client) {
        clearTimeout(authTimer);
        if (frame.type !== 'auth') return refuse(ws, 4401, 'auth-required', 'send an auth frame first');
        if (frame.protocol !== PROTOCOL_VERSION) return refuse(ws, 4400, 'protocol', `this server speaks protocol ${PROTOCOL_VERSION}, not ${frame.protocol}`);
        authenticating = true;
        void Promise.resolve(backend.authenticate(frame.token, frame.users, 'ws')).then((outcome) => {
          authenticating = false;
          if (!outcome.ok) {
            backend.authFailed?.('ws', outcome.code);
            return refuse(ws, 4401, outcome.code, outcome.message);
          }
          if (ws.readyState !== ws.OPEN) return;
          const c: StreamClient = {
            transport: 'ws',
            principal: outcome.principal,
            connectedAt: backend.now(),
            client: frame.client,
            write: (f, json) => { if (ws.readyState === ws.OPEN) ws.send(json ?? JSON.stringify(f)); },
            writeRaw: (text) => { if (ws.readyState === ws.OPEN) ws.send(text); },
            refuse: (code, message) => refuse(ws, 4401, code, message),
            destroy: () => ws.terminate(),
          };
          client = c;
          const opening = backend.opening(c.principal, frame.resume);
          registry.add(c);
          backend.connected?.(c);
          joined(c);
          for (const f of opening) registry.send(c, f);
          for (const d of queued.splice(0)) onMessage(d);
        });
        return;
      }
      const c = client;
      if (frame.type === 'ping') return registry.send(c, { type: 'pong', nonce: frame.nonce });
      if (frame.type === 'control') return void Promise.resolve(backend.control(c.principal, frame)).then((r) => registry.send(c, r));
      if (frame.type === 'dial') {
        if (!backend.dial) return registry.send(c, { type: 'error', code: 'unsupported', message: 'this server does not place calls' });
        return void Promise.resolve(backend.dial(c.principal, frame)).then((r) => registry.send(c, r));
      }
      registry.send(c, { type: 'error', code: 'already-authenticated', message: 'auth is only accepted as the first frame' });
    };
    ws.on('message', onMessage);
  });

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      if (!backend.accepting()) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
