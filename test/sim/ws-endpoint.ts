import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { clientFrame, PROTOCOL_VERSION, type ServerFrame } from '../../utils/connectors/json-protocol';
import type { StreamClient } from './stream-clients';
import { tokenMatches, type StreamContext } from './stream-context';

const AUTH_TIMEOUT_MS = 10_000;

/** The protocol-v1 WebSocket endpoint (`/stream`): auth first, then hello + replay or snapshot. */
export function createWsEndpoint(ctx: StreamContext) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });

  const sendNow = (ws: WebSocket, frame: ServerFrame) => ws.send(JSON.stringify(frame));
  const refuse = (ws: WebSocket, code: number, errorCode: string, message: string) => {
    sendNow(ws, { type: 'error', code: errorCode, message });
    ws.close(code, errorCode);
  };

  wss.on('connection', (ws: WebSocket) => {
    let client: StreamClient | undefined;
    const authTimer = setTimeout(() => refuse(ws, 4408, 'auth-timeout', `send an auth frame within ${AUTH_TIMEOUT_MS} ms`), AUTH_TIMEOUT_MS);
    ws.on('close', () => {
      clearTimeout(authTimer);
      if (client) ctx.registry.remove(client);
    });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data: RawData) => {
      let json: unknown;
      try {
        json = JSON.parse(data.toString());
      } catch {
        json = undefined;
      }
      const parsed = clientFrame.safeParse(json);
      if (!parsed.success) {
        if (client) return ctx.registry.send(client, { type: 'error', code: 'bad-frame', message: 'frame is not a valid protocol-v1 client frame' });
        return refuse(ws, 4400, 'bad-frame', 'the first frame must be a valid auth frame');
      }
      const frame = parsed.data;
      if (!client) {
        clearTimeout(authTimer);
        if (frame.type !== 'auth') return refuse(ws, 4401, 'auth-required', 'send an auth frame first');
        if (frame.protocol !== PROTOCOL_VERSION) return refuse(ws, 4400, 'protocol', `this server speaks protocol ${PROTOCOL_VERSION}, not ${frame.protocol}`);
        if (!tokenMatches(ctx.token, frame.token)) {
          ctx.authFailed('ws');
          return refuse(ws, 4401, 'auth', 'token rejected');
        }
        const c: StreamClient = {
          transport: 'ws',
          users: frame.users,
          connectedAt: ctx.now(),
          client: frame.client,
          write: (f) => { if (ws.readyState === ws.OPEN) sendNow(ws, f); },
          writeRaw: (text) => { if (ws.readyState === ws.OPEN) ws.send(text); },
          destroy: () => ws.terminate(),
        };
        client = c;
        const opening = ctx.opening(frame.users, frame.resume);
        ctx.registry.add(c);
        ctx.connected(c);
        for (const f of opening) ctx.registry.send(c, f);
        return;
      }
      if (frame.type === 'ping') return ctx.registry.send(client, { type: 'pong', nonce: frame.nonce });
      if (frame.type === 'control') return ctx.registry.send(client, ctx.control(frame));
      if (frame.type === 'dial') return ctx.registry.send(client, ctx.dial(frame, client.users));
      ctx.registry.send(client, { type: 'error', code: 'already-authenticated', message: 'auth is only accepted as the first frame' });
    });
  });

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
      if (!ctx.accepting()) {
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
