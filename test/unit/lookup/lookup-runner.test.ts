import { afterEach, describe, expect, it } from 'vitest';
import { createLookupRunner, type LookupResult, type LookupRunnerOptions } from '../../../utils/lookup/lookup-runner';
import { closeServers, deadOrigin, serve, sleep, waitFor } from './local-server';

afterEach(async () => {
  await closeServers();
});

function runner(overrides: Partial<LookupRunnerOptions> = {}) {
  return createLookupRunner({ fetch, now: () => performance.now(), maxInFlight: 4, maxBytes: 65_536, timeoutMs: 2000, ...overrides });
}

/**
 * Resolves `lookup` and reports how late it ended compared with a plain timer started at the same
 * moment for `deadlineMs`: the runner's own lateness, without the machine's event-loop lag.
 */
async function lateness(lookup: Promise<LookupResult>, deadlineMs: number) {
  const t0 = performance.now();
  const reference = sleep(deadlineMs).then(() => performance.now());
  const result = await lookup;
  const endedAt = performance.now();
  return { result, elapsed: endedAt - t0, late: endedAt - (await reference) };
}

const XML = '<?xml version="1.0"?><ipbx><set><calleridname>Zoë &amp; Co</calleridname></set></ipbx>';

describe('lookup basics', () => {
  it('returns the body of a 200 reply, decoded as UTF-8, with the raw bytes', async () => {
    const server = await serve((_req, res) => res.end(XML));
    const result = await runner().lookup(`${server.origin}/cti?n=%2B4930`);
    expect(result).toMatchObject({ outcome: 'ok', status: 200, body: XML });
    expect(new TextDecoder().decode(result.bytes)).toBe(XML);
    expect(server.requests[0]?.url).toBe('/cti?n=%2B4930');
    expect(server.requests[0]?.method).toBe('GET');
  });

  it('sends no cookies and asks for XML', async () => {
    const server = await serve((_req, res) => res.end(''));
    await runner().lookup(`${server.origin}/`);
    expect(server.requests[0]?.headers.cookie).toBeUndefined();
    expect(server.requests[0]?.headers.accept).toContain('application/xml');
  });

  it('reports a 5xx as outcome http with its status', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    });
    const result = await runner().lookup(`${server.origin}/x`);
    expect(result.outcome).toBe('http');
    expect(result.status).toBe(503);
    expect(result.body).toBeUndefined();
    expect(result.error).toContain('503');
  });

  it('shows no credentials of the URL in its error (the call card and test bench show it)', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 500;
      res.end();
    });
    const url = new URL(`${server.origin}/x?api_key=crm-s3cret&n=1`);
    url.username = 'agent';
    url.password = 'pw-s3cret';
    const result = await runner().lookup(url.href);
    expect(result.error).toContain(`${server.origin}/x?api_key=***&n=1`);
    expect(result.error).not.toMatch(/s3cret|agent/);
  });

  it('reports a refused connection as a network error naming the cause', async () => {
    const result = await runner().lookup(`${await deadOrigin()}/x`);
    expect(result.outcome).toBe('network');
    expect(result.error).toMatch(/ECONNREFUSED/);
  });

  it.each([['ftp://127.0.0.1/x'], ['javascript:alert(1)'], ['file:///etc/passwd'], ['not a url'], ['']])(
    'refuses %j without fetching',
    async (url) => {
      let fetched = false;
      const result = await runner({
        fetch: () => {
          fetched = true;
          return Promise.reject(new Error('unreachable'));
        },
      }).lookup(url);
      expect(result.outcome).toBe('refused');
      expect(fetched).toBe(false);
    },
  );

  it('never throws, even when fetch itself throws synchronously', async () => {
    const result = await runner({
      fetch: () => {
        throw new TypeError('boom');
      },
    }).lookup('http://127.0.0.1:9/x');
    expect(result).toMatchObject({ outcome: 'network' });
    expect(result.error).toContain('boom');
  });
});

