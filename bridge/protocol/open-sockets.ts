import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * The sockets a stream server has open, so closing it can cut every client at once (`close()`
 * alone waits for long-lived WebSocket and SSE connections). Used by the bridge edge and the simulator.
 */
export function trackSockets(server: Server): { destroyAll(): void } {
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return { destroyAll: () => { for (const s of sockets) s.destroy(); } };
}

/** Answers a WebSocket upgrade for a path nobody serves. */
export function refuseUpgrade(socket: Duplex): void {
  socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
}
