import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerFrame } from '../../utils/connectors/json-protocol';
import type { StreamClient } from './stream-clients';
import { tokenMatches, type StreamContext } from './stream-context';

const RETRY_MS = 1000;

/**
 * The Server-Sent Events endpoint (`/events`): the same frames as the WebSocket, one per `data:`
 * line, call frames with `id:`. Auth is `Authorization: Bearer <token>`; `?token=` is accepted too
 * because a browser EventSource cannot set headers. Users come from `?users=a,b`, the resume point
 * from `Last-Event-ID` (or `?lastEventId=`).
 */
export function handleSse(ctx: StreamContext, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const cors = { 'Access-Control-Allow-Origin': '*' };
  if (req.method === 'OPTIONS') {
    // The preflight a cross-origin fetch with Authorization and Last-Event-ID sends first (an
    // extension without host permission for this origin).
    res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': 'authorization, last-event-id', 'Access-Control-Max-Age': '600' }).end();
    return;
  }
  if (!ctx.accepting()) {
    res.writeHead(503, { ...cors, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'simulator stopped' }));
    return;
  }
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  if (!tokenMatches(ctx.token, bearer ?? url.searchParams.get('token') ?? undefined)) {
    ctx.authFailed('sse');
    res.writeHead(401, { ...cors, 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' }).end(JSON.stringify({ error: 'token rejected' }));
    return;
  }
  const users = (url.searchParams.get('users') ?? '').split(',').map((u) => u.trim()).filter((u) => u !== '');
  const lastHeader = req.headers['last-event-id'];
  const lastEventId = (Array.isArray(lastHeader) ? lastHeader[0] : lastHeader) ?? url.searchParams.get('lastEventId') ?? undefined;

  res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
  res.write(`retry: ${RETRY_MS}\n\n`);
  const client: StreamClient = {
    transport: 'sse',
    users,
    connectedAt: ctx.now(),
    write: (f: ServerFrame) => void res.write(`${f.type === 'call' ? `id: ${f.id}\n` : ''}data: ${JSON.stringify(f)}\n\n`),
    writeRaw: (text) => void res.write(`${text.split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`),
    destroy: () => res.socket?.destroy(),
  };
  const opening = ctx.opening(users, lastEventId === undefined ? undefined : { lastEventId });
  ctx.registry.add(client);
  ctx.connected(client);
  res.on('close', () => ctx.registry.remove(client));
  for (const f of opening) ctx.registry.send(client, f);
}
