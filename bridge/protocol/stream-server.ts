import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CallFrame } from '../../utils/connectors/json-protocol';
import type { StreamBackend } from './stream-backend';
import { createClientRegistry, type StreamClient } from './stream-clients';
import { createSseEndpoint } from './sse-endpoint';
import { createWsEndpoint } from './ws-endpoint';

/**
 * The one server-side implementation of the CTI Pop event stream (README "Event stream
 * protocol"), used by the simulator and by the bridge's edges: mount `upgrade` on the WebSocket
 * path and `sse` on the SSE path of any Node HTTP server, and `publish` call frames.
 */
export function createStreamServer(backend: StreamBackend, opts: { heartbeatMs: number; allowQueryToken?: boolean }) {
  const registry = createClientRegistry({ heartbeatMs: opts.heartbeatMs, now: () => backend.now() });
  const expiries = new Map<StreamClient, NodeJS.Timeout>();
  // A token's expiry ends the connection it opened, not just the next one.
  const joined = (client: StreamClient) => {
    const at = client.principal.expiresAt;
    if (at === undefined) return;
    const t = setTimeout(() => {
      expiries.delete(client);
      kick(client, 'token-expired', 'the token expired; ask your administrator for a new one');
    }, Math.max(0, Math.min(at - backend.now(), 2 ** 31 - 1)));
    t.unref();
    expiries.set(client, t);
  };
  const kick = (client: StreamClient, code: string, message: string) => {
    clearTimeout(expiries.get(client));
    expiries.delete(client);
    registry.remove(client);
    client.refuse(code, message);
  };
  const ws = createWsEndpoint(backend, registry, joined);
  const sse = createSseEndpoint(backend, registry, joined, { allowQueryToken: opts.allowQueryToken ?? false });
  return {
    registry,
    upgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => ws.handleUpgrade(req, socket, head),
    sse: (req: IncomingMessage, res: ServerResponse, url: URL) => void sse(req, res, url),
    publish: (frame: CallFrame, scope?: string) => registry.broadcast(frame, scope),
    /** Closes, with an `error` frame, every connection `matches` picks (a revoked token). */
    kick(matches: (client: StreamClient) => boolean, code: string, message: string): number {
      const hit = [...registry.clients()].filter(matches);
      for (const c of hit) kick(c, code, message);
      return hit.length;
    },
    close() {
      for (const t of expiries.values()) clearTimeout(t);
      registry.killAll();
      registry.close();
      ws.close();
    },
  };
}

export type StreamServer = ReturnType<typeof createStreamServer>;
