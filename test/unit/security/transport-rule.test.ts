import { describe, expect, it } from 'vitest';
import { checkTransport, isLoopbackHost } from '@/utils/connectors/transport-rule';
import { mergePolicy } from '@/utils/settings/merge-policy';
import { repairSettings } from '@/utils/settings/repair-settings';

describe('transport rule for the PBX connection', () => {
  it('refuses ws: and http: to another machine, naming the host and the way out', () => {
    for (const url of ['ws://pbx.lan:8088/ari/events', 'http://10.0.0.5:8088', 'ws://[fe80::1]/ws']) {
      const result = checkTransport(url, false);
      expect(result.ok, url).toBe(false);
      if (!result.ok) expect(result.error).toMatch(/password or token .* read by anyone on the network.*security\.allowPlainPbx/);
    }
  });

  it('allows encrypted transports, loopback, and plain transports an admin allowed', () => {
    for (const url of ['wss://pbx.example.com/ws', 'https://pbx.example.com:8089', 'ws://127.0.0.1:8088/ws', 'http://localhost:8088', 'ws://[::1]:8088/ws', 'ws://127.9.9.9/ws']) {
      expect(checkTransport(url, false).ok, url).toBe(true);
    }
    expect(checkTransport('ws://pbx.lan:8088/ari/events', true).ok).toBe(true);
    expect(checkTransport('ftp://pbx.lan', true).ok).toBe(false);
  });

  it('counts only this computer as loopback', () => {
    expect(['localhost', 'LOCALHOST.', 'pbx.localhost', '127.0.0.1', '[::1]'].every(isLoopbackHost)).toBe(true);
    expect(['127.0.0.1.evil.example', 'localhost.evil.example', '10.0.0.1', '0.0.0.0', '::ffff:7f00:1'].some(isLoopbackHost)).toBe(false);
  });

  it('takes the permission from policy only: a user or an imported file cannot grant it', () => {
    const user = repairSettings({ security: { allowPlainPbx: true } }).settings;
    expect(mergePolicy(user, {}).settings.security.allowPlainPbx).toBe(false);
    const merged = mergePolicy(user, { security: { allowPlainPbx: true } });
    expect(merged.settings.security.allowPlainPbx).toBe(true);
    expect(merged.locked.has('security.allowPlainPbx')).toBe(true);
  });
});
