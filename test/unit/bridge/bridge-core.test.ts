import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createCallState } from '@/bridge/call-state';
import { bridgeConfig } from '@/bridge/config';
import { routeRefusal } from '@/bridge/control-policy';
import { eventSubject, subjectToken } from '@/bridge/subjects';
import { generateTokenKeys, issueToken, tokenVerifier } from '@/bridge/tokens';
import type { CallFrame } from '@/utils/connectors/json-protocol';

describe('bridge core', () => {
  it('tokens: a signed token verifies until it expires; another key, edited claims or junk are refused by name', () => {
    const keys = generateTokenKeys();
    const verify = tokenVerifier(keys.publicPem);
    const { token, claims } = issueToken(keys.privatePem, { user: 'alice', pbx: 'main', endpoints: ['PJSIP/100'], ttlMs: 60_000, now: 1_000 });
    expect(verify(token, 2_000)).toEqual({ ok: true, claims });
    expect(verify(token, 61_000)).toMatchObject({ ok: false, code: 'token-expired' });
    const other = issueToken(generateTokenKeys().privatePem, { user: 'alice', pbx: 'main', endpoints: ['PJSIP/100'], ttlMs: 60_000, now: 1_000 }).token;
    expect(verify(other, 2_000)).toMatchObject({ ok: false, code: 'token-forged' });
    const [p, body, sig] = token.split('.');
    const wider = Buffer.from(JSON.stringify({ ...claims, endpoints: ['PJSIP/100', 'PJSIP/101'] })).toString('base64url');
    expect(verify(`${p}.${wider}.${sig}`, 2_000)).toMatchObject({ ok: false, code: 'token-forged' });
    expect(verify(`${p}.${body}`, 2_000)).toMatchObject({ ok: false, code: 'token-malformed' });
    expect(verify(undefined, 2_000)).toMatchObject({ ok: false, code: 'token-malformed' });
  });

  it('subjects: one token per id, escaped so distinct ids never collide and no NATS wildcard or dot gets through', () => {
    expect(subjectToken('PJSIP/100')).toBe('PJSIP_2F100');
    expect(eventSubject('main', 'SIP/a.b*>')).toBe('ctipop.ev.main.SIP_2Fa_2Eb_2A_3E');
    expect(subjectToken('a_2F')).not.toBe(subjectToken('a/'));
    expect(subjectToken('PJSIP/ü')).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('control allow-list: unknown types and targets are refused with the reason, `*` allows any target', () => {
    const allow = [{ type: 'queue' as const, targets: ['support'] }, { type: 'extension' as const, targets: ['*'] }];
    expect(routeRefusal(allow, null)).toBeUndefined();
    expect(routeRefusal(allow, { type: 'queue', name: 'support' })).toBeUndefined();
    expect(routeRefusal(allow, { type: 'extension', name: '4711' })).toBeUndefined();
    expect(routeRefusal(allow, { type: 'queue', name: 'billing' })).toContain('queue "billing" is not allowed');
    expect(routeRefusal(allow, { type: 'ivr', name: 'main' })).toContain('route type "ivr" is not allowed');
  });

  it('call state: legs appear with offered, keep their frames in order, leave with ended, per endpoint', () => {
    const s = createCallState();
    const f = (id: number, event: string, user: string, callId = 'c1') => ({ type: 'call', id: String(id), callId, at: id, users: [user], event, direction: 'inbound', variables: {} }) as unknown as CallFrame;
    s.apply(f(1, 'ringing', 'PJSIP/100', 'early'));
    s.apply(f(2, 'offered', 'PJSIP/100'));
    s.apply(f(3, 'offered', 'PJSIP/101'));
    s.apply(f(4, 'ringing', 'PJSIP/100'));
    expect(s.active(['PJSIP/100']).map((c) => [c.callId, c.frames.map((x) => x.id)])).toEqual([['c1', ['2', '4']]]);
    expect(s.has(['PJSIP/101'], 'c1')).toBe(true);
    s.apply(f(5, 'ended', 'PJSIP/101'));
    expect(s.has(['PJSIP/101'], 'c1')).toBe(false);
    const copy = createCallState();
    copy.load(JSON.parse(JSON.stringify(s.toJSON())));
    expect(copy.active([])).toEqual(s.active([]));
  });

  it('the example config in bridge/ is valid', () => {
    const parsed = bridgeConfig.safeParse(JSON.parse(readFileSync(new URL('../../../bridge/bridge.example.json', import.meta.url), 'utf8')));
    expect(parsed.success).toBe(true);
  });
});
