import { describe, expect, it } from 'vitest';
import { originPattern, requiredOrigins } from '@/utils/settings/required-origins';
import { repairSettings } from '@/utils/settings/repair-settings';

describe('requiredOrigins', () => {
  it('collects the origin of every CTI template once, without ports', () => {
    const settings = repairSettings({
      connection: { kind: 'json-ws', url: 'wss://pbx.example.com/ws' },
      cti: {
        popupUrl: 'https://CRM.example.com:8443/contact?n=%%calleridnumber%%',
        inboundUrl: 'https://crm.example.com/cti/in?n=%%calleridnumber%%',
        postCallUrl: 'http://10.0.0.5/cdr?d=%%duration%%',
        applicationRules: [{ type: 'queue', url: 'https://queues.example.org/q' }],
      },
    }).settings;
    expect(requiredOrigins(settings)).toEqual({
      patterns: ['http://10.0.0.5/*', 'https://crm.example.com/*', 'https://queues.example.org/*'],
      problems: [],
    });
  });

  it('adds the http(s) origin of an ARI or SSE stream', () => {
    const ari = repairSettings({ connection: { kind: 'ari', url: 'wss://pbx.example.com:8089/ari/events' } }).settings;
    expect(requiredOrigins(ari).patterns).toEqual(['https://pbx.example.com/*']);
    const sse = repairSettings({ connection: { kind: 'json-sse', url: 'http://127.0.0.1:8080/events' } }).settings;
    expect(requiredOrigins(sse).patterns).toEqual(['http://127.0.0.1/*']);
  });

  it('reports a template whose host is not literal', () => {
    const settings = repairSettings({ cti: { outboundUrl: 'https://%%user%%.crm.example/x' } }).settings;
    expect(requiredOrigins(settings)).toEqual({ patterns: [], problems: [expect.stringMatching(/^cti\.outboundUrl: /)] });
  });

  it('reads literal origins only', () => {
    expect(originPattern('https://[::1]:9000/x')).toBe('https://[::1]/*');
    expect(originPattern('ftp://x/')).toBeUndefined();
    expect(originPattern('%%url%%')).toBeUndefined();
  });
});
