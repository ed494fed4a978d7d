import { describe, expect, it } from 'vitest';
import { createJsonSession } from '@/utils/connectors/json-session';

const frame = (id: string, event: Record<string, unknown>) => JSON.stringify({ type: 'call', id, callId: 'c1', at: 1, users: ['PJSIP/100'], ...event });
const session = (active: string[] = []) => createJsonSession({ endpoints: ['PJSIP/100'], token: 't0k', activeCallIds: () => active, now: () => 99 });

describe('JSON stream session', () => {
  it('sends the token in the auth frame and resumes from the last event id', () => {
    const s = session();
    expect(s.authFrame()).toEqual({ type: "auth", protocol: 1, token: "t0k", users: ["PJSIP/100"], resume: undefined, client: undefined });
    s.handle(JSON.stringify({ type: 'hello', protocol: 1, serverId: 'x', resumeToken: 'r1', resumed: false, heartbeatMs: 15000 }));
    s.handle(frame('7', { event: 'ringing' }));
    expect(s.authFrame().type === 'auth' && s.authFrame()).toMatchObject({ resume: { token: 'r1', lastEventId: '7' } });
  });

  it('translates call frames for me, drops other users and duplicate ids', () => {
    const s = session();
    const offered = s.handle(frame('1', { event: 'offered', direction: 'inbound', variables: { calleridnumber: '+4930123' } }));
    expect(offered.events).toEqual([{ type: 'offered', callId: 'c1', at: 1, direction: 'inbound', variables: { calleridnumber: '+4930123' } }]);
    expect(s.handle(frame('1', { event: 'offered', direction: 'inbound', variables: {} })).events).toEqual([]);
    expect(s.handle(JSON.stringify({ type: 'call', id: '2', callId: 'c2', at: 1, users: ['PJSIP/101'], event: 'ringing' })).events).toEqual([]);
  });

  it('counts broken, oversize and invalid frames without throwing, and reports unknown types once', () => {
    const s = session();
    expect(s.handle('{not json').problem).toMatch(/not valid JSON/);
    expect(s.handle('x'.repeat(300_000)).problem).toMatch(/over the/);
    expect(s.handle(JSON.stringify({ type: 'call', id: '3', event: 'ringing' })).problem).toMatch(/protocol v1/);
    s.handle(JSON.stringify({ type: 'presence', user: 'x' }));
    s.handle(JSON.stringify({ type: 'presence', user: 'y' }));
    expect(s.stats).toMatchObject({ dropped: 3, unknownTypes: ['presence'] });
  });

  it('ends the calls a snapshot no longer lists', () => {
    const s = session(['c1', 'c2']);
    expect(s.handle(JSON.stringify({ type: 'snapshot', callIds: ['c2'] })).events).toEqual([{ type: 'ended', callId: 'c1', at: 99 }]);
  });

  it('passes control results back by reference', () => {
    expect(session().handle(JSON.stringify({ type: 'control-result', ref: 'c4', ok: false, reason: 'no such call' })).controlResult).toEqual({ ref: 'c4', ok: false, reason: 'no such call' });
  });
});
