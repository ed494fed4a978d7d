import { describe, expect, it } from 'vitest';
import { repairSettings } from '@/utils/settings/repair-settings';
import { DEFAULT_SETTINGS } from '@/utils/settings/schema';

describe('repairSettings', () => {
  it('returns the defaults, without problems, for nothing stored', () => {
    expect(repairSettings(undefined)).toEqual({ settings: DEFAULT_SETTINGS, problems: [] });
  });

  it('replaces only the invalid field with its default and names it', () => {
    const { settings, problems } = repairSettings({
      connection: { url: 'wss://pbx.example.com', kind: 'carrier-pigeon' },
      advanced: { lookupTimeoutMs: -5, historySize: 500 },
    });
    expect(settings.connection.url).toBe('wss://pbx.example.com');
    expect(settings.connection.kind).toBe('json-ws');
    expect(settings.advanced.lookupTimeoutMs).toBe(2000);
    expect(settings.advanced.historySize).toBe(500);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^connection\.kind: .*default/);
    expect(problems[1]).toMatch(/^advanced\.lookupTimeoutMs: /);
  });

  it('drops a bad list item alone and keeps the rest', () => {
    const { settings, problems } = repairSettings({
      connection: { endpoints: ['PJSIP/100', '', 'PJSIP/101'] },
      cti: {
        applicationRules: [
          { type: 'queue', name: 'support', url: 'https://crm/q' },
          { type: 'spaceship' },
          { type: 'ivr' },
        ],
      },
    });
    expect(settings.connection.endpoints).toEqual(['PJSIP/100', 'PJSIP/101']);
    expect(settings.cti.applicationRules.map((r) => r.type)).toEqual(['queue', 'ivr']);
    expect(settings.cti.applicationRules[1]).toEqual({ type: 'ivr', name: '', direction: 'any', did: '', url: '' });
    expect(problems).toEqual([
      expect.stringMatching(/^connection\.endpoints\[1\]: .*dropped/),
      expect.stringMatching(/^cti\.applicationRules\[1\]: .*dropped/),
    ]);
  });

  it('reports unknown keys and a group that is not an object, keeping everything else', () => {
    const { settings, problems } = repairSettings({ numbers: 'DE', legacy: 1, behaviour: { popOn: 'answer', colour: 'red' } });
    expect(settings.behaviour.popOn).toBe('answer');
    expect(settings.numbers).toEqual(DEFAULT_SETTINGS.numbers);
    expect(problems).toEqual([
      'numbers: not a group of settings; its defaults are used.',
      'legacy: unknown setting, ignored.',
      'behaviour.colour: unknown setting, ignored.',
    ]);
  });

  it('falls back to all defaults for a stored value that is not an object', () => {
    const { settings, problems } = repairSettings('garbage');
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(problems).toEqual(['The stored settings are not an object; all defaults are used.']);
  });

  it('never quotes a secret value in a problem', () => {
    const secret = 'x'.repeat(5000);
    const { settings, problems } = repairSettings({ connection: { secret } });
    expect(settings.connection.secret).toBe('');
    expect(problems.join('\n')).not.toContain('xxxx');
  });
});
