import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Call } from '@/utils/calls/call';
import { buildCdr, cdrKey, dispositionOf } from '@/utils/cdr/build-cdr';

const base: Call = {
  id: '1795823036.0',
  direction: 'inbound',
  state: 'ended',
  applications: [],
  // Asterisk's own CDR for the recorded trace a_inbound_answered_caller_hangup.
  offeredAt: Date.parse('2026-11-27T23:43:56.302Z'),
  answeredAt: Date.parse('2026-11-27T23:44:01.500Z'),
  endedAt: Date.parse('2026-11-27T23:44:07.400Z'),
  cause: 16,
  variables: { calleridnumber: '+15551234567', calleridname: 'Carol Customer', exten: '100', context: 'internal', channel: 'PJSIP/pstn-00000000', uniqueid: '1795823036.0' },
};

describe('buildCdr', () => {
  it('matches the fields Asterisk wrote for the recorded inbound call', () => {
    const row = readFileSync(new URL('../../fixtures/cdr/a_inbound_answered_caller_hangup.cdr.csv', import.meta.url), 'utf8');
    const cdr = buildCdr(base);
    expect(row).toContain(`"${cdr.src}","${cdr.dst}","${cdr.dcontext}"`);
    expect(row).toContain(`"""Carol Customer"" <+15551234567>"`);
    expect(cdr.clid).toBe('"Carol Customer" <+15551234567>');
    expect(row).toContain(`"${cdr.start}","${cdr.answer}","${cdr.end}",${cdr.duration},${cdr.billsec},"${cdr.disposition}","${cdr.amaflags}","${cdr.uniqueid}"`);
  });

  it('derives dispositions from the hangup cause of unanswered calls', () => {
    expect(dispositionOf({ cause: 17 })).toBe('BUSY');
    expect(dispositionOf({ cause: 21 })).toBe('BUSY');
    expect(dispositionOf({ cause: 26 })).toBe('NO ANSWER');
    expect(dispositionOf({ cause: 127 })).toBe('NO ANSWER');
    expect(dispositionOf({ cause: 34 })).toBe('CONGESTION');
    expect(dispositionOf({ cause: 1 })).toBe('FAILED');
    expect(dispositionOf({ cause: 16, answeredAt: 5 })).toBe('ANSWERED');
    expect(buildCdr({ ...base, answeredAt: undefined, cause: 127 }).billsec).toBe('0');
  });

  it('lets the PBX CDR win and caps the account code at 19 characters', () => {
    const cdr = buildCdr({ ...base, variables: { ...base.variables, accountcode: 'ACME-1001-ABCDEFGHIJKLMNOP' }, pbxCdr: { billsec: '7', disposition: 'ANSWERED', userfield: 'x' } });
    expect(cdr.billsec).toBe('7');
    expect(cdr.userfield).toBe('x');
    expect(cdr.accountcode).toBe('ACME-1001-ABCDEFGHI');
    expect(cdrKey(base)).toBe(cdrKey({ ...base }));
  });
});
