import { describe, expect, it } from 'vitest';
import { callParty } from '@/components/call-card-model';
import { entryParty } from '@/components/history-model';
import type { Call } from '@/utils/calls/call';
import type { HistoryEntry } from '@/utils/view-state';

const HOSTILE = 'Zoë & Co\r\nX-Injected: yes \u202Egnp.exe <b>x</b>';

describe('caller ID on screen', () => {
  it('drops line breaks and bidi overrides from a call card, keeps markup as text', () => {
    const call: Call = { id: 'c1', direction: 'inbound', state: 'ringing', applications: [], offeredAt: 0, variables: { calleridname: HOSTILE, calleridnumber: '+1555\u202E0001' } };
    expect(callParty(call)).toEqual({ name: 'Zoë & CoX-Injected: yes gnp.exe <b>x</b>', number: '+15550001' });
  });

  it('cleans history rows the same way', () => {
    const entry = { name: HOSTILE, number: '+1555\r\n' } as HistoryEntry;
    expect(entryParty(entry)).toEqual({ name: 'Zoë & CoX-Injected: yes gnp.exe <b>x</b>', number: '+1555' });
  });
});
