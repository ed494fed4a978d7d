import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerFrame } from '../../utils/connectors/json-protocol';
import type { StreamBackend } from './stream-backend';
import type { ClientRegistry, StreamClient } from './stream-clients';

const RETRY_MS = 1000;

/**
 * The Server-Sent Events endpoint: the same frames as the WebSocket, one per `data:` line, call
 * frames with `id:`. Auth is `Authorization: Bearer <token>`; with `allowQueryToken` (the
 * simulator, for EventSource pages) `?token=` too. Users come from `?users=a,b`, the resume point
 * from `Last-Event-ID` (or `?lastEventId=`). Refused credentials: HTTP 401 whose body is the
 * protocol's `error` frame.
 */
export function createSseEndpoint(backend: StreamBackend, registry: ClientRegistry, joined: (client: StreamClient) => void, opts: { allowQueryToken: boolean }) {
  const cors = { 'Access-Control-Allow-Origin': '*' };
  return async function handleSse(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method === 'OPTIONS') {
      // The preflight a cross-origin fetch with Authorization and Last-Event-ID sends first (an
      // extension without host permission for this origin).
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': 'authorization, last-event-id', 'Access-Control-Max-Age': '600' }).end();
      return;
    }
    if (!backend.accepting()) {
      res.writeHead(503, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ type: 'error', code: 'unavailable', message: 'not accepting connections' }));
      return;
    }
    const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const token = bearer ?? (opts.allowQueryToken ? url.searchParams.get('token') ?? undefined : undefined);
    const users = (url.searchParams.get('users') ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
    const outcome = await backend.authenticate(token, users, 'sse');
    if (!outcome.ok) {
      backend.authFailed?.('sse', outcome.code);
      res.writeHead(401, { ...cors, 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' }).end(JSON.stringify({ type: 'error', code: outcome.code, message: outcome.message }));
      return;
    }
    if (res.destroyed) return;
    const lastHeader = req.headers['last-event-id'];
    const lastEventId = (Array.isArray(lastHeader) ? lastHeader[0] : lastHeader) ?? url.searchParams.get('lastEventId') ?? undefined;

    res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write(`retry: ${RETRY_MS}\n\n`);
    const event = (f: ServerFrame, json: string) => `${f.type === 'call' ? `id: ${f.id}\n` : ''}data: ${json}\n\n`;
    const client: StreamClient = {
      transport: 'sse',
      principal: outcome.principal,
      connectedAt: backend.now(),
      write: (f, json) => void res.write(event(f, json ?? JSON.stringify(f))),
      writeRaw: (text) => void res.write(`${text.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`),
      refuse: (code, message) => {
        const f: ServerFrame = { type: 'error', code, message };
        res.end(event(f, JSON.stringify(f)));
      },
      destroy: () => res.socket?.destroy(),
    };
    const opening = backend.opening(client.principal, lastEventId === undefined ? undefined : { lastEventId });
    registry.add(client);
    backend.connected?.(client);
    joined(client);
    res.on('close', () => registry.remove(client));
    for (const f of opening) registry.send(client, f);
  };
}