describe('deadline', () => {
  it('times out when the headers never come, within 50 ms of the deadline', async () => {
    const server = await serve(() => undefined);
    const { result, elapsed, late } = await lateness(runner({ timeoutMs: 200 }).lookup(`${server.origin}/hang`), 200);
    expect(result.outcome).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(195);
    expect(late).toBeLessThan(50);
    expect(result.ms).toBeGreaterThanOrEqual(195);
  });

  it('times out on a body that trickles in after prompt headers', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<ipbx>');
      const timer = setInterval(() => res.write(' '), 30);
      res.on('close', () => clearInterval(timer));
    });
    const { result, elapsed, late } = await lateness(runner({ timeoutMs: 300 }).lookup(`${server.origin}/slow`), 300);
    expect(result.outcome).toBe('timeout');
    expect(elapsed).toBeGreaterThanOrEqual(295);
    expect(late).toBeLessThan(50);
    await waitFor(() => server.active() === 0); // the connection was closed, not left streaming
  });

  it('lets one lookup override the default timeout', async () => {
    const server = await serve(() => undefined);
    const { result, late } = await lateness(runner({ timeoutMs: 5000 }).lookup(`${server.origin}/hang`, { timeoutMs: 100 }), 100);
    expect(result.outcome).toBe('timeout');
    expect(late).toBeLessThan(50);
  });

  it('gives up at once when the caller aborts', async () => {
    const server = await serve(() => undefined);
    const controller = new AbortController();
    const pending = runner().lookup(`${server.origin}/hang`, { signal: controller.signal });
    await sleep(50);
    const t0 = performance.now();
    controller.abort(new Error('call ended'));
    const result = await pending;
    expect(performance.now() - t0).toBeLessThan(50);
    expect(result.outcome).toBe('timeout');
    expect(result.error).toContain('call ended');
  });
});

describe('size cap', () => {
  it('stops reading a chunked reply as soon as it passes the cap', async () => {
    let written = 0;
    let closedEarly = false;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' }); // no content-length: chunked
      const chunk = 'x'.repeat(4096);
      const timer = setInterval(() => {
        res.write(chunk);
        written += chunk.length;
        if (written >= 10_000_000) {
          clearInterval(timer);
          res.end();
        }
      }, 1);
      res.on('close', () => {
        clearInterval(timer);
        closedEarly = !res.writableFinished;
      });
    });
    const result = await runner({ maxBytes: 10_000 }).lookup(`${server.origin}/big`);
    expect(result).toMatchObject({ outcome: 'invalid', status: 200, error: 'reply larger than 10000 bytes' });
    expect(result.body).toBeUndefined();
    await sleep(50);
    expect(closedEarly).toBe(true);
    expect(written).toBeLessThan(1_000_000);
  });

  it('refuses a declared Content-Length over the cap without reading', async () => {
    const server = await serve((_req, res) => res.end('y'.repeat(2000)));
    const result = await runner({ maxBytes: 1000 }).lookup(`${server.origin}/big`);
    expect(result).toMatchObject({ outcome: 'invalid', error: 'reply larger than 1000 bytes' });
  });

  it('accepts a reply of exactly the cap', async () => {
    const server = await serve((_req, res) => res.end('z'.repeat(1000)));
    const result = await runner({ maxBytes: 1000 }).lookup(`${server.origin}/exact`);
    expect(result.outcome).toBe('ok');
    expect(result.body).toHaveLength(1000);
  });
});

