import { describe, expect, it } from 'vitest';
import { mergePolicy } from '@/utils/settings/merge-policy';
import { repairSettings } from '@/utils/settings/repair-settings';

const user = repairSettings({
  connection: { url: 'wss://user.example', secret: 'user-token' },
  behaviour: { popOn: 'answer' },
}).settings;

describe('mergePolicy', () => {
  it('lets valid policy values win and locks exactly those paths', () => {
    const { settings, locked, problems } = mergePolicy(user, {
      connection: { url: 'wss://pbx.corp.example/ws', endpoints: ['PJSIP/200'] },
      cti: { popupUrl: 'https://crm.corp.example/?n=%%calleridnumber%%' },
    });
    expect(settings.connection.url).toBe('wss://pbx.corp.example/ws');
    expect(settings.connection.endpoints).toEqual(['PJSIP/200']);
    expect(settings.behaviour.popOn).toBe('answer');
    expect([...locked].sort()).toEqual(['connection.endpoints', 'connection.url', 'cti.popupUrl']);
    expect(problems).toEqual([]);
    expect(user.connection.url).toBe('wss://user.example'); // the user's values are not mutated
  });

  it('ignores and reports an invalid policy value, keeping the user value unlocked', () => {
    const { settings, locked, problems } = mergePolicy(user, { advanced: { lookupTimeoutMs: 10 }, behaviour: { target: 'tab' } });
    expect(settings.advanced.lookupTimeoutMs).toBe(2000);
    expect(settings.behaviour.target).toBe('tab');
    expect([...locked]).toEqual(['behaviour.target']);
    expect(problems).toEqual([expect.stringMatching(/^advanced\.lookupTimeoutMs: the policy value is invalid/)]);
  });

  it('never takes a secret from policy', () => {
    const { settings, locked, problems } = mergePolicy(user, { connection: { secret: 'policy-token' } });
    expect(settings.connection.secret).toBe('user-token');
    expect(locked.size).toBe(0);
    expect(problems).toHaveLength(1);
  });

  it('treats an empty or missing policy as no policy', () => {
    expect(mergePolicy(user, {}).locked.size).toBe(0);
    expect(mergePolicy(user, undefined).settings).toEqual(user);
  });
});
