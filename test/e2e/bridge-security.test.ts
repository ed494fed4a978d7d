import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION, type ServerFrame } from '../../utils/connectors/json-protocol';
import { inboundCalls } from '../bridge/bridge-calls';
import { bridgeClient } from '../bridge/bridge-client';
import { startBridgeRig, waitFor, type BridgeRig } from '../bridge/bridge-rig';
import { inLane } from './harness/lanes';

/** Opens a raw WebSocket to an edge, sends `auth`, and collects frames until the server closes. */
async function authOnce(url: string, token: string, users: string[]): Promise<{ frames: ServerFrame[]; code: number }> {
  const ws = new WebSocket(url);
  const frames: ServerFrame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as ServerFrame));
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ type: 'auth', protocol: PROTOCOL_VERSION, token, users }));
  const code = await new Promise<number>((resolve) => {
    ws.once('close', (c) => resolve(c));
    setTimeout(() => { ws.terminate(); resolve(-1); }, 3000);
  });
  return { frames, code };
}

// One rig for the file: three nats-servers, the ARI emulation with Stasis, one ingest, two edges.
// No browser: it runs in the Chromium lane only, so the two lanes do not start two rigs at once.
describe.runIf(inLane('chromium'))('bridge security: per-user tokens, control and dial checks', () => {
  let rig: BridgeRig;
  const refusals: Record<string, unknown>[] = [];
  beforeAll(async () => {
    rig = await startBridgeRig({
      endpoints: ['PJSIP/100', 'PJSIP/101'],
      edges: 2,
      stasis: true,
      allow: [{ type: 'queue', targets: ['support'] }, { type: 'extension', targets: ['*'] }],
      log: (event, fields) => { if (event === 'control-refused') refusals.push(fields ?? {}); },
    });
  });
  afterAll(async () => rig?.close());

  it("a token for PJSIP/100 gets only PJSIP/100's events and cannot control PJSIP/101's calls; the allow-list holds", async () => {
    const alice = bridgeClient({ urls: () => [rig.edges[0]!.wsUrl], token: rig.token(['PJSIP/100']).token, endpoints: ['PJSIP/100'] });
    // Bob's extension asks for nothing in particular: the token decides what he gets.
    const bob = bridgeClient({ urls: () => [rig.edges[1]!.wsUrl], token: rig.token(['PJSIP/101']).token, endpoints: [] });
    alice.connect();
    bob.connect();
    await waitFor(() => alice.isOpen() && bob.isOpen(), 5000, 'both clients');
    rig.play(inboundCalls('security', [{ endpoint: 'PJSIP/100', n: 1 }, { endpoint: 'PJSIP/101', n: 1 }], { ring: 50, answer: 1500, hangup: 2000 }));
    await waitFor(() => alice.events.some((e) => e.type === 'offered') && bob.events.some((e) => e.type === 'offered'), 5000, 'both calls offered');
    const aliceCall = alice.events.find((e) => e.type === 'offered')!.callId;
    const bobCall = bob.events.find((e) => e.type === 'offered')!.callId;
    expect(aliceCall).not.toBe(bobCall);

    // Alice tries Bob's call, then a route outside the allow-list on her own, then a good one.
    const foreign = await alice.control(bobCall, { type: 'extension', name: '100' });
    expect(foreign.ok).toBe(false);
    expect(foreign.reason).toContain('not an active call of PJSIP/100');
    const badType = await alice.control(aliceCall, { type: 'ivr', name: 'main' });
    expect(badType).toMatchObject({ ok: false, reason: expect.stringContaining('route type "ivr" is not allowed') });
    const badTarget = await alice.control(aliceCall, { type: 'queue', name: 'billing' });
    expect(badTarget).toMatchObject({ ok: false, reason: expect.stringContaining('queue "billing" is not allowed') });
    const good = await alice.control(aliceCall, { type: 'queue', name: 'support' }, { accountcode: 'ACME' });
    expect(good.ok).toBe(true);
    // Refusals are reported (the edge's log), with who asked and why.
    expect(refusals.map((r) => r.callId)).toEqual([bobCall, aliceCall, aliceCall]);
    expect(refusals[0]).toMatchObject({ user: 'PJSIP/100' });

    await waitFor(() => alice.events.some((e) => e.type === 'ended') && bob.events.some((e) => e.type === 'ended'), 8000, 'both calls ended');
    expect(new Set(alice.events.map((e) => e.callId))).toEqual(new Set([aliceCall]));
    expect(new Set(bob.events.map((e) => e.callId))).toEqual(new Set([bobCall]));
    // Only Alice's call was touched over ARI, and only as the allowed reply asked; Bob's continued by its own deadline.
    const log = rig.emulator.controlLog();
    expect(log.filter((r) => r.path.includes(aliceCall)).map((r) => [r.path.split('/').pop(), r.query])).toEqual([
      ['variable', { variable: 'CHANNEL(accountcode)', value: 'ACME' }],
      ['continue', { context: 'ext-queues', extension: 'support', priority: '1' }],
    ]);
    expect(log.filter((r) => r.path.includes(bobCall)).map((r) => [r.path.split('/').pop(), r.query])).toEqual([['continue', {}]]);
    alice.close();
    bob.close();
  });

  it('click-to-dial through the bridge: a token rings only its own phones, and the ingest originates exactly once over ARI', async () => {
    const ws = new WebSocket(rig.edges[1]!.wsUrl);
    const frames: ServerFrame[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as ServerFrame));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'auth', protocol: PROTOCOL_VERSION, token: rig.token(['PJSIP/100']).token, users: ['PJSIP/100'] }));
    await waitFor(() => frames.some((f) => f.type === 'hello'), 5000, 'hello');
    const dial = async (ref: string, endpoint: string, number: string) => {
      ws.send(JSON.stringify({ type: 'dial', ref, endpoint, number }));
      await waitFor(() => frames.some((f) => f.type === 'dial-result' && f.ref === ref), 5000, `dial-result ${ref}`);
      return frames.find((f) => f.type === 'dial-result' && f.ref === ref)!;
    };
    const originates = () => rig.emulator.controlLog().filter((r) => r.method === 'POST' && r.path === '/ari/channels');
    expect(await dial('d1', 'PJSIP/101', '0301234567')).toMatchObject({ ok: false, reason: expect.stringContaining("not one of this token's phones") });
    expect(originates()).toEqual([]);
    const placed = await dial('d2', 'PJSIP/100', '0301234567');
    expect(placed).toMatchObject({ ok: true, callId: expect.stringMatching(/^ctipop-/) });
    expect(originates().map((r) => r.query)).toEqual([
      expect.objectContaining({ endpoint: 'PJSIP/100', extension: '0301234567', context: 'from-internal', channelId: (placed as { callId: string }).callId }),
    ]);
    // The placed call comes back through the stream as this phone's outbound call to the number.
    const callId = (placed as { callId: string }).callId;
    const events = () => frames.flatMap((f) => (f.type === 'call' && f.callId === callId ? [f] : []));
    await waitFor(() => events().some((f) => f.event === 'ended'), 8000, 'the dialled call to end');
    expect(events().find((f) => f.event === 'offered')).toMatchObject({ direction: 'outbound', variables: expect.objectContaining({ exten: '0301234567' }) });
    ws.close();
  });

  it('refuses expired, forged, malformed and over-reaching tokens with a clear error frame and close 4401', async () => {
    const url = rig.edges[0]!.wsUrl;
    const expired = await authOnce(url, rig.token(['PJSIP/100'], -1000).token, ['PJSIP/100']);
    expect(expired.frames).toEqual([{ type: 'error', code: 'token-expired', message: expect.stringContaining('expired') }]);
    expect(expired.code).toBe(4401);
    const forged = await authOnce(url, rig.foreignToken(['PJSIP/100']), ['PJSIP/100']);
    expect(forged.frames).toEqual([{ type: 'error', code: 'token-forged', message: expect.stringContaining('signature') }]);
    // A real token whose claims were edited to add PJSIP/101: the signature no longer matches.
    const [p, body, sig] = rig.token(['PJSIP/100']).token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as { endpoints: string[] };
    claims.endpoints.push('PJSIP/101');
    const edited = await authOnce(url, `${p}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`, ['PJSIP/101']);
    expect(edited.frames[0]).toMatchObject({ type: 'error', code: 'token-forged' });
    expect((await authOnce(url, 'sim-token', [])).frames[0]).toMatchObject({ type: 'error', code: 'token-malformed' });
    const overreach = await authOnce(url, rig.token(['PJSIP/100']).token, ['PJSIP/100', 'PJSIP/101']);
    expect(overreach.frames).toEqual([{ type: 'error', code: 'forbidden', message: expect.stringContaining('does not cover PJSIP/101') }]);
  });

  it('a revoked token is refused, and its open connection is closed with an error frame at once', async () => {
    const issued = rig.token(['PJSIP/100']);
    const live = bridgeClient({ urls: () => [rig.edges[1]!.wsUrl], token: issued.token, endpoints: ['PJSIP/100'] });
    live.connect();
    await waitFor(() => live.isOpen(), 5000, 'the client');
    await rig.revoke(issued.claims.jti);
    await waitFor(() => live.errors.length > 0, 5000, 'the revocation to reach the edge');
    expect(live.errors[0]).toMatchObject({ code: 'token-revoked' });
    live.close();
    const again = await authOnce(rig.edges[0]!.wsUrl, issued.token, ['PJSIP/100']);
    expect(again.frames).toEqual([{ type: 'error', code: 'token-revoked', message: 'this token was revoked by an administrator' }]);
  });

  it('SSE: Bearer only (never a token in the URL), refusals as 401 with the error frame, resume by Last-Event-ID', async () => {
    const { token } = rig.token(['PJSIP/100']);
    const sse = rig.edges[0]!.sseUrl;
    const inUrl = await fetch(`${sse}?token=${encodeURIComponent(token)}`);
    expect(inUrl.status).toBe(401);
    expect(await inUrl.json()).toMatchObject({ type: 'error', code: 'token-malformed' });
    const expired = await fetch(sse, { headers: { authorization: `Bearer ${rig.token(['PJSIP/100'], -1).token}` } });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ type: 'error', code: 'token-expired' });

    const read = async (lastEventId?: string) => {
      const abort = new AbortController();
      const res = await fetch(sse, { headers: { authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal: abort.signal });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = '';
      const deadline = Date.now() + 1500;
      while (Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<undefined>((r) => setTimeout(r, 200))]);
        if (chunk && !chunk.done) text += chunk.value;
      }
      abort.abort();
      return text.split('\n\n').filter((b) => b.includes('data: ')).map((b) => ({ id: /^id: (.*)$/m.exec(b)?.[1], frame: JSON.parse(/^data: (.*)$/m.exec(b)![1]!) as ServerFrame }));
    };
    const first = await read();
    expect(first[0]!.frame).toMatchObject({ type: 'hello', resumed: false });
    // Alice's call from the first test is in the stream: resuming from before it replays it, with ids = JetStream sequences.
    const resumed = await read('0');
    expect(resumed[0]!.frame).toMatchObject({ type: 'hello', resumed: true });
    const calls = resumed.filter((e) => e.frame.type === 'call');
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.every((e) => e.frame.type === 'call' && e.frame.users.join() === 'PJSIP/100' && e.id === e.frame.id)).toBe(true);
    const lastId = calls.at(-1)!.id!;
    const fromEnd = await read(lastId);
    expect(fromEnd.filter((e) => e.frame.type === 'call')).toEqual([]);
  });
});
