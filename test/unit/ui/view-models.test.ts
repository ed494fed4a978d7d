import { describe, expect, it } from 'vitest';
import { callParty, callTimer, formatDuration } from '@/components/call-card-model';
import { connectionSummary } from '@/components/connection-model';
import { filterHistory, formatCallTime } from '@/components/history-model';
import type { Call } from '@/utils/calls/call';
import type { HistoryEntry } from '@/utils/view-state';

const call = (over: Partial<Call>): Call => ({
  id: 'c1',
  direction: 'inbound',
  state: 'ringing',
  applications: [],
  offeredAt: 1_000,
  variables: { calleridnumber: '+49 30 1234567', calleridname: 'Müller' },
  ...over,
});

describe('formatDuration', () => {
  it('formats minutes and hours, never negative', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(75.9)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(-4)).toBe('0:00');
  });
});

describe('callTimer', () => {
  it('counts ringing from ringingAt, talking from answeredAt, and freezes at the end', () => {
    expect(callTimer(call({ ringingAt: 2_000 }), 9_500)).toEqual({ stateKey: 'call_state_ringing', seconds: 7 });
    expect(callTimer(call({ state: 'answered', answeredAt: 10_000 }), 75_000)).toEqual({ stateKey: 'call_state_answered', seconds: 65 });
    expect(callTimer(call({ state: 'ended', answeredAt: 10_000, endedAt: 40_000 }), 999_000)).toEqual({ stateKey: 'call_state_ended', seconds: 30 });
    expect(callTimer(call({ state: 'offered' }), 4_000)).toEqual({ stateKey: 'call_state_offered', seconds: 3 });
  });
});

describe('callParty', () => {
  it('shows the number as the name when there is no name', () => {
    expect(callParty(call({}))).toEqual({ name: 'Müller', number: '+49 30 1234567' });
    expect(callParty(call({ variables: { calleridnumber: '100' } }))).toEqual({ name: '100', number: '' });
  });
});

describe('connectionSummary', () => {
  it('says how long until the next attempt, rounding up', () => {
    expect(connectionSummary({ state: 'reconnecting', since: 0, nextRetryAt: 4_200 }, 1_000)).toEqual({ tone: 'warn', key: 'conn_reconnecting_in', subs: [4] });
    expect(connectionSummary({ state: 'reconnecting', since: 0, nextRetryAt: 500 }, 1_000).subs).toEqual([0]);
  });
  it('carries the error reason and maps every state to a tone', () => {
    expect(connectionSummary({ state: 'error', since: 0, lastError: 'HTTP 401: check the token' }, 0)).toEqual({ tone: 'error', key: 'conn_error', subs: ['HTTP 401: check the token'] });
    expect(connectionSummary({ state: 'connected', since: 0 }, 0).tone).toBe('ok');
    expect(connectionSummary({ state: 'unconfigured', since: 0 }, 0).tone).toBe('idle');
  });
});

const entry = (id: string, over: Partial<HistoryEntry>): HistoryEntry => ({
  id,
  direction: 'inbound',
  number: '+49 30 1234567',
  name: 'Müller',
  startedAt: 0,
  endedAt: 0,
  outcome: 'answered',
  billsec: 10,
  postcall: 'none',
  ...over,
});

describe('filterHistory', () => {
  const history = [
    entry('a', { startedAt: 1, name: 'Müller GmbH' }),
    entry('b', { startedAt: 3, name: 'Schmidt', number: '0171 5551234', outcome: 'missed' }),
    entry('c', { startedAt: 2, name: '', number: '100', outcome: 'missed' }),
  ];
  it('finds by name case-insensitively and by digits whatever the spacing', () => {
    expect(filterHistory(history, { query: 'müller', outcome: 'all' }).map((e) => e.id)).toEqual(['a']);
    expect(filterHistory(history, { query: '5551234', outcome: 'all' }).map((e) => e.id)).toEqual(['b']);
    expect(filterHistory(history, { query: '+4930 123', outcome: 'all' }).map((e) => e.id)).toEqual(['a']);
  });
  it('filters by outcome and sorts newest first', () => {
    expect(filterHistory(history, { query: '', outcome: 'missed' }).map((e) => e.id)).toEqual(['b', 'c']);
    expect(filterHistory(history, { query: ' ', outcome: 'all' }).map((e) => e.id)).toEqual(['b', 'c', 'a']);
  });
});

describe('formatCallTime', () => {
  it('shows only the time for today and the date for earlier days', () => {
    const now = Date.UTC(2024, 10, 27, 15, 0);
    expect(formatCallTime(now - 3_600_000, now, 'en-GB')).not.toMatch(/2024|24/);
    expect(formatCallTime(now - 3 * 86_400_000, now, 'en-GB')).toMatch(/24/);
  });
});
