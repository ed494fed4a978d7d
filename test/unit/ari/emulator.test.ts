import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { ariControlRequests, ariRequestUrl } from '../../../utils/connectors/ari-control';
import { createAriEmulator } from '../../sim/ari/emulator';
import { startSimulator, type Simulator } from '../../sim/server';
import { scenarioFile } from './helpers';

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(opts: Parameters<typeof createAriEmulator>[0] = {}) {
  const emulator = createAriEmulator(opts);
  sim = await startSimulator({ plugin: emulator, speed: 100 });
  return { emulator, sim };
}

interface Listener { ws: WebSocket; frames: Record<string, unknown>[]; raw: string[] }

function listen(url: string, headers: Record<string, string> = {}): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const l: Listener = { ws, frames: [], raw: [] };
    ws.on('message', (d) => {
      l.raw.push(String(d));
      l.frames.push(JSON.parse(String(d)) as Record<string, unknown>);
    });
    ws.on('open', () => resolve(l));
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

const eventsUrl = (s: Simulator, q: string) => `${s.url.replace('http', 'ws')}/ari/events?${q}`;
const basic = (pair: string) => ({ Authorization: `Basic ${Buffer.from(pair).toString('base64')}` });
const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('ARI emulator on the simulator', () => {
  it('refuses a wrong api_key, and a wrong Basic header even beside a right api_key', async () => {
    const { sim } = await start();
    await expect(listen(eventsUrl(sim, 'app=a&subscribeAll=true&api_key=cti:wrong'))).rejects.toThrow('HTTP 401');
    await expect(listen(eventsUrl(sim, 'app=a&subscribeAll=true&api_key=cti:secret'), basic('cti:nope'))).rejects.toThrow('HTTP 401');
    const ok = await listen(eventsUrl(sim, 'app=a&subscribeAll=true&api_key=cti:secret'));
    ok.ws.close();
  });

  it('streams a scenario that the translator turns into the expected call; no subscribeAll → nothing', async () => {
    const { sim } = await start();
    const all = await listen(eventsUrl(sim, 'app=cti-100&subscribeAll=true&api_key=cti:secret'));
    const quiet = await listen(eventsUrl(sim, 'app=other&api_key=viewer:secret'));
    const run = sim.play('inbound-answered');
    if (!run.ok) throw new Error(run.error);
    await run.value.done;
    await until(() => all.frames.some((f) => f.type === 'ChannelDestroyed' && (f.channel as { name: string }).name.startsWith('PJSIP/100')));
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    const events = all.raw.flatMap((r) => t.handle(r));
    // Cross-channel order is scrambled (as Asterisk may): a late Dial may refine the call with a `variables` event.
    expect(events.map((e) => e.type).filter((x) => x !== 'variables')).toEqual(['offered', 'ringing', 'answered', 'ended']);
    expect(events[0]?.type === 'offered' && events[0].variables.calleridname).toBe('Carol Customer');
    expect(all.frames.every((f) => f.application === 'cti-100')).toBe(true);
    expect(quiet.frames).toEqual([]);
    all.ws.close();
    quiet.ws.close();
  });

  it('several apps on one socket: each subscribed app gets its own copy (as Asterisk); a REST subscription subscribes one app only', async () => {
    const { sim } = await start();
    const both = await listen(eventsUrl(sim, 'app=x1,x2&subscribeAll=true&api_key=cti:secret'));
    const one = await listen(eventsUrl(sim, 'app=watch,ctl-100,ctl-101&api_key=cti:secret'));
    const post = (q: string, app = 'watch') => fetch(`${sim.url}/ari/applications/${app}/subscription?${q}`, { method: 'POST', headers: basic('cti:secret') });
    expect((await post('eventSource=channel:,bridge:&eventSource=endpoint:,deviceState:')).status).toBe(200);
    expect((await post('eventSource=channel:x')).status).toBe(422);
    expect((await post('eventSource=nope:')).status).toBe(400);
    expect((await post('eventSource=channel:', 'unknown')).status).toBe(404);
    const run = sim.play('inbound-answered');
    if (!run.ok) throw new Error(run.error);
    await run.value.done;
    await until(() => one.frames.some((f) => f.type === 'ChannelDestroyed'));
    await until(() => both.frames.filter((f) => f.type === 'ChannelDestroyed').length >= one.frames.filter((f) => f.type === 'ChannelDestroyed').length * 2);
    const x1 = both.frames.filter((f) => f.application === 'x1').map((f) => ({ ...f, application: '' }));
    const x2 = both.frames.filter((f) => f.application === 'x2').map((f) => ({ ...f, application: '' }));
    expect(x1.length).toBeGreaterThan(0);
    expect(x1.length + x2.length).toBe(both.frames.length);
    expect(new Set(x2.map((f) => JSON.stringify(f)))).toEqual(new Set(x1.map((f) => JSON.stringify(f))));
    expect(one.frames.length).toBe(x1.length);
    expect(one.frames.every((f) => f.application === 'watch')).toBe(true);
    both.ws.close();
    one.ws.close();
  });

  it('a second connection with the same app: the older gets ApplicationReplaced, then silence, and stays open', async () => {
    const { sim } = await start();
    const older = await listen(eventsUrl(sim, 'app=dup&subscribeAll=true&api_key=cti:secret'));
    const newer = await listen(eventsUrl(sim, 'app=dup&subscribeAll=true&api_key=cti:secret'));
    await until(() => older.frames.length > 0);
    const run = sim.play('inbound-busy');
    if (!run.ok) throw new Error(run.error);
    await run.value.done;
    await until(() => newer.frames.some((f) => f.type === 'ChannelDestroyed'));
    expect(older.frames.map((f) => f.type)).toEqual(['ApplicationReplaced']);
    expect(older.ws.readyState).toBe(WebSocket.OPEN);
    older.ws.close();
    newer.ws.close();
  });

  it('GET /ari/channels lists the live channels, with Basic auth or api_key', async () => {
    const { sim } = await start();
    expect((await fetch(`${sim.url}/ari/channels`)).status).toBe(401);
    const run = sim.play(scenarioFile('inbound-answered'), { speed: 10 });
    if (!run.ok) throw new Error(run.error);
    await new Promise((r) => setTimeout(r, 100));
    const viaBasic = (await (await fetch(`${sim.url}/ari/channels`, { headers: basic('viewer:secret') })).json()) as { name: string; state: string }[];
    const viaKey = (await (await fetch(`${sim.url}/ari/channels?api_key=cti:secret`)).json()) as unknown[];
    expect(viaBasic.map((c) => c.name).sort()).toEqual(['PJSIP/100-00000001', 'PJSIP/pstn-00000000']);
    expect(viaBasic.find((c) => c.name.startsWith('PJSIP/100'))?.state).toBe('Ringing');
    expect(viaKey).toEqual(viaBasic);
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    expect(t.reconcile(viaBasic).map((e) => e.type)).toEqual(['offered', 'ringing']);
  });

  it('Stasis: the call waits for our reply, takes the variables set and goes on after continue', async () => {
    const { sim, emulator } = await start({ stasis: { app: 'ctipop-100', calls: ['c1'], deadlineMs: 5000 } });
    const client = await listen(eventsUrl(sim, 'app=ctipop-100&subscribeAll=true&api_key=cti:secret'));
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], app: 'ctipop-100' });
    const events: ReturnType<typeof t.handle> = [];
    client.ws.on('message', (d) => events.push(...t.handle(String(d))));
    const run = sim.play('inbound-answered');
    if (!run.ok) throw new Error(run.error);
    await until(() => events.length > 0);
    const offered = events[0];
    expect(offered?.type).toBe('offered');
    const channel = t.controlChannel(offered?.callId ?? '');
    expect(channel).toBeDefined();
    expect(emulator.parkedChannels()).toEqual([channel]);
    expect(client.frames.some((f) => f.type === 'StasisStart' && JSON.stringify(f.args) === '["inbound","+15559876000"]')).toBe(true);

    // A read-only ARI user may not act on the call.
    const denied = await fetch(`${sim.url}/ari/channels/${channel}/continue`, { method: 'POST', headers: basic('viewer:secret') });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Write access denied' });

    for (const r of ariControlRequests(channel ?? '', { set: { calleridname: 'ACME Inc OVRDUE', accountcode: 'ACME-1001' }, route: null, break: false })) {
      const res = await fetch(ariRequestUrl(sim.url, r), { method: r.method, headers: basic('cti:secret') });
      expect(res.status).toBe(204);
    }
    await run.value.done;
    await until(() => events.some((e) => e.type === 'ended'));
    // Values set through ARI show in later frames: the caller ID at once (ChannelCallerId), the account code with the next snapshot.
    expect(events.filter((e) => e.type !== 'variables').map((e) => e.type)).toEqual(['offered', 'ringing', 'answered', 'ended']);
    const changed = Object.assign({}, ...events.map((e) => (e.type === 'variables' ? e.variables : {}))) as Record<string, string>;
    expect(changed).toEqual({ calleridname: 'ACME Inc OVRDUE', accountcode: 'ACME-1001' });
    expect(emulator.controlLog().map((r) => [r.status, r.path.split('/').at(-1), r.query.variable ?? ''])).toEqual([
      [403, 'continue', ''], [204, 'variable', 'CALLERID(name)'], [204, 'variable', 'CHANNEL(accountcode)'], [204, 'continue', ''],
    ]);
    expect(client.frames.filter((f) => f.type === 'StasisEnd')).toHaveLength(1);
    client.ws.close();
  });

  it('Stasis: with nobody continuing, the call falls through after the deadline', async () => {
    const { sim, emulator } = await start({ stasis: { app: 'ctipop-100', calls: 'all', deadlineMs: 50 } });
    const client = await listen(eventsUrl(sim, 'app=ctipop-100&subscribeAll=true&api_key=cti:secret'));
    const run = sim.play('inbound-busy');
    if (!run.ok) throw new Error(run.error);
    await until(() => client.frames.some((f) => f.type === 'ChannelDestroyed'));
    const types = client.frames.map((f) => f.type);
    expect(types.indexOf('StasisEnd')).toBeGreaterThan(types.indexOf('StasisStart'));
    expect(types.indexOf('Dial')).toBeGreaterThan(types.indexOf('StasisEnd'));
    expect(emulator.controlLog()).toEqual([]);
    client.ws.close();
  });

  it('answers REST over WebSocket: asterisk/ping (the connector’s keep-alive)', async () => {
    const { sim } = await start();
    const client = await listen(eventsUrl(sim, 'app=p&subscribeAll=true&api_key=cti:secret'));
    client.ws.send(JSON.stringify({ type: 'RESTRequest', transaction_id: 't', request_id: 'ping-1', method: 'GET', uri: 'asterisk/ping' }));
    await until(() => client.frames.length > 0);
    expect(client.frames[0]).toMatchObject({ type: 'RESTResponse', request_id: 'ping-1', status_code: 200, application: 'p' });
    expect(JSON.parse(String(client.frames[0]?.message_body))).toMatchObject({ ping: 'pong' });
    const t = createAriTranslator({ endpoints: ['PJSIP/100'] });
    expect(t.handle(client.raw[0])).toEqual([]);
    expect(t.stats().malformed).toBe(0);
    client.ws.close();
  });

  it('kill() drops the event sockets', async () => {
    const { sim } = await start();
    const client = await listen(eventsUrl(sim, 'app=k&subscribeAll=true&api_key=cti:secret'));
    const closed = new Promise((r) => client.ws.on('close', r));
    sim.kill();
    await closed;
  });
});
