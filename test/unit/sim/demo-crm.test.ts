import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startDemoCrm, type DemoCrm } from '../../sim/demo-crm';

let crm: DemoCrm;
beforeAll(async () => {
  crm = await startDemoCrm();
});
afterAll(async () => crm.close());
beforeEach(async () => crm.reset());

const mode = (body: unknown) => fetch(`${crm.controlUrl}/control/mode`, { method: 'POST', body: JSON.stringify(body) });
const lookup = (q: string) => fetch(`${crm.url}/cti/lookup?${q}`);

describe('demo CRM', () => {
  it('answers a known caller in any number format with the same XML reply', async () => {
    const replies = await Promise.all(['calleridnumber=%2B4930123456', 'calleridnumber=030123456', 'calleridnumber_e164=%2B4930123456', 'calleridnumber=0049%2030%20123456'].map((q) => lookup(q).then((r) => r.text())));
    for (const r of replies) expect(r).toBe(replies[0]);
    expect(replies[0]).toContain('<set>\n    <calleridname>Hans Schmidt (Schmidt Bau)</calleridname>\n    <accountcode>SCHMIDT-01</accountcode>\n  </set>');
  });

  it('escapes names in XML, adds a route for routed contacts, and says <ipbx/> for strangers', async () => {
    expect(await lookup('calleridnumber=089%205550100').then((r) => r.text())).toContain('<calleridname>Zoë Müller (Müller &amp; Söhne &lt;GmbH&gt;)</calleridname>');
    const routed = await lookup('calleridnumber_e164=%2B4940999888').then((r) => r.text());
    expect(routed).toContain('<route>\n    <type>queue</type>\n    <name>vip</name>\n    <break>1</break>\n  </route>');
    const stranger = await lookup('calleridnumber=%2B19999999999');
    expect(stranger.headers.get('content-type')).toContain('xml');
    expect(await stranger.text()).toContain('<ipbx/>');
  });

  it('records pops with raw and decoded query, and shows the query escaped', async () => {
    const q = 'name=%3Cscript%3Ealert(1)%3C%2Fscript%3E&calleridnumber=%2B15551234567&x=Zo%C3%AB';
    const page = await fetch(`${crm.url}/pop?${q}`, { headers: { 'X-Test': 'yes' } }).then((r) => r.text());
    expect(page).not.toContain('<script>');
    expect(page).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(page).toContain('Carol Customer');
    const [pop] = crm.log().requests;
    expect(pop).toMatchObject({ kind: 'pop', path: '/pop', rawQuery: q, params: { name: '<script>alert(1)</script>', calleridnumber: '+15551234567', x: 'Zoë' }, headers: { 'x-test': 'yes' } });
  });

  it('counts post-call requests per Idempotency-Key and answers CORS preflight', async () => {
    const pre = await fetch(`${crm.url}/postcall`, { method: 'OPTIONS', headers: { Origin: 'chrome-extension://abc', 'Access-Control-Request-Headers': 'idempotency-key' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');
    for (const key of ['k1', 'k1', 'k2']) {
      const r = await fetch(`${crm.url}/postcall?billsec=12`, { headers: { 'Idempotency-Key': key } });
      expect(r.headers.get('access-control-allow-origin')).toBe('*');
    }
    const log = (await fetch(`${crm.controlUrl}/control/log`).then((r) => r.json())) as { postcallCounts: Record<string, number> };
    expect(log.postcallCounts).toEqual({ k1: 2, k2: 1 });
  });

  it('fails on purpose with a status and Retry-After, only on the chosen paths', async () => {
    expect((await mode({ fail: { status: 429, retryAfter: 2 }, paths: ['/cti/lookup'] })).status).toBe(200);
    const r = await lookup('calleridnumber=1');
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('2');
    // A browser hides every response header but a safelisted few from a cross-origin caller (an
    // extension without host permission for the CRM): Retry-After must be exposed, or the outbox
    // never sees it and falls back to its own backoff (the crm-faults "500, then 429" case).
    expect(r.headers.get('access-control-expose-headers')?.split(/\s*,\s*/).map((h) => h.toLowerCase())).toContain('retry-after');
    expect((await fetch(`${crm.url}/postcall`)).status).toBe(200);
    expect((await mode({ fail: 'boom' })).status).toBe(400);
  });

  it('is slow, hangs, trickles the body, and redirects when told', async () => {
    await crm.setMode({ slow: 120 });
    let t0 = Date.now();
    await lookup('calleridnumber=1').then((r) => r.text());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(110);

    await crm.setMode({ slow: 0, slowBody: 160 });
    t0 = Date.now();
    const res = await lookup('calleridnumber=030123456');
    const headersAt = Date.now() - t0;
    expect(await res.text()).toContain('SCHMIDT-01');
    expect(Date.now() - t0 - headersAt).toBeGreaterThanOrEqual(120);

    await crm.setMode({ slowBody: 0, hang: true });
    await expect(fetch(`${crm.url}/cti/lookup`, { signal: AbortSignal.timeout(150) })).rejects.toThrow();

    await crm.setMode({ hang: false, redirect: 'http://127.0.0.1:9' });
    const redirected = await fetch(`${crm.url}/pop?a=1`, { redirect: 'manual' });
    expect(redirected.status).toBe(302);
    expect(redirected.headers.get('location')).toBe('http://127.0.0.1:9/pop?a=1');
  });

  it('forbids framing of /pop when frameable is off', async () => {
    expect((await fetch(`${crm.url}/pop`)).headers.get('x-frame-options')).toBeNull();
    await mode({ frameable: false });
    const r = await fetch(`${crm.url}/pop`);
    expect(r.headers.get('x-frame-options')).toBe('DENY');
    expect(r.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
  });

  it('goes down (connection refused) and comes back up on the same port', async () => {
    await mode({ down: true });
    await expect(fetch(`${crm.url}/cti/lookup`)).rejects.toThrow();
    await mode({ up: true });
    expect((await lookup('calleridnumber=030123456')).status).toBe(200);
  });

  it('reset clears the log and the modes', async () => {
    await crm.setMode({ fail: { status: 500 } });
    await lookup('calleridnumber=1');
    await fetch(`${crm.controlUrl}/control/reset`, { method: 'POST' });
    expect(crm.log().requests).toEqual([]);
    expect((await lookup('calleridnumber=1')).status).toBe(200);
  });
});
