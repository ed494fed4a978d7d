import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { managedSchemaFile, managedSchemaFromSettings } from '@/utils/settings/managed-schema';
import { SETTINGS_FIELDS } from '@/utils/settings/settings-fields';

const CHROME_KEYWORDS = new Set(['type', 'properties', 'items', 'enum', 'minimum', 'maximum', 'pattern', 'title', 'description']);

function keywords(schema: Record<string, unknown>): string[] {
  return Object.entries(schema).flatMap(([key, value]) => {
    if (key === 'properties') return Object.values(value as Record<string, Record<string, unknown>>).flatMap(keywords).concat(key);
    if (key === 'items') return keywords(value as Record<string, unknown>).concat(key);
    return [key];
  });
}

describe('managed storage schema', () => {
  it('matches the committed public/managed_schema.json (run `npx tsx utils/settings/write-managed-schema.ts`)', () => {
    const committed = readFileSync(new URL('../../../public/managed_schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(managedSchemaFile());
  });

  it('uses only keywords Chrome accepts and a top-level object without additionalProperties', () => {
    const schema = managedSchemaFromSettings();
    expect(schema.type).toBe('object');
    expect([...new Set(keywords(schema))].filter((k) => !CHROME_KEYWORDS.has(k))).toEqual([]);
  });

  it('offers every setting except secrets as a policy', () => {
    const schema = managedSchemaFromSettings() as { properties: Record<string, { properties: Record<string, { type: string }> }> };
    for (const field of SETTINGS_FIELDS) {
      const [section, key] = field.path.split('.') as [string, string];
      expect(schema.properties[section]?.properties[key] !== undefined, field.path).toBe(!field.secret);
    }
    expect(schema.properties.advanced?.properties.lookupTimeoutMs).toEqual({ type: 'integer', minimum: 100, maximum: 30000 });
  });
});
