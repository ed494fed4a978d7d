import { afterEach, describe, expect, it } from 'vitest';
import type { CallFrame, ServerFrame } from '../../../utils/connectors/json-protocol';
import { startSimulator, type Simulator } from '../../sim/server';
import { openWs } from './stream-clients';

const FAST = 1000;
let sim: Simulator;
afterEach(async () => sim?.close());

const auth = (users: string[] = [], extra: Record<string, unknown> = {}) => ({ type: 'auth', protocol: 1, token: 'sim-token', users, ...extra });
const calls = (frames: ServerFrame[]) => frames.filter((f): f is CallFrame => f.type === 'call');
const ended = (n: number) => (frames: ServerFrame[]) => calls(frames).filter((f) => f.event === 'ended').length >= n;

async function played(name: string, speed = FAST) {
  const r = sim.play(name, { speed });
  if (!r.ok) throw new Error(r.error);
  await r.value.done;
  return r.value;
}

describe('simulator WebSocket /stream', () => {
  it('rejects a wrong token with an error frame and close 4401', async () => {
    sim = await startSimulator();
    const c = await openWs(sim.wsUrl);
    c.send(auth([], { token: 'nope' }));
    const { code } = await c.closed;
    expect(code).toBe(4401);
    expect(c.frames()).toEqual([expect.objectContaining({ type: 'error', code: 'auth' })]);
    expect(sim.state().authFailures).toBe(1);
  });

  it('says hello, then an empty snapshot, then the calls of its users only, all valid frames', async () => {
    sim = await startSimulator();
    const c = await openWs(sim.wsUrl);
    c.send(auth(['PJSIP/100']));
    await c.until((f) => f.length >= 2);
    expect(c.frames()[0]).toMatchObject({ type: 'hello', protocol: 1, serverId: sim.serverId, resumed: false, heartbeatMs: 15000 });
    expect(c.frames()[1]).toEqual({ type: 'snapshot', callIds: [] });
    await played('queue-ring-all');
    await c.until(ended(1));
    expect(c.received.every((r) => r.frame !== undefined)).toBe(true);
    const mine = calls(c.frames());
    expect(mine.every((f) => f.users.includes('PJSIP/100'))).toBe(true);
    expect(mine.at(-1)).toMatchObject({ event: 'ended', cause: 26 });
    const ids = mine.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it('resume with lastEventId replays exactly the missed events', async () => {
    sim = await startSimulator();
    const watcher = await openWs(sim.wsUrl);
    watcher.send(auth(['PJSIP/100']));
    const c = await openWs(sim.wsUrl);
    c.send(auth(['PJSIP/100']));
    await watcher.until((f) => f.length >= 2);
    await c.until((f) => f.length >= 2);
    await played('inbound-answered');
    await c.until(ended(1));
    const seen = calls(c.frames());
    const last = seen[1]!;
    c.ws.close();
    await c.closed;
    await played('inbound-busy');
    await played('internal');
    await watcher.until(ended(3));
    const all = calls(watcher.frames());
    const missed = all.slice(all.findIndex((f) => f.id === last.id) + 1);

    const r = await openWs(sim.wsUrl);
    r.send(auth(['PJSIP/100'], { resume: { token: sim.serverId, lastEventId: last.id } }));
    await r.until((f) => calls(f).length >= missed.length);
    await new Promise((res) => setTimeout(res, 30));
    expect(r.frames()[0]).toMatchObject({ type: 'hello', resumed: true });
    expect(r.frames().slice(1)).toEqual(missed);
  });

  it('sends snapshot and current state when the buffer no longer reaches back', async () => {
    sim = await startSimulator({ bufferSize: 3 });
    await played('inbound-busy');
    const r = sim.play('inbound-answered', { speed: 1 });
    if (!r.ok) throw new Error(r.error);
    await new Promise((res) => setTimeout(res, 200)); // ringing at 100 ms, answered at 5.1 s
    const c = await openWs(sim.wsUrl);
    c.send(auth(['PJSIP/100'], { resume: { token: sim.serverId, lastEventId: '1' } }));
    const frames = await c.until((f) => calls(f).length >= 2);
    expect(frames[0]).toMatchObject({ type: 'hello', resumed: false });
    expect(frames[1]).toEqual({ type: 'snapshot', callIds: r.value.callIds });
    expect(calls(frames).map((f) => f.event)).toEqual(['offered', 'ringing']);
    expect(calls(frames)[0]).toMatchObject({ callId: r.value.callIds[0], variables: { calleridname: 'Carol Customer' } });
  });

  it('a resume token from another server gets a snapshot', async () => {
    sim = await startSimulator();
    await played('inbound-busy');
    const c = await openWs(sim.wsUrl);
    c.send(auth([], { resume: { token: 'sim-other', lastEventId: '1' } }));
    const frames = await c.until((f) => f.length >= 2);
    expect(frames.map((f) => f.type)).toEqual(['hello', 'snapshot']);
  });

  it('answers ping, applies control to a live call and refuses an unknown one', async () => {
    sim = await startSimulator();
    const c = await openWs(sim.wsUrl);
    c.send(auth([]));
    c.send({ type: 'ping', nonce: 'n1' });
    await c.until((f) => f.some((x) => x.type === 'pong'));
    expect(c.frames().find((f) => f.type === 'pong')).toEqual({ type: 'pong', nonce: 'n1' });

    const r = sim.play('inbound-answered', { speed: 1, withCdr: true });
    if (!r.ok) throw new Error(r.error);
    const callId = r.value.callIds[0]!;
    await c.until((f) => calls(f).some((x) => x.event === 'ringing'));
    c.send({ type: 'control', ref: 'r1', callId, set: { accountcode: 'ACME-1001' }, route: { type: 'queue', name: 'vip' }, break: true });
    c.send({ type: 'control', ref: 'r2', callId: 'nope', set: {}, route: null, break: false });
    const frames = await c.until((f) => f.filter((x) => x.type === 'control-result').length === 2);
    expect(frames.filter((f) => f.type === 'control-result')).toEqual([
      { type: 'control-result', ref: 'r1', ok: true },
      { type: 'control-result', ref: 'r2', ok: false, reason: 'unknown call "nope"' },
    ]);
    expect(sim.state().controlMessages[0]).toMatchObject({ callId, set: { accountcode: 'ACME-1001' }, route: { type: 'queue', name: 'vip' }, break: true, ok: true });
    // Later state reflects the set: a new client's snapshot shows the applied account code.
    const late = await openWs(sim.wsUrl);
    late.send(auth(['PJSIP/100']));
    const lf = await late.until((f) => calls(f).length >= 1);
    expect(calls(lf)[0]).toMatchObject({ event: 'offered', variables: { accountcode: 'ACME-1001' } });
  });

  it('sends heartbeats at the configured interval, and none when silenced', async () => {
    sim = await startSimulator({ heartbeatMs: 30 });
    const c = await openWs(sim.wsUrl);
    c.send(auth([]));
    await c.until((f) => f.filter((x) => x.type === 'heartbeat').length >= 2, 1000);
    expect(c.frames()[0]).toMatchObject({ type: 'hello', heartbeatMs: 30 });
    sim.setHeartbeat(0);
    const count = c.frames().filter((x) => x.type === 'heartbeat').length;
    await new Promise((res) => setTimeout(res, 120));
    expect(c.frames().filter((x) => x.type === 'heartbeat').length).toBe(count);
  });

  it('stop refuses new connections until start; kill drops open ones', async () => {
    sim = await startSimulator();
    const c = await openWs(sim.wsUrl);
    c.send(auth([]));
    await c.until((f) => f.length >= 2);
    await fetch(`${sim.url}/control/stop`, { method: 'POST' });
    await expect(openWs(sim.wsUrl)).rejects.toThrow('503');
    expect((await fetch(`${sim.url}/control/state`).then((r) => r.json())) as unknown).toMatchObject({ accepting: false, connections: 1 });
    const killed = await fetch(`${sim.url}/control/kill`, { method: 'POST' }).then((r) => r.json());
    expect(killed).toEqual({ ok: true, killed: 1 });
    expect((await c.closed).code).toBe(1006);
    sim.start();
    const again = await openWs(sim.wsUrl);
    again.send(auth([]));
    await again.until((f) => f.length >= 2);
    expect(sim.state().connectCount).toBe(2);
  });

  it('inject sends raw text as-is; delay holds frames back', async () => {
    sim = await startSimulator();
    const c = await openWs(sim.wsUrl);
    c.send(auth([]));
    await c.until((f) => f.length >= 2);
    const res = await fetch(`${sim.url}/control/inject`, { method: 'POST', body: JSON.stringify({ frames: ['{broken', '{"type":"heartbeat","at":1}'] }) }).then((r) => r.json());
    expect(res).toEqual({ ok: true, clients: 1 });
    await c.until((f) => f.some((x) => x.type === 'heartbeat'));
    expect(c.received.slice(-2).map((r) => r.raw)).toEqual(['{broken', '{"type":"heartbeat","at":1}']);

    sim.setDelay(150);
    const t0 = Date.now();
    c.send({ type: 'ping', nonce: 'late' });
    await c.until((f) => f.some((x) => x.type === 'pong'));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it('plays scenarios through POST /control/scenario and reports bad requests', async () => {
    sim = await startSimulator();
    const ok = await fetch(`${sim.url}/control/scenario`, { method: 'POST', body: JSON.stringify({ name: 'internal', speed: FAST }) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, callIds: ['internal-c1-1'] });
    const bad = await fetch(`${sim.url}/control/scenario`, { method: 'POST', body: JSON.stringify({ name: '../etc' }) });
    expect(bad.status).toBe(400);
    const inline = await fetch(`${sim.url}/control/scenario`, { method: 'POST', body: JSON.stringify({ scenario: { name: 'x', description: '', calls: [{ id: 'a', from: { number: '1' }, to: { number: '2' }, steps: [{ at: 0, do: 'offer' }] }] } }) });
    expect(await inline.json()).toMatchObject({ ok: true, callIds: ['x-a-2'] });
    const page = await fetch(`${sim.url}/`).then((r) => r.text());
    expect(page).toContain('data-scenario="queue-ring-all"');
  });
});
