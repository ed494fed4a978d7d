import { describe, expect, it } from 'vitest';
import { applyPatch, diffFromDefaults } from '@/utils/settings/settings-diff';
import { DEFAULT_SETTINGS } from '@/utils/settings/schema';
import { repairSettings } from '@/utils/settings/repair-settings';

describe('diffFromDefaults', () => {
  it('stores nothing for defaults and only the changed leaves otherwise', () => {
    expect(diffFromDefaults(DEFAULT_SETTINGS)).toEqual({});
    const changed = repairSettings({ behaviour: { popOn: 'answer', focus: true }, connection: { endpoints: ['PJSIP/1'] } }).settings;
    expect(diffFromDefaults(changed)).toEqual({ behaviour: { popOn: 'answer' }, connection: { endpoints: ['PJSIP/1'] } });
  });
});

describe('applyPatch', () => {
  it('replaces lists whole and leaves the base untouched', () => {
    const base = repairSettings({ connection: { endpoints: ['PJSIP/1', 'PJSIP/2'] } }).settings;
    const out = applyPatch(base, { connection: { endpoints: ['PJSIP/3'] } });
    expect(repairSettings(out).settings.connection.endpoints).toEqual(['PJSIP/3']);
    expect(base.connection.endpoints).toEqual(['PJSIP/1', 'PJSIP/2']);
  });
});
