import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { optionKey, sectionKey, settingKey } from '@/utils/i18n';
import { SETTINGS_FIELDS, SETTINGS_SECTIONS, type SettingField } from '@/utils/settings/settings-fields';
import { APPLICATION_TYPES } from '@/utils/templates/variables';

const root = new URL('../../../', import.meta.url).pathname;
const load = (lang: string) => JSON.parse(readFileSync(join(root, `public/_locales/${lang}/messages.json`), 'utf8')) as Record<string, { message: string }>;
const en = load('en');
const de = load('de');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.tsx?$/.test(name) ? [path] : [];
  });
}

const allFields = (fields: readonly SettingField[]): SettingField[] => fields.flatMap((f) => [f, ...allFields(f.itemFields ?? [])]);

describe('locales', () => {
  it('German has exactly the English keys, none empty, and the same $n substitutions', () => {
    expect(Object.keys(de).sort()).toEqual(Object.keys(en).sort());
    for (const [key, { message }] of Object.entries(en)) {
      expect(message.trim(), key).not.toBe('');
      expect(de[key]!.message.trim(), key).not.toBe('');
      const subs = (text: string) => [...text.matchAll(/\$\d/g)].map((m) => m[0]).sort();
      expect(subs(de[key]!.message), key).toEqual(subs(message));
    }
  });

  it('keeps the manifest keys', () => {
    for (const key of ['extName', 'extDescription', 'commandOpenPanel']) expect(en[key], key).toBeDefined();
  });

  it('has a label, help and option names for every setting in the schema', () => {
    for (const field of allFields(SETTINGS_FIELDS)) {
      expect(en[settingKey(field.path, 'label')], field.path).toBeDefined();
      expect(en[settingKey(field.path, 'help')], field.path).toBeDefined();
      for (const option of field.options ?? []) expect(en[optionKey(field.path, option)], `${field.path}=${option}`).toBeDefined();
    }
    for (const section of [...SETTINGS_SECTIONS, 'permissions', 'testbench', 'importexport']) expect(en[sectionKey(section)], section).toBeDefined();
  });

  it('has every key the pages use literally', () => {
    const used = sources(join(root, 'components'))
      .concat(sources(join(root, 'entrypoints/options')), sources(join(root, 'entrypoints/sidepanel')), sources(join(root, 'entrypoints/popup')))
      .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\bt\('([A-Za-z0-9_]+)'/g)].map((m) => m[1]!));
    expect(used.length).toBeGreaterThan(50);
    expect(used.filter((key) => !en[key])).toEqual([]);
  });

  it('has every key the pages build from values', () => {
    const built = [
      ...['inbound', 'outbound', 'application', 'popup', 'postcall'].map((p) => `point_${p}`),
      ...['ok', 'timeout', 'http', 'network', 'invalid', 'refused', 'circuit_open'].map((o) => `outcome_${o}`),
      ...['inbound', 'outbound', 'internal'].map((d) => `direction_${d}`),
      ...APPLICATION_TYPES.map((a) => `app_${a}`),
      ...['pending', 'popped', 'suppressed', 'refused'].map((p) => `pop_${p}`),
      ...['all', 'answered', 'missed', 'busy', 'failed', 'answered_elsewhere'].map((o) => `history_outcome_${o}`),
      ...['pending', 'delivered', 'dead'].map((p) => `postcall_${p}`),
      ...['offered', 'ringing', 'answered', 'ended'].map((s) => `call_state_${s}`),
      ...['connected', 'connecting', 'reconnecting', 'reconnecting_in', 'error', 'unconfigured'].map((s) => `conn_${s}`),
      ...['number', 'range', 'too_long', 'format', 'list', 'invalid'].map((e) => `error_${e}`),
      'lint_error',
      'lint_warning',
    ];
    expect(built.filter((key) => !en[key])).toEqual([]);
  });
});
