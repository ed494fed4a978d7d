import { describe, expect, it } from 'vitest';
import type { Call } from '@/utils/calls/call';
import { historyEntry } from '@/utils/calls/history-entry';

const ended = (over: Partial<Call>): Call => ({
  id: 'c1',
  direction: 'inbound',
  state: 'ended',
  applications: [],
  offeredAt: 1_000_000,
  ringingAt: 1_000_500,
  endedAt: 1_030_000,
  variables: { calleridnumber: '+4930123456', calleridname: 'Hans' },
  ...over,
});

describe('historyEntry', () => {
  it('builds the line of an answered call with its billed seconds and pending post-call record', () => {
    expect(historyEntry(ended({ answeredAt: 1_010_000, cause: 16 }), 'ctipop-c1-0', 5)).toEqual({
      id: 'c1',
      direction: 'inbound',
      number: '+4930123456',
      name: 'Hans',
      startedAt: 1_000_000,
      endedAt: 1_030_000,
      outcome: 'answered',
      billsec: 20,
      postcall: 'pending',
      postcallKey: 'ctipop-c1-0',
    });
  });

  it('tells missed, answered elsewhere (cause 26), busy and failed calls apart', () => {
    const outcome = (cause: number | undefined) => historyEntry(ended({ cause }), undefined, 5).outcome;
    expect(outcome(16)).toBe('missed');
    expect(outcome(undefined)).toBe('missed');
    expect(outcome(26)).toBe('answered-elsewhere');
    expect(outcome(17)).toBe('busy');
    expect(outcome(34)).toBe('failed');
    expect(outcome(1)).toBe('failed');
  });

  it('has no post-call record without a key, 0 billed seconds unanswered, and ends now when the end time is missing', () => {
    const entry = historyEntry(ended({ endedAt: undefined, variables: {} }), undefined, 1_040_000);
    expect(entry).toMatchObject({ postcall: 'none', postcallKey: undefined, billsec: 0, endedAt: 1_040_000, number: '', name: '' });
  });
});
