import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dialNumber, DIAL_STRING, type DialRules } from '@/utils/dial/dial-number';
import { ariOriginateRequest, planDial } from '@/utils/dial/plan-dial';
import { dialCommand } from '@/utils/cli/dial-command';
import { DEFAULT_SETTINGS } from '@/utils/settings/schema';

const DE: DialRules = { homeCountry: 'DE', outsidePrefix: '0', intlPrefix: '', internalDigits: 4, sendAs: 'pbx' };
const dial = (input: string, rules: Partial<DialRules> = {}) => {
  const r = dialNumber(input, { ...DE, ...rules });
  return r.ok ? r.value.dial : `refused: ${r.error}`;
};

describe('dialNumber', () => {
  it.each([
    ['030 1234567', '00301234567'],
    ['+49 (30) 123-4567', '00301234567'],
    ['0049 30 1234567', '00301234567'],
    ['tel:+49-30-1234567', '00301234567'],
    ['tel:+4930123456;ext=12;phone-context=example.com', '0030123456'],
    ['tel:%2B4930123456', '0030123456'],
    ['callto://+4930123456', '0030123456'],
    ['sip:+4930123456@pbx.example.com;user=phone', '0030123456'],
    ['+1 212 555 0100', '00012125550100'],
    ['\u202A+49 30 1234567\u202C', '00301234567'],
    ['＋４９ ３０ １２３４５６７', '00301234567'],
    ['100', '100'],
    ['1234', '1234'],
    ['+49 30 1234567\n', '00301234567'],
  ])('%j dials as %s', (input, expected) => expect(dial(input)).toBe(expected));

  it('follows the rules: no outside prefix, an own international prefix, E.164, NANP home', () => {
    expect(dial('+44 20 7946 0123', { outsidePrefix: '' })).toBe('00442079460123');
    expect(dial('+44 20 7946 0123', { intlPrefix: '000' })).toBe('0000442079460123');
    expect(dial('+44 20 7946 0123', { homeCountry: 'US', outsidePrefix: '9' })).toBe('9011442079460123');
    expect(dial('030 1234567', { sendAs: 'e164' })).toBe('+49301234567');
    expect(dial('12345', { internalDigits: 5 })).toBe('12345');
    expect(dial('100', { internalDigits: 0 })).toBe('refused: not a phone number: 3 digits are not a possible phone number in DE');
  });

  it.each([
    ['', /no number/],
    ['   ', /no number/],
    ['abc', /letters/],
    ['030 1234567 x12', /letters/],
    ['100&PJSIP/200', /"&"/],
    ['100@pbx', /"@"/],
    ['030/1234567', /"\/"/],
    ['100,200', /","/],
    ['100;200', /";"/],
    ['*98', /"\*"/],
    ['100\u0000', /control/],
    ['030\n1234567', /control/],
    ['++49 30 1', /\+/],
    ['+49 1', /3 digits are not a possible phone number/],
    ['tel:%E0%A4%A', /URI/],
    ['x'.repeat(200), /longer/],
  ])('%j is refused', (input, reason) => {
    const r = dialNumber(input, DE);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });

  it('gives only digits (and a leading +) to the PBX, whatever the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), fc.boolean(), (input, e164) => {
      const r = dialNumber(input, { ...DE, sendAs: e164 ? 'e164' : 'pbx' });
      if (r.ok) expect(r.value.dial).toMatch(DIAL_STRING);
    }), { numRuns: 3000 });
  });
});

describe('planDial and the ARI originate request', () => {
  const settings = {
    ...DEFAULT_SETTINGS,
    connection: { ...DEFAULT_SETTINGS.connection, endpoints: ['PJSIP/100', 'PJSIP/101'] },
    dialling: { ...DEFAULT_SETTINGS.dialling, context: 'from-internal' },
  };
  const target = { context: 'from-internal', callerId: '', ringTimeoutS: 30 };

  it('rings the chosen phone, the setting, or the first; never one the user does not have', () => {
    expect(planDial('100', settings).ok && planDial('100', settings)).toMatchObject({ value: { endpoint: 'PJSIP/100' } });
    expect(planDial('100', settings, 'PJSIP/101')).toMatchObject({ value: { endpoint: 'PJSIP/101' } });
    expect(planDial('100', { ...settings, dialling: { ...settings.dialling, phone: 'PJSIP/101' } })).toMatchObject({ value: { endpoint: 'PJSIP/101' } });
    expect(planDial('100', settings, 'PJSIP/200')).toMatchObject({ ok: false });
    expect(planDial('100', { ...settings, connection: { ...settings.connection, endpoints: [] } })).toMatchObject({ ok: false });
  });

  it('no input string changes the endpoint, the context or adds a destination (property)', () => {
    const phone = fc.constantFrom(undefined, 'PJSIP/100', 'PJSIP/101');
    const hostile = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.tuple(fc.constantFrom('tel:', 'sip:', 'callto:', ''), fc.string({ maxLength: 20 }), fc.constantFrom('&PJSIP/666', '@evil', ';context=x', ',w', '\n', '/x', '&Local/1@y'), fc.string({ maxLength: 10 })).map((p) => p.join('')),
      fc.stringMatching(/^[+]?[0-9 ()./,;&@-]{0,30}$/),
    );
    fc.assert(fc.property(hostile, phone, fc.boolean(), (input, choice, asDialled) => {
      const plan = planDial(input, settings, choice, asDialled);
      if (!plan.ok) return;
      const request = ariOriginateRequest(plan.value, target, 'ctipop-x');
      expect(request.ok).toBe(true);
      if (!request.ok) return;
      const q = request.value.query;
      expect(q.endpoint).toBe(choice ?? 'PJSIP/100');
      expect(q.context).toBe('from-internal');
      expect(q.extension).toMatch(DIAL_STRING);
      expect(Object.keys(q).sort()).toEqual(['callerId', 'channelId', 'context', 'endpoint', 'extension', 'priority', 'timeout']);
      expect(request.value.path).toBe('/ari/channels');
    }), { numRuns: 3000 });
  });

  it('calls back an outbound call with the digits the PBX dialled, prefixes and all, not re-read', () => {
    expect(planDial('00301234567', settings, undefined, true)).toMatchObject({ value: { number: { dial: '00301234567' } } });
    expect(planDial('100&PJSIP/101', settings, undefined, true)).toMatchObject({ ok: false });
  });

  it('the CLI prints the dial string, the ARI request, or refused with exit 1', () => {
    expect(dialCommand('030 1234567', { country: 'DE', outsidePrefix: '0' })).toEqual({ output: '00301234567\n', exitCode: 0 });
    expect(dialCommand('+4930123456', { country: 'DE', e164: true })).toEqual({ output: '+4930123456\n', exitCode: 0 });
    const ari = dialCommand('tel:0301234567', { country: 'DE', connector: 'ari', me: 'PJSIP/100', context: 'C' });
    expect(JSON.parse(ari.output)).toMatchObject({ method: 'POST', path: '/ari/channels', query: { endpoint: 'PJSIP/100', extension: '0301234567', context: 'C', priority: '1' } });
    expect(dialCommand('100&PJSIP/200', { country: 'DE' })).toMatchObject({ exitCode: 1, output: expect.stringMatching(/^refused: not a phone number/) });
  });
});
