import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface AriFlood {
  /** Base URL for the extension's ARI settings (`/ari` is appended by the connector). */
  url: string;
  clients(): number;
  /** Sends every frame to every connected client as fast as the socket takes them. */
  flood(frames: string[]): void;
  close(): Promise<void>;
}

/**
 * The smallest ARI face a throughput bench needs: `GET /ari/channels` answers `[]` (with CORS, as
 * host permissions are not granted in tests) and `/ari/events` accepts any key. Frames are sent
 * only when the bench says so, so the time to process them can be measured without the pacing
 * of the simulator's scenario clock.
 */
export async function startAriFlood(): Promise<AriFlood> {
  const wss = new WebSocketServer({ noServer: true });
  const sockets = new Set<WebSocket>();
  const cors = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': 'Authorization', 'Access-Control-Allow-Methods': 'GET, POST' };
  const server = createServer((req, res) => {
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    if (req.url?.startsWith('/ari/channels')) return void res.writeHead(200, { ...cors, 'Content-Type': 'application/json' }).end('[]');
    res.writeHead(404, cors).end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url?.startsWith('/ari/events')) return void socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    clients: () => sockets.size,
    flood(frames) {
      for (const ws of sockets) for (const f of frames) ws.send(f);
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
