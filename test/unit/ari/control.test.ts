import { describe, expect, it } from 'vitest';
import { ariControlRequests, ariRequestUrl } from '../../../utils/connectors/ari-control';

const id = '1764289267.42';
const base = `/ari/channels/${id}`;

describe('ARI control requests from a CTI reply', () => {
  it('sets caller ID, account codes and recording, then continues to the route', () => {
    const reqs = ariControlRequests(id, {
      set: { calleridname: 'ACME Inc OVRDUE', calleridnumber: '+15551234567', accountcode: 'ACME-1001', acc_code2: 'X2', acc_code3: 'X3', record: 'yes' },
      route: { type: 'extension', name: '2000' },
      break: true,
    });
    expect(reqs).toEqual([
      { method: 'POST', path: `${base}/variable`, query: { variable: 'CALLERID(name)', value: 'ACME Inc OVRDUE' } },
      { method: 'POST', path: `${base}/variable`, query: { variable: 'CALLERID(num)', value: '+15551234567' } },
      { method: 'POST', path: `${base}/variable`, query: { variable: 'CHANNEL(accountcode)', value: 'ACME-1001' } },
      { method: 'POST', path: `${base}/variable`, query: { variable: 'CTIPOP_RECORD', value: 'yes' } },
      { method: 'POST', path: `${base}/variable`, query: { variable: 'CTIPOP_ACC_CODE2', value: 'X2' } },
      { method: 'POST', path: `${base}/variable`, query: { variable: 'CTIPOP_ACC_CODE3', value: 'X3' } },
      { method: 'POST', path: `${base}/variable`, query: { variable: 'CTIPOP_BREAK', value: '1' } },
      { method: 'POST', path: `${base}/continue`, query: { context: 'from-internal', extension: '2000', priority: '1' } },
    ]);
  });

  it('always ends with a continue, even for an empty reply', () => {
    expect(ariControlRequests(id, { set: {}, route: null, break: false })).toEqual([{ method: 'POST', path: `${base}/continue`, query: {} }]);
  });

  it('maps route types to dialplan targets, with per-PBX overrides', () => {
    const target = (type: 'queue' | 'ivr' | 'voicemail' | 'group', routes = {}) => ariControlRequests(id, { set: {}, route: { type, name: '601' }, break: false }, routes).at(-1)?.query;
    expect(target('queue')).toEqual({ context: 'ext-queues', extension: '601', priority: '1' });
    expect(target('ivr')).toEqual({ context: 'ivr-601', extension: 's', priority: '1' });
    expect(target('voicemail')).toEqual({ context: 'ext-local', extension: 'vmu601', priority: '1' });
    expect(target('group', { group: { context: 'rg-{name}', exten: 's' } })).toEqual({ context: 'rg-601', extension: 's', priority: '1' });
  });

  it('percent-encodes channel ids in the path and values in the URL', () => {
    const [first] = ariControlRequests('a/b', { set: { calleridname: 'Müller & Söhne #1' }, route: null, break: false });
    expect(first?.path).toBe('/ari/channels/a%2Fb/variable');
    expect(ariRequestUrl('https://pbx:8089/ari/', first!)).toBe('https://pbx:8089/ari/channels/a%2Fb/variable?variable=CALLERID%28name%29&value=M%C3%BCller+%26+S%C3%B6hne+%231');
    expect(ariRequestUrl('http://127.0.0.1:8088', first!)).toMatch(/^http:\/\/127\.0\.0\.1:8088\/ari\/channels\//);
  });
});
