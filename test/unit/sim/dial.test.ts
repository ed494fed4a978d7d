import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { CallEvent } from '../../../utils/calls/call-event';
import { createAriTranslator } from '../../../utils/connectors/ari-translate';
import { ariRequestUrl } from '../../../utils/connectors/ari-control';
import { ariOriginateRequest, planDial } from '../../../utils/dial/plan-dial';
import { DEFAULT_SETTINGS } from '../../../utils/settings/schema';
import { createAriEmulator } from '../../sim/ari/emulator';
import { startSimulator, type Simulator } from '../../sim/server';
import { SIM_USERS } from '../../sim/sim-users';

const FAST = { answerMs: 60, farRingMs: 20, farAnswerMs: 60, talkMs: 60 };
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const until = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
};
const settings = { ...DEFAULT_SETTINGS, connection: { ...DEFAULT_SETTINGS.connection, endpoints: ['PJSIP/100'] }, numbers: { homeCountry: 'DE' } };

describe('click-to-dial on the simulator', () => {
  it('ARI: POST /channels rings the phone first (AppDial2), then the number; the translator sees one outbound call to the dialled number', async () => {
    const emulator = createAriEmulator({ users: SIM_USERS.map((u) => ({ ...u })), dialTiming: FAST });
    sim = await startSimulator({ plugin: emulator });
    const ws = new WebSocket(`${sim.url.replace('http', 'ws')}/ari/events?app=t&subscribeAll=true&api_key=cti:secret`);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.on('open', r));
    const plan = planDial('030 1234567', settings);
    if (!plan.ok) throw new Error(plan.error);
    const request = ariOriginateRequest(plan.value, { context: 'from-internal', callerId: '', ringTimeoutS: 30 }, 'ctipop-test-1');
    if (!request.ok) throw new Error(request.error);
    const url = new URL(ariRequestUrl(sim.url, request.value));
    url.searchParams.set('api_key', 'cti:secret');
    const response = await fetch(url, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: 'ctipop-test-1', name: expect.stringMatching(/^PJSIP\/100-/) });
    // Every channel gone, not just the first: the emulation scrambles the order across channels,
    // so the first ChannelDestroyed may be the far end's while the phone's is still to come.
    const count = (type: string) => frames.filter((f) => f.type === type).length;
    await until(() => count('ChannelDestroyed') > 0 && count('ChannelDestroyed') === count('ChannelCreated'));
    ws.close();
    const first = frames.find((f) => f.type === 'ChannelDialplan') as { channel: { dialplan: { app_name: string } } };
    expect(first.channel.dialplan.app_name).toBe('AppDial2');
    const t = createAriTranslator({ endpoints: ['PJSIP/100'], trunks: ['PJSIP/pstn'] });
    const events: CallEvent[] = frames.flatMap((f) => t.handle(JSON.stringify(f)));
    // The dialplan's Set(CALLERID(all)=…) after the pick-up shows as a `variables` event.
    expect(events.map((e) => e.type).filter((type) => type !== 'variables')).toEqual(['offered', 'ringing', 'answered', 'ended']);
    expect(events[0]).toMatchObject({ callId: 'ctipop-test-1', direction: 'outbound', variables: { exten: '0301234567', calleridnumber: '100' } });
    expect(emulator.controlLog().filter((r) => r.path === '/ari/channels')).toHaveLength(1);
  });

  it('ARI: refusals as a real Asterisk gives them: read-only 403, unknown or offline phone 500, told apart by GET /endpoints', async () => {
    const emulator = createAriEmulator({ users: SIM_USERS.map((u) => ({ ...u })), dialTiming: FAST });
    sim = await startSimulator({ plugin: emulator });
    const post = (endpoint: string, key = 'cti:secret') => fetch(`${sim!.url}/ari/channels?endpoint=${encodeURIComponent(endpoint)}&extension=100&context=from-internal&api_key=${key}`, { method: 'POST' });
    expect((await post('PJSIP/100', 'viewer:secret')).status).toBe(403);
    expect((await post('PJSIP/999')).status).toBe(500);
    expect((await fetch(`${sim.url}/ari/endpoints/PJSIP/999?api_key=viewer:secret`)).status).toBe(404);
    emulator.setOffline('PJSIP/101', true);
    expect((await post('PJSIP/101')).status).toBe(500);
    expect(await (await fetch(`${sim.url}/ari/endpoints/PJSIP/101?api_key=viewer:secret`)).json()).toMatchObject({ state: 'offline' });
    expect((await post('nope')).status).toBe(400);
  });

  it('JSON stream: a dial frame places one call for a user of the connection and names it; others are refused', async () => {
    sim = await startSimulator({ dialTiming: FAST });
    const ws = new WebSocket(sim.wsUrl);
    const frames: Record<string, unknown>[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'auth', protocol: 1, token: 'sim-token', users: ['PJSIP/100'] }));
    ws.send(JSON.stringify({ type: 'dial', ref: 'd1', endpoint: 'PJSIP/100', number: '0301234567' }));
    ws.send(JSON.stringify({ type: 'dial', ref: 'd2', endpoint: 'PJSIP/101', number: '0301234567' }));
    ws.send(JSON.stringify({ type: 'dial', ref: 'd3', endpoint: 'PJSIP/100', number: '100&PJSIP/101' }));
    await until(() => frames.some((f) => f.event === 'ended'));
    ws.close();
    const result = frames.find((f) => f.type === 'dial-result' && f.ref === 'd1') as { callId: string; ok: boolean };
    expect(result.ok).toBe(true);
    expect(frames.find((f) => f.ref === 'd2')).toMatchObject({ ok: false, reason: expect.stringMatching(/not one of this connection's users/) });
    expect(frames.find((f) => f.type === 'error')).toMatchObject({ code: 'bad-frame' });
    const calls = frames.filter((f) => f.type === 'call');
    expect(calls.map((f) => f.event)).toEqual(['offered', 'ringing', 'answered', 'ended']);
    expect(calls[0]).toMatchObject({ callId: result.callId, direction: 'outbound', variables: { exten: '0301234567', calleridnumber: '100' } });
    expect(sim.state().dialMessages).toHaveLength(2);
  });
});
