import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** Every request seen, in arrival order. */
  requests: IncomingMessage[];
  /** Requests whose handler is still running right now, and the most ever at once. */
  active: () => number;
  maxActive: () => number;
  close: () => Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a free port, for tests that use the real fetch. */
export async function startLocalServer(
  handler: (req: IncomingMessage, res: ServerResponse) => unknown,
): Promise<LocalServer> {
  const requests: IncomingMessage[] = [];
  let active = 0;
  let maxActive = 0;
  const server = createServer((req, res) => {
    requests.push(req);
    active += 1;
    maxActive = Math.max(maxActive, active);
    let counted = true;
    const done = () => {
      if (counted) active -= 1;
      counted = false;
    };
    res.on('close', done);
    void Promise.resolve(handler(req, res)).catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    active: () => active,
    maxActive: () => maxActive,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** An origin nothing listens on: a server is started, its port noted, and the server closed. */
export async function deadOrigin(): Promise<string> {
  const server = await startLocalServer(() => undefined);
  await server.close();
  return server.origin;
}

/** Polls `condition` every 5 ms; fails the test if it is still false after `ms`. */
export async function waitFor(condition: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms`);
    await sleep(5);
  }
}

const started: LocalServer[] = [];

/** A local server closed by the next `closeServers()` (call it in `afterEach`). */
export async function serve(handler: Parameters<typeof startLocalServer>[0]): Promise<LocalServer> {
  const server = await startLocalServer(handler);
  started.push(server);
  return server;
}

export async function closeServers(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.close()));
}