describe('redirects', () => {
  function redirecting(target: (req: string) => string | undefined) {
    return serve((req, res) => {
      const location = target(req.url ?? '');
      if (location === undefined) return void res.end(`final ${req.url}`);
      res.writeHead(302, { location });
      res.end();
    });
  }

  it('follows a same-origin redirect, relative or absolute', async () => {
    const server = await redirecting((url) => (url === '/a' ? '/b' : url === '/b' ? `http://127.0.0.1:${new URL(server.origin).port}/c` : undefined));
    const result = await runner().lookup(`${server.origin}/a`);
    expect(result).toMatchObject({ outcome: 'ok', body: 'final /c' });
    expect(server.requests.map((r) => r.url)).toEqual(['/a', '/b', '/c']);
  });

  it('refuses a redirect to another origin and never contacts it', async () => {
    const other = await serve((_req, res) => res.end('other'));
    const server = await redirecting(() => `${other.origin}/steal`);
    const result = await runner().lookup(`${server.origin}/a`);
    expect(result.outcome).toBe('refused');
    expect(result.status).toBe(302);
    expect(result.error).toContain(`another origin (${other.origin})`);
    expect(other.requests).toHaveLength(0);
  });

  it('follows at most maxRedirects hops', async () => {
    const server = await redirecting((url) => {
      const n = Number(url.slice(1));
      return n < 10 ? `/${n + 1}` : undefined;
    });
    const result = await runner({ maxRedirects: 3 }).lookup(`${server.origin}/0`);
    expect(result.outcome).toBe('refused');
    expect(result.error).toContain('more than 3 redirects');
    expect(server.requests).toHaveLength(4);
    const exactlyThree = await runner({ maxRedirects: 3 }).lookup(`${server.origin}/7`);
    expect(exactlyThree).toMatchObject({ outcome: 'ok', body: 'final /10' });
  });

  it("treats a browser's opaque-redirect response as a refused redirect", async () => {
    const opaque = { type: 'opaqueredirect', status: 0, ok: false, headers: new Headers(), body: null } as unknown as Response;
    const result = await runner({ fetch: async () => opaque }).lookup('https://crm.example/cti');
    expect(result.outcome).toBe('refused');
    expect(result.error).toContain('final address');
  });

  it('asks fetch for manual redirects, no credentials and no cache', async () => {
    let seen: RequestInit | undefined;
    await runner({
      fetch: async (_url, init) => {
        seen = init;
        return new Response('ok');
      },
    }).lookup('https://crm.example/cti');
    expect(seen).toMatchObject({ method: 'GET', redirect: 'manual', credentials: 'omit', cache: 'no-store' });
  });
});

describe('concurrency and coalescing', () => {
  it('keeps at most maxInFlight requests open and queues the rest', async () => {
    const server = await serve(async (_req, res) => {
      await sleep(60);
      res.end('ok');
    });
    const run = runner({ maxInFlight: 2 });
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => run.lookup(`${server.origin}/${n}`)));
    expect(results.every((r) => r.outcome === 'ok')).toBe(true);
    expect(server.requests).toHaveLength(6);
    expect(server.maxActive()).toBe(2);
    // queued lookups waited: the last pair started after two rounds of ~60 ms
    expect(Math.max(...results.map((r) => r.ms))).toBeGreaterThanOrEqual(170);
  });

  it('counts queue time against the deadline', async () => {
    const server = await serve(async (_req, res) => {
      await sleep(300);
      res.end('ok');
    });
    // The first lookup holds the only slot past the second's deadline. Its own deadline is far: with
    // 150 ms of work against 200 ms, a loaded machine made it time out too (expected 'ok').
    const run = runner({ maxInFlight: 1, timeoutMs: 200 });
    const first = run.lookup(`${server.origin}/1`, { timeoutMs: 5000 });
    const { result: second, late } = await lateness(run.lookup(`${server.origin}/2`), 200);
    expect((await first).outcome).toBe('ok');
    expect(second.outcome).toBe('timeout');
    expect(late).toBeLessThan(50);
  });

  it('drops a queued lookup that times out before it starts', async () => {
    const server = await serve(async (_req, res) => {
      await sleep(200);
      res.end('ok');
    });
    const run = runner({ maxInFlight: 1 });
    const first = run.lookup(`${server.origin}/1`);
    const second = await run.lookup(`${server.origin}/2`, { timeoutMs: 50 });
    expect(second.outcome).toBe('timeout');
    expect((await first).outcome).toBe('ok');
    await sleep(20);
    expect(server.requests.map((r) => r.url)).toEqual(['/1']);
  });

  it('sends one request for identical URLs in flight and gives every caller the result', async () => {
    const server = await serve(async (_req, res) => {
      await sleep(80);
      res.end(XML);
    });
    const run = runner();
    const url = `${server.origin}/cti?n=1`;
    const results = await Promise.all([run.lookup(url), run.lookup(url), run.lookup(url), run.lookup(url)]);
    expect(server.requests).toHaveLength(1);
    for (const result of results) expect(result).toMatchObject({ outcome: 'ok', body: XML });
    // not in flight any more: a new lookup makes a new request
    await run.lookup(url);
    expect(server.requests).toHaveLength(2);
  });

  it('lets a coalesced caller time out alone while the others still get the answer', async () => {
    const server = await serve(async (_req, res) => {
      await sleep(150);
      res.end('late');
    });
    const run = runner();
    const url = `${server.origin}/shared`;
    const [impatient, patient] = await Promise.all([run.lookup(url, { timeoutMs: 50 }), run.lookup(url, { timeoutMs: 1000 })]);
    expect(impatient.outcome).toBe('timeout');
    expect(patient).toMatchObject({ outcome: 'ok', body: 'late' });
    expect(server.requests).toHaveLength(1);
  });
});

