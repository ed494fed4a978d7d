import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { migrateSettings, SETTINGS_MIGRATIONS, SETTINGS_VERSION, type SettingsMigration } from '@/utils/settings/migrate-settings';
import { repairSettings } from '@/utils/settings/repair-settings';

const saved = JSON.parse(readFileSync(new URL('../../fixtures/settings/v1-saved.json', import.meta.url), 'utf8')) as {
  settingsVersion: number;
  settings: Record<string, unknown>;
};

// A hypothetical version 2 that renamed cti.popupUrl, to prove the mechanism on a saved example.
const renamePopup: SettingsMigration = {
  to: 2,
  migrate: (stored) => {
    const cti = (stored.cti ?? {}) as Record<string, unknown>;
    const { popupUrl, ...rest } = cti;
    return { ...stored, cti: { ...rest, pageUrl: popupUrl } };
  },
};

describe('migrateSettings', () => {
  it('leaves current settings untouched and they repair without problems', () => {
    expect(SETTINGS_VERSION).toBe(1);
    const result = migrateSettings(saved.settings, saved.settingsVersion);
    expect(result).toEqual({ ok: true, value: saved.settings, version: 1 });
    expect(repairSettings(result.value).problems).toEqual([]);
    expect(SETTINGS_MIGRATIONS.map((m) => m.to)).toEqual([]);
  });

  it('runs the steps above the stored version in order', () => {
    const result = migrateSettings(saved.settings, 1, [renamePopup], 2);
    expect(result.ok).toBe(true);
    expect(result.version).toBe(2);
    expect((result.value.cti as Record<string, unknown>).pageUrl).toBe('https://crm.example.com/contact?phone=%%calleridnumber_e164%%');
    expect(saved.settings.cti).toHaveProperty('popupUrl'); // the input is not mutated
  });

  it('skips steps at or below the stored version', () => {
    const result = migrateSettings({ cti: { pageUrl: 'x' } }, 2, [renamePopup], 2);
    expect(result).toEqual({ ok: true, value: { cti: { pageUrl: 'x' } }, version: 2 });
  });

  it('does not advance the version when a step fails', () => {
    const broken: SettingsMigration = { to: 3, migrate: () => { throw new Error('boom'); } };
    const result = migrateSettings(saved.settings, 1, [renamePopup, broken], 3);
    expect(result.ok).toBe(false);
    expect(result.version).toBe(2);
    if (!result.ok) expect(result.error).toBe('Updating the settings to version 3 failed: boom');
  });

  it('refuses to downgrade settings written by a newer version', () => {
    const result = migrateSettings(saved.settings, 7);
    expect(result.ok).toBe(false);
    expect(result.version).toBe(7);
    expect(result.value).toBe(saved.settings);
  });
});
