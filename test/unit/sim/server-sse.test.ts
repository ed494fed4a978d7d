import { afterEach, describe, expect, it } from 'vitest';
import type { CallFrame, ServerFrame } from '../../../utils/connectors/json-protocol';
import { startSimulator, type Simulator } from '../../sim/server';
import { waitFor } from '../lookup/local-server';
import { openSse } from './stream-clients';

let sim: Simulator;
const open: { close(): void }[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  await sim?.close();
});

const calls = (frames: ServerFrame[]) => frames.filter((f): f is CallFrame => f.type === 'call');
const bearer = { Authorization: 'Bearer sim-token' };

async function sse(query: string, headers: Record<string, string> = bearer) {
  const c = await openSse(`${sim.sseUrl}${query}`, headers);
  open.push(c);
  return c;
}

describe('simulator SSE /events', () => {
  it('refuses a missing or wrong bearer token with 401', async () => {
    sim = await startSimulator();
    expect((await sse('', {})).res.status).toBe(401);
    expect((await sse('', { Authorization: 'Bearer nope' })).res.status).toBe(401);
  });

  it('streams hello, snapshot and the users\' call frames, each call frame with its id', async () => {
    sim = await startSimulator();
    const c = await sse('?users=PJSIP/101');
    expect(c.res.headers.get('content-type')).toContain('text/event-stream');
    await c.until((f) => f.length >= 2);
    const r = sim.play('queue-ring-all', { speed: 1000 });
    if (!r.ok) throw new Error(r.error);
    const frames = await c.until((f) => calls(f).some((x) => x.event === 'ended'));
    expect(frames.map((f) => f.type).slice(0, 2)).toEqual(['hello', 'snapshot']);
    expect(calls(frames).every((f) => f.users.includes('PJSIP/101'))).toBe(true);
    expect(calls(frames).map((f) => f.event)).toEqual(['offered', 'application', 'ringing', 'answered', 'ended']);
    c.received.forEach((rec, i) => expect(c.ids[i]).toBe(rec.frame?.type === 'call' ? rec.frame.id : undefined));
    expect(c.lines[0]).toMatch(/^retry: \d+$/);
    expect(sim.state().sse).toBe(1);
    c.close();
    // The server learns of the close from the socket, which on a loaded machine takes more than a fixed 50 ms.
    await waitFor(() => sim.state().sse === 0);
  });

  it('resumes after Last-Event-ID with exactly the missed frames', async () => {
    sim = await startSimulator();
    const first = await sse('?users=PJSIP/100');
    await first.until((f) => f.length >= 2);
    const a = sim.play('inbound-answered', { speed: 1000 });
    if (!a.ok) throw new Error(a.error);
    await a.value.done;
    const seen = calls(await first.until((f) => calls(f).length === 4));
    const b = sim.play('outbound', { speed: 1000 });
    if (!b.ok) throw new Error(b.error);
    await b.value.done;
    const all = calls(await first.until((f) => calls(f).length === 8));

    const resumed = await sse('?users=PJSIP/100', { ...bearer, 'Last-Event-ID': seen[1]!.id });
    const frames = await resumed.until((f) => calls(f).length >= 6);
    expect(frames[0]).toMatchObject({ type: 'hello', resumed: true });
    expect(frames.slice(1)).toEqual(all.slice(2));
  });

  it('answers with a snapshot when Last-Event-ID is unknown', async () => {
    sim = await startSimulator();
    const c = await sse('', { ...bearer, 'Last-Event-ID': '999' });
    const frames = await c.until((f) => f.length >= 2);
    expect(frames[0]).toMatchObject({ type: 'hello', resumed: false });
    expect(frames[1]).toEqual({ type: 'snapshot', callIds: [] });
  });

  it('passes injected text through as data lines and is refused while stopped', async () => {
    sim = await startSimulator();
    const c = await sse('');
    await c.until((f) => f.length >= 2);
    sim.inject(['not json'], 'sse');
    await c.until(() => c.received.length > 2);
    expect(c.received.at(-1)?.raw).toBe('not json');
    sim.stop();
    expect((await sse('')).res.status).toBe(503);
  });
});