describe('circuit breaker per origin', () => {
  it('opens after N failures, refuses at once, lets one trial through, then closes', async () => {
    let failing = true;
    const server = await serve(async (_req, res) => {
      await sleep(30);
      res.statusCode = failing ? 500 : 200;
      res.end(failing ? 'down' : 'up');
    });
    const healthy = await serve((_req, res) => res.end('fine'));
    let clock = 0;
    const run = runner({ now: () => clock, breaker: { failureThreshold: 3, coolDownMs: 10_000 } });
    const url = (n: number) => `${server.origin}/${n}`;

    for (const n of [1, 2, 3]) expect((await run.lookup(url(n))).status).toBe(500);
    const refused = await run.lookup(url(4));
    expect(refused.outcome).toBe('circuit-open');
    expect(refused.error).toContain('next try in 10 s');
    expect(server.requests).toHaveLength(3);
    expect((await run.lookup(`${healthy.origin}/x`)).outcome).toBe('ok');

    clock = 10_000; // cool-down over: half-open
    failing = false;
    const trial = run.lookup(url(5));
    const during = await run.lookup(url(6));
    expect(during.outcome).toBe('circuit-open');
    expect(during.error).toContain('trial');
    expect(await trial).toMatchObject({ outcome: 'ok', body: 'up' });

    const after = await Promise.all([run.lookup(url(7)), run.lookup(url(8))]);
    expect(after.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    expect(server.requests.map((r) => r.url)).toEqual(['/1', '/2', '/3', '/5', '/7', '/8']);
  });

  it('reopens when the trial fails', async () => {
    const server = await serve((_req, res) => {
      res.statusCode = 502;
      res.end();
    });
    let clock = 0;
    const run = runner({ now: () => clock, breaker: { failureThreshold: 2, coolDownMs: 1000 } });
    await run.lookup(`${server.origin}/1`);
    await run.lookup(`${server.origin}/2`);
    clock = 1000;
    expect((await run.lookup(`${server.origin}/trial`)).status).toBe(502);
    expect((await run.lookup(`${server.origin}/3`)).outcome).toBe('circuit-open');
    clock = 1999;
    expect((await run.lookup(`${server.origin}/4`)).outcome).toBe('circuit-open');
    clock = 2000;
    expect((await run.lookup(`${server.origin}/5`)).status).toBe(502);
    expect(server.requests).toHaveLength(4);
  });

  it('counts timeouts and network errors but not 4xx replies', async () => {
    const notFound = await serve((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const run = runner({ breaker: { failureThreshold: 2, coolDownMs: 60_000 } });
    for (let i = 0; i < 4; i++) expect((await run.lookup(`${notFound.origin}/${i}`)).status).toBe(404);

    const hanging = await serve(() => undefined);
    await run.lookup(`${hanging.origin}/1`, { timeoutMs: 30 });
    await run.lookup(`${hanging.origin}/2`, { timeoutMs: 30 });
    expect((await run.lookup(`${hanging.origin}/3`)).outcome).toBe('circuit-open');

    const dead = await deadOrigin();
    await run.lookup(`${dead}/1`);
    await run.lookup(`${dead}/2`);
    expect((await run.lookup(`${dead}/3`)).outcome).toBe('circuit-open');
  });

  it('hands the trial on when the trial caller gives up', async () => {
    const server = await serve(() => undefined);
    let clock = 0;
    const run = runner({ now: () => clock, breaker: { failureThreshold: 1, coolDownMs: 100 } });
    await run.lookup(`${server.origin}/1`, { timeoutMs: 20 });
    clock = 100;
    const controller = new AbortController();
    const trial = run.lookup(`${server.origin}/trial`, { signal: controller.signal });
    controller.abort();
    expect((await trial).outcome).toBe('timeout');
    await sleep(10);
    const next = await run.lookup(`${server.origin}/next`, { timeoutMs: 20 });
    expect(next.outcome).toBe('timeout'); // it was sent (not refused as circuit-open)
  });
});
