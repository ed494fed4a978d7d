import { describe, expect, it } from 'vitest';
import { exportSettings, importSettings } from '@/utils/settings/export-settings';
import { repairSettings } from '@/utils/settings/repair-settings';
import { DEFAULT_SETTINGS } from '@/utils/settings/schema';

const settings = repairSettings({
  connection: { url: 'wss://pbx.example.com/ws', secret: 'top-secret-token' },
  cti: { popupUrl: 'https://crm.example.com/?n=%%calleridnumber%%' },
}).settings;

describe('exportSettings', () => {
  it('writes only changed values and leaves secrets out', () => {
    const text = exportSettings(settings);
    expect(text).not.toContain('top-secret-token');
    expect(JSON.parse(text)).toEqual({
      format: 'cti-pop-settings',
      version: 1,
      settings: { connection: { url: 'wss://pbx.example.com/ws' }, cti: { popupUrl: 'https://crm.example.com/?n=%%calleridnumber%%' } },
    });
  });

  it('includes secrets only when asked', () => {
    expect(JSON.parse(exportSettings(settings, { includeSecrets: true })).settings.connection.secret).toBe('top-secret-token');
  });
});

describe('importSettings', () => {
  it('round-trips an export and keeps the current secret the file does not carry', () => {
    const current = { ...settings, connection: { ...settings.connection, secret: 'mine' } };
    const result = importSettings(exportSettings(settings), current);
    expect(result).toEqual({ ok: true, problems: [], secretDropped: false, settings: current });
  });

  it('drops the stored secret when the file points the connection at another origin or kind', () => {
    const current = { ...settings, connection: { ...settings.connection, secret: 'mine' } };
    const elsewhere = importSettings(JSON.stringify({ connection: { url: 'wss://attacker.example/ws' } }), current);
    expect(elsewhere).toMatchObject({ ok: true, secretDropped: true, problems: [expect.stringContaining('enter the PBX secret again')] });
    if (elsewhere.ok) expect(elsewhere.settings.connection.secret).toBe('');
    const otherKind = importSettings(JSON.stringify({ connection: { kind: 'json-sse', url: 'wss://pbx.example.com/ws' } }), current);
    expect(otherKind).toMatchObject({ ok: true, secretDropped: true });
    // Same origin, another path: still the same server, the secret stays.
    const samePlace = importSettings(JSON.stringify({ connection: { url: 'wss://pbx.example.com/other' } }), current);
    expect(samePlace).toMatchObject({ ok: true, secretDropped: false, settings: { connection: { secret: 'mine' } } });
    // A file that brings its own secret sends that one, not ours.
    const own = importSettings(JSON.stringify({ connection: { url: 'wss://other.example/ws', secret: 'theirs' } }), current);
    expect(own).toMatchObject({ ok: true, secretDropped: false, settings: { connection: { secret: 'theirs' } } });
  });

  it('accepts a bare settings object and repairs it field by field', () => {
    const result = importSettings('{"behaviour":{"popOn":"never","target":"tab"}}', DEFAULT_SETTINGS);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.settings.behaviour.target).toBe('tab');
    expect(result.settings.behaviour.popOn).toBe('ring');
    expect(result.problems).toEqual([expect.stringMatching(/^behaviour\.popOn: /)]);
  });

  it('explains a file that is not JSON or not an object', () => {
    expect(importSettings('{oops', DEFAULT_SETTINGS)).toEqual({ ok: false, error: expect.stringMatching(/^The file is not valid JSON/) });
    expect(importSettings('[1,2]', DEFAULT_SETTINGS)).toEqual({ ok: false, error: 'The file does not contain a settings object.' });
  });

  it('refuses a file from a newer settings version', () => {
    const result = importSettings('{"format":"cti-pop-settings","version":9,"settings":{}}', DEFAULT_SETTINGS);
    expect(result.ok).toBe(false);
  });
});
